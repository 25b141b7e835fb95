/**
 * What an engineer watches a running Tellflow by, in the Prometheus text
 * format: the work waiting in the database (shared by every process), this
 * process's own counters, and its memory. Every query uses an index, so a
 * scrape stays cheap on a big database.
 */
import type { Queryable } from '@tellflow/db';
import { liveQueueFigures } from './queues/stats.ts';

export interface Sample {
  labels?: Record<string, string>;
  value: number;
}

export interface Metric {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  samples: Sample[];
}

/** Counted by this process since it started. */
export interface ProcessCounters {
  stepsCommitted: number;
  executionsFinished: Record<'completed' | 'failed' | 'cancelled', number>;
}

export const newCounters = (): ProcessCounters => ({ stepsCommitted: 0, executionsFinished: { completed: 0, failed: 0, cancelled: 0 } });

export async function gatherMetrics(q: Queryable, now: number, counters: ProcessCounters): Promise<Metric[]> {
  const at = new Date(now);
  const { rows } = await q.query<{
    running: number;
    waiting: number;
    due: number;
    oldest_due_s: number | null;
    callbacks_due: number;
    forms: number;
    busy_operators: number;
  }>(
    `select
       (select count(*)::int from executions where status = 'running') as running,
       (select count(*)::int from executions where status = 'waiting') as waiting,
       (select count(*)::int from executions where run_at <= $1 and (lease_until is null or lease_until < $1)) as due,
       (select extract(epoch from $1 - min(run_at))::float8 from executions where run_at <= $1 and (lease_until is null or lease_until < $1)) as oldest_due_s,
       (select count(*)::int from table_out_call where status = 10 and due_at <= $1) as callbacks_due,
       (select count(*)::int from effects where kind = 'form' and status = 'pending') as forms,
       (select count(*)::int from agent_holds h join executions x on x.id = h.execution_id and x.status in ('running', 'waiting')) as busy_operators`,
    [at],
  );
  const r = rows[0]!;
  const tasks = await q.query<{ id: string; enabled: boolean; last_period: Date | null }>('select id, enabled, last_period from service_tasks order by id');
  const queueIds = await q.query<{ id: string }>('select id from queues order by id');
  const queues = await liveQueueFigures(
    q,
    queueIds.rows.map((r) => r.id),
    now,
  );
  const perQueue = (value: (f: (typeof queues)[number]) => number, labels: Record<string, string> = {}) =>
    queues.map((f) => ({ labels: { queue: f.queueId, ...labels }, value: value(f) }));
  const memory = process.memoryUsage();
  const gauge = (name: string, help: string, samples: Sample[]): Metric => ({ name, help, type: 'gauge', samples });
  return [
    gauge('tellflow_executions', 'Unfinished executions by status (all processes).', [
      { labels: { status: 'running' }, value: r.running },
      { labels: { status: 'waiting' }, value: r.waiting },
    ]),
    gauge('tellflow_executions_due', 'Executions due now that no process holds: work not yet picked up.', [{ value: r.due }]),
    gauge('tellflow_executions_oldest_due_seconds', 'How late the oldest of them is (0 when none is due).', [{ value: Math.max(0, r.oldest_due_s ?? 0) }]),
    gauge('tellflow_callbacks_due', 'Subscribers (status 10) whose callback time has come and that the callback monitor has not taken yet.', [
      { value: r.callbacks_due },
    ]),
    gauge('tellflow_forms_pending', 'Dialog forms waiting for an operator.', [{ value: r.forms }]),
    gauge('tellflow_operators_busy', 'Extensions held by an unfinished execution (a call, its dialog): busy by the availability rule.', [
      { value: r.busy_operators },
    ]),
    gauge(
      'tellflow_service_task_enabled',
      'Whether each service task is enabled (1) or not (0).',
      tasks.rows.map((t) => ({ labels: { task: t.id }, value: t.enabled ? 1 : 0 })),
    ),
    gauge(
      'tellflow_service_task_last_period_seconds',
      'The last period each service task handled (Unix time; 0 when none yet).',
      tasks.rows.map((t) => ({ labels: { task: t.id }, value: t.last_period ? t.last_period.getTime() / 1000 : 0 })),
    ),
    gauge(
      'tellflow_queue_waiting',
      'Customers waiting in each queue (offered ones included).',
      perQueue((f) => f.waiting),
    ),
    gauge(
      'tellflow_queue_longest_wait_seconds',
      'How long the longest-waiting customer of each queue has waited (0 when nobody waits).',
      perQueue((f) => Math.max(0, f.longestWaitSec ?? 0)),
    ),
    gauge(
      'tellflow_queue_agents',
      'Agents serving each queue: free by the availability rule, or busy (signed in but not free: a call, an offer, a customer, wrap-up or DND).',
      [...perQueue((f) => f.agentsFree, { state: 'free' }), ...perQueue((f) => f.agentsBusy, { state: 'busy' })],
    ),
    gauge(
      'tellflow_queue_offers_pending',
      'Customers of each queue offered to an agent who has not answered yet.',
      perQueue((f) => f.offersPending),
    ),
    { name: 'tellflow_steps_committed_total', help: 'Durable steps this process committed.', type: 'counter', samples: [{ value: counters.stepsCommitted }] },
    {
      name: 'tellflow_executions_finished_total',
      help: 'Executions this process finished, by how they ended.',
      type: 'counter',
      samples: Object.entries(counters.executionsFinished).map(([status, value]) => ({ labels: { status }, value })),
    },
    gauge('process_resident_memory_bytes', 'Resident memory of this process.', [{ value: memory.rss }]),
    gauge('nodejs_heap_used_bytes', 'V8 heap in use.', [{ value: memory.heapUsed }]),
    gauge('process_uptime_seconds', 'Seconds since this process started.', [{ value: Math.round(process.uptime()) }]),
  ];
}

/** The Prometheus text exposition format (version 0.0.4). */
export function renderPrometheus(metrics: readonly Metric[]): string {
  const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
  const lines: string[] = [];
  for (const m of metrics) {
    lines.push(`# HELP ${m.name} ${m.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${m.name} ${m.type}`);
    for (const s of m.samples) {
      const labels = s.labels
        ? `{${Object.entries(s.labels)
            .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
            .join(',')}}`
        : '';
      lines.push(`${m.name}${labels} ${Number.isFinite(s.value) ? s.value : 0}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
