/**
 * The stores on a database, without a runtime: what the API's and the CLI's
 * management verbs read and write. They only touch rows; a running worker
 * (any process's) does the work their changes ask for.
 */
import { systemClock, type Clock } from '@tellflow/clock';
import type { Database } from '@tellflow/db';
import { AgentStore } from './agents/store.ts';
import { QueueStore } from './queues/queue-store.ts';
import { notFound } from './errors.ts';
import { OutboundTaskStore } from './outbound/store.ts';
import { ScenarioStore } from './scenarios.ts';
import { ServiceTaskStore } from './service-tasks/store.ts';
import { nextWakeAt } from './sql/claim.ts';
import { SubscriberStore } from './subscribers/store.ts';
import { countHiddenIdle, getExecution, listExecutions, listPendingForms, type ExecutionDetail, type ExecutionFilter } from './sql/read-executions.ts';

/** Executions read back: lists, one with its trace and effects, the forms waiting for an answer. */
export class ExecutionStore {
  constructor(private readonly db: Database) {}

  /** Newest first; idle executions of service tasks only when `filter.idle` asks for them. */
  list(filter: ExecutionFilter = {}) {
    return listExecutions(this.db, filter);
  }

  /** The idle executions a list with this filter leaves out, counted so that nothing is silently invisible. */
  hiddenIdle(filter: ExecutionFilter = {}) {
    return countHiddenIdle(this.db, filter);
  }

  /** One execution with its trace and effects; 404 when there is none. */
  async get(id: string): Promise<ExecutionDetail> {
    const found = await getExecution(this.db, id);
    if (!found) throw notFound(`execution "${id}"`);
    return found;
  }

  /** Forms waiting for a submission, for these operators (undefined: all). */
  pendingForms(operators?: string[]) {
    return listPendingForms(this.db, operators);
  }

  /** When the next execution becomes due (epoch ms), or null when nothing is scheduled. */
  nextWakeAt(): Promise<number | null> {
    return nextWakeAt(this.db);
  }
}

export interface Stores {
  db: Database;
  clock: Clock;
  scenarios: ScenarioStore;
  serviceTasks: ServiceTaskStore;
  outboundTasks: OutboundTaskStore;
  agents: AgentStore;
  queues: QueueStore;
  subscribers: SubscriberStore;
  executions: ExecutionStore;
}

/** Every store on `db`; `clock` stamps what they write (default: the system clock). */
export function stores(db: Database, clock: Clock = systemClock): Stores {
  const now = () => clock.now();
  const scenarios = new ScenarioStore(db);
  const serviceTasks = new ServiceTaskStore(db, now, scenarios);
  return {
    db,
    clock,
    scenarios,
    serviceTasks,
    outboundTasks: new OutboundTaskStore(db, serviceTasks, now),
    agents: new AgentStore(db, now),
    queues: new QueueStore(db, now),
    subscribers: new SubscriberStore(db, now),
    executions: new ExecutionStore(db),
  };
}
