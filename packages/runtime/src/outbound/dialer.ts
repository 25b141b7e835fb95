/**
 * Progressive dialing for running outbound tasks: at most one call at a time
 * per available operator of the task's group (the one availability rule,
 * agents/availability.ts), only inside its calling hours. A subscriber is
 * claimed (status 11), its operator-calling execution inserted and the agent
 * held for it in one transaction, under the task's and the agent's locks, so
 * two processes never give one operator two calls or one subscriber two dials.
 */
import type { Database, Queryable } from '@tellflow/db';
import { availability, lockAgent, recordHold } from '../agents/availability.ts';
import type { ScenarioStore } from '../scenarios.ts';
import { insertExecution } from '../sql/executions.ts';
import { OUTBOUND_TASK_COLUMNS, toOutboundTask, type OutboundTask, type TaskRow } from './store.ts';

export class Dialer {
  constructor(
    private readonly db: Database,
    private readonly scenarios: ScenarioStore,
    private readonly log: (message: string, fields?: Record<string, unknown>) => void = () => {},
  ) {}

  /** Starts the calls that may start now. Returns how many. */
  async tick(now: number): Promise<number> {
    // Running and inside their calling hours: the same SQL rule the callback monitor's claim uses.
    const { rows } = await this.db.query<TaskRow>(
      `select ${OUTBOUND_TASK_COLUMNS} from outbound_tasks where id in (select tellflow_calling_tasks($1)) order by id`,
      [new Date(now)],
    );
    let started = 0;
    for (const task of rows.map(toOutboundTask)) {
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
    const free = await this.freeOperators(tx, task.operators, now);
    if (free.length === 0) return 0;
    const version = await this.scenarios.published(task.operatorCallScenarioId, tx);
    let started = 0;
    for (const operator of free) {
      await lockAgent(tx, operator);
      // Another task's dialer or a callback may have won the agent since the first look.
      if ((await availability(tx, [operator], now))[0]!.state !== 'available') continue;
      const claimed = await tx.query<{ Id: number }>(
        `update table_out_call set status = 11, operator_number = $2, status_reason = null
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
      const id = await insertExecution(tx, {
        scenarioId: task.operatorCallScenarioId,
        version: version.version,
        input,
        now,
        attachment: { taskId: task.id, subscriberId: row.Id, operator },
      });
      await recordHold(tx, operator, id, now);
      started++;
    }
    return started;
  }

  /**
   * The task's operators the rule says are available, and who no call of
   * theirs is on its way to (an execution attached to them that has not
   * rung them yet, e.g. a callback just started by the monitor).
   */
  private async freeOperators(tx: Queryable, operators: string[], now: number): Promise<string[]> {
    const states = await availability(tx, operators, now);
    const pending = await tx.query<{ operator: string }>(
      `select distinct operator from executions where operator = any($1::text[]) and status in ('running', 'waiting')`,
      [operators],
    );
    const onTheirWay = new Set(pending.rows.map((r) => r.operator));
    return states.filter((a) => a.state === 'available' && !onTheirWay.has(a.extension)).map((a) => a.extension);
  }
}
