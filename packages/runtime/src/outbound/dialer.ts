/**
 * Progressive dialing for running outbound tasks: at most one call at a time
 * per free operator of the task's group, only inside its calling hours. A
 * subscriber is claimed (status 11) and its operator-calling execution
 * inserted in one transaction, under a per-task advisory lock, so two
 * processes never give one operator two calls or one subscriber two dials.
 */
import type { Database, Queryable } from '@tellflow/db';
import type { ScenarioStore } from '../scenarios.ts';
import { insertExecution } from '../sql/executions.ts';
import { withinHours } from './hours.ts';
import { OUTBOUND_TASK_COLUMNS, toOutboundTask, type OutboundTask, type TaskRow } from './store.ts';

export class Dialer {
  constructor(
    private readonly db: Database,
    private readonly scenarios: ScenarioStore,
    private readonly log: (message: string, fields?: Record<string, unknown>) => void = () => {},
  ) {}

  /** Starts the calls that may start now. Returns how many. */
  async tick(now: number): Promise<number> {
    const { rows } = await this.db.query<TaskRow>(`select ${OUTBOUND_TASK_COLUMNS} from outbound_tasks where state = 'running'`);
    let started = 0;
    for (const task of rows.map(toOutboundTask)) {
      if (!withinHours(task.hours, task.timeZone, now)) continue;
      try {
        started += await this.db.transaction((tx) => this.dialTask(tx, task, now));
      } catch (e) {
        this.log('outbound task dialing failed', { task: task.id, error: String(e) });
      }
    }
    return started;
  }

  private async dialTask(tx: Queryable, task: OutboundTask, now: number): Promise<number> {
    if (task.operators.length === 0) return 0;
    await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`tellflow:outbound:${task.id}`]);
    const busy = await tx.query<{ operator: string }>(
      `select distinct operator from executions where operator = any($1::text[]) and status in ('running', 'waiting')`,
      [task.operators],
    );
    const taken = new Set(busy.rows.map((r) => r.operator));
    const free = task.operators.filter((op) => !taken.has(op));
    if (free.length === 0) return 0;
    const version = await this.scenarios.published(task.operatorCallScenarioId, tx);
    let started = 0;
    for (const operator of free) {
      const claimed = await tx.query<{ Id: number }>(
        `update table_out_call set status = 11, operator_number = $2
         where "Id" = (select "Id" from table_out_call c where task_id = $1 and status is null
           -- A number being served (a task that allows duplicate numbers) is not dialled a second time at once.
           and not exists (select 1 from table_out_call s where s.task_id = $1 and s.tel = c.tel and s.status = 11)
           order by "Id" limit 1 for update skip locked)
         returning "Id"`,
        [task.id, operator],
      );
      const row = claimed.rows[0];
      if (!row) break; // nobody left to call
      const input = { subscriberId: row.Id, operator, taskId: task.id, isCallback: false };
      await insertExecution(tx, {
        scenarioId: task.operatorCallScenarioId,
        version: version.version,
        input,
        now,
        attachment: { taskId: task.id, subscriberId: row.Id, operator },
      });
      started++;
    }
    return started;
  }
}
