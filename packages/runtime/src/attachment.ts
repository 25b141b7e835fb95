/**
 * The execution attachment hook: the one place where what an execution is
 * attached to, and the calls it makes, meet a module built on the core.
 *
 * Every execution row carries an attachment (`executions.task_id`,
 * `subscriber_id`, `operator`). The core stores it, hands it to children
 * (as `inherited`) and to retries (unchanged), and claims it back with the
 * execution; it never decides what it is. A hook decides:
 *
 *   fromInput    the attachment of a new execution, from its input and (for a
 *                child) its parent's attachment: `Runtime.start`, and the
 *                runner's `runScenario` children
 *   callPlaced   a call or dial was placed for an execution (its attempt,
 *                with the execution's attachment)
 *   callOutcome  that call's outcome arrived (answered, busy, …)
 *   callHungUp   a call of any execution ended (`lost`: cut off with the
 *                process that held it, so when it really ended is unknown)
 *
 * The runtime is given one hook at construction (`RuntimeOptions.attachment`);
 * the default is the outbound module's (`outbound/attachment.ts`), which
 * reads the inputs `taskId`, `subscriberId` and `operator` and keeps the
 * `call_history` table. `detached` attaches nothing and records no calls.
 */
import type { Queryable } from '@tellflow/db';
import type { Json } from '@tellflow/engine';

/** What an execution's calls are attached to (all null: nothing). */
export interface Attachment {
  taskId?: string | null;
  subscriberId?: number | null;
  operator?: string | null;
}

/** One call placed for an execution, as the runner saw it start. */
export interface CallAttempt {
  executionId: string;
  step: number;
  kind: 'operator' | 'customer';
  number: string;
  callId: string | null;
  taskId: string | null;
  subscriberId: number | null;
  operator: string | null;
  at: number;
}

export interface ExecutionAttachment {
  /** The attachment of a new execution; `inherited` is its parent's (a child's), or empty. */
  fromInput(input: Record<string, Json>, inherited?: Attachment): Attachment;
  callPlaced(q: Queryable, attempt: CallAttempt): Promise<void>;
  callOutcome(q: Queryable, executionId: string, step: number, outcome: string, at: number): Promise<void>;
  callHungUp(q: Queryable, callId: string, at: number, lost?: boolean): Promise<void>;
}

/** A hook for a runtime without outbound work: children keep their parent's attachment, no call is recorded. */
export const detached: ExecutionAttachment = {
  fromInput: (_input, inherited = {}) => ({
    taskId: inherited.taskId ?? null,
    subscriberId: inherited.subscriberId ?? null,
    operator: inherited.operator ?? null,
  }),
  callPlaced: async () => {},
  callOutcome: async () => {},
  callHungUp: async () => {},
};
