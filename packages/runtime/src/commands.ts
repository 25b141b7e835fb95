/**
 * Commands: what a user asks of executions — start, retry, cancel, answer a
 * form, run a service task now. Each only inserts or updates rows and sends
 * a wake-up (NOTIFY); whichever process runs a worker does the work. So they
 * need no runner and no telephony: the CLI uses them on a bare database.
 */
import type { Transaction } from '@tellflow/db';
import type { Json } from '@tellflow/engine';
import { checkFormValues, initialVariables, variablesBefore } from '@tellflow/engine';
import type { Attachment, ExecutionAttachment } from './attachment.ts';
import { conflict, notFound, RuntimeError } from './errors.ts';
import { outboundAttachment } from './outbound/attachment.ts';
import { WAKE_CHANNEL } from './runner.ts';
import type { ClaimedExecution } from './sql/claim.ts';
import { completeEffect, loadEffect } from './sql/effects.ts';
import { insertExecution, requestCancel, retryBasis, type NewExecution } from './sql/executions.ts';
import { getExecution, type RetryFrom } from './sql/read-executions.ts';
import { declaredInputs, mustAcceptInputs } from './start-inputs.ts';
import type { Stores } from './stores.ts';

export interface FormSubmitter {
  /** Operator numbers / ids this user answers for; undefined = may answer any form (admin). */
  operators?: string[];
}

/**
 * A worker in this process that can take a new execution at once (see
 * Worker.here): the execution is inserted already leased to it and adopted,
 * with no NOTIFY and claim in between.
 */
export interface RunHere {
  /** A place for one new execution when the worker has room now; undefined otherwise. */
  slot(now: number): { lease: { owner: string; until: number }; adopt(c: ClaimedExecution): void } | undefined;
}

/** Options of a command that inserts a new execution (start, retry). */
export interface LaunchOptions {
  startedBy?: string | null;
  /**
   * Runs in the transaction that inserts the execution, with its id: what it
   * writes commits together with the execution or not at all (the server
   * stores an Idempotency-Key's response this way). Throwing undoes the insert.
   */
  inTransaction?: (tx: Transaction, executionId: string) => Promise<void>;
}

export interface CommandsOptions {
  /** How a new execution's attachment follows from its input (default: the outbound hook). */
  attachment?: ExecutionAttachment;
  /** This process's worker, when it runs one. */
  here?: RunHere;
}

export class Commands {
  private readonly attachment: ExecutionAttachment;

  constructor(
    private readonly s: Pick<Stores, 'db' | 'clock' | 'scenarios' | 'serviceTasks'>,
    private readonly o: CommandsOptions = {},
  ) {
    this.attachment = o.attachment ?? outboundAttachment;
  }

  /** Starts the published version of a scenario (or a given version). Returns the execution id. */
  async start(scenarioId: string, options: LaunchOptions & { input?: Record<string, Json>; version?: number } = {}): Promise<string> {
    const scenarios = this.s.scenarios;
    const version = options.version === undefined ? await scenarios.published(scenarioId) : await scenarios.version(scenarioId, options.version);
    const input = options.input ?? {};
    mustAcceptInputs(version.document, input);
    const attachment = this.attachment.fromInput(input);
    return this.launch({ scenarioId, version: version.version, input, startedBy: options.startedBy ?? null, attachment }, options.inTransaction);
  }

  /**
   * Runs a finished execution again from one of its steps (default: the node
   * it failed or was cancelled at), on the same scenario version, with the
   * same input and attachment, and the variables it had when that step began.
   * `input` replaces some of the inputs: the retry's input is the old one
   * with these over it, and the declared ones among them are set over the
   * step's variables. The input is checked as start checks it (a 400 naming
   * a missing required input). Effects from that step on happen again (a new
   * execution, new effect keys). Returns the new execution's id.
   */
  async retry(id: string, options: LaunchOptions & { fromStep?: number; input?: Record<string, Json> } = {}): Promise<string> {
    const x = await getExecution(this.s.db, id);
    if (!x) throw notFound(`execution "${id}"`);
    if (x.status === 'running' || x.status === 'waiting') throw conflict(`execution "${id}" is still ${x.status}: cancel it before retrying it`);
    const version = await this.s.scenarios.version(x.scenarioId, x.version);
    const basis = await retryBasis(this.s.db, id);
    let from: RetryFrom;
    if (options.fromStep === undefined) {
      const nodeId = x.state?.error?.nodeId;
      const node = version.document.nodes.find((n) => n.id === nodeId);
      if (x.status === 'completed' || !nodeId || !x.state || node?.type === 'end') {
        const why = x.status === 'completed' ? 'completed' : node?.type === 'end' ? `ended at its end node "${nodeId}"` : 'has no node it stopped at';
        throw conflict(`execution "${id}" ${why}: give the step to retry from`);
      }
      from = { step: x.state.steps, nodeId, vars: x.state.vars };
    } else {
      const visit = x.trace.find((t) => t.step === options.fromStep);
      if (!visit)
        throw new RuntimeError(400, `execution "${id}" has no step ${options.fromStep}: its steps are ${x.trace.map((t) => t.step).join(', ') || 'none'}`);
      const initial = basis.startVars ?? initialVariables(version.document, x.input).vars;
      from = { step: visit.step, nodeId: visit.nodeId, vars: variablesBefore(initial, x.trace, visit.step) };
    }
    const given = options.input ?? {};
    const input = { ...x.input, ...given };
    // An execution that failed for a missing input would otherwise run on with it null.
    mustAcceptInputs(version.document, input, `cannot retry execution "${id}"`);
    for (const name of declaredInputs(version.document)) if (Object.hasOwn(given, name)) from.vars = { ...from.vars, [name]: given[name]! };
    return this.launch(
      {
        scenarioId: x.scenarioId,
        version: x.version,
        input,
        startedBy: options.startedBy ?? null,
        attachment: basis.attachment,
        retry: { of: id, from },
      },
      options.inTransaction,
    );
  }

  /** Cancels an unfinished execution; its timers, forms and children go with it. */
  async cancel(id: string, reason = 'cancelled by request'): Promise<void> {
    if (!(await requestCancel(this.s.db, id, reason, this.s.clock.now()))) {
      const found = await getExecution(this.s.db, id);
      if (!found) throw notFound(`execution "${id}"`);
      throw conflict(`execution "${id}" is already ${found.status}`);
    }
    await this.s.db.notify(WAKE_CHANNEL, '');
  }

  /** Answers a waiting form (as `by`, who must answer for its operator). Returns the values as checked. */
  async submitForm(executionId: string, step: number, values: unknown, by: FormSubmitter & { user?: string } = {}): Promise<Record<string, Json>> {
    const db = this.s.db;
    const effect = await loadEffect(db, executionId, step);
    if (effect?.kind !== 'form' || effect.request.kind !== 'form') throw notFound(`form ${executionId}/${step}`);
    if (effect.status !== 'pending' || !effect.startedAt) throw conflict(`form ${executionId}/${step} is no longer waiting for a submission`);
    if (by.operators && effect.assignee !== null && !by.operators.includes(effect.assignee)) {
      throw new RuntimeError(403, `form ${executionId}/${step} is for operator ${effect.assignee}`);
    }
    const checked = checkFormValues(effect.request.fields, values);
    if (!checked.ok) throw new RuntimeError(400, 'the form values are not valid', { problems: checked.problems });
    const result: Json = { submitted: checked.values, ...(by.user ? { by: by.user } : {}) };
    if (!(await completeEffect(db, executionId, step, result, this.s.clock.now()))) {
      throw conflict(`form ${executionId}/${step} was answered or closed meanwhile`);
    }
    await db.notify(WAKE_CHANNEL, '');
    return checked.values;
  }

  /** "Run now" for a service task: one execution outside its schedule, recorded among its runs. */
  async runServiceTask(id: string): Promise<string> {
    const task = await this.s.serviceTasks.get(id);
    const now = this.s.clock.now();
    const executionId = await this.start(task.scenarioId, { input: task.input });
    await this.s.db.query(
      `insert into service_task_runs (task_id, scheduled_for, outcome, reason, execution_id, created_at)
       values ($1, $2, 'started', 'run now', $3, $2) on conflict do nothing`,
      [id, new Date(now), executionId],
    );
    return executionId;
  }

  /**
   * Inserts a new execution. When this process's worker has room it is
   * inserted leased to it and runs at once; otherwise any process's next
   * claim starts it. `inTransaction` commits with the insert.
   */
  private async launch(e: Omit<NewExecution, 'now' | 'lease'>, inTransaction?: LaunchOptions['inTransaction']): Promise<string> {
    const now = this.s.clock.now();
    const slot = this.o.here?.slot(now);
    const row = { ...e, now, ...(slot ? { lease: slot.lease } : {}) };
    const id = inTransaction
      ? await this.s.db.transaction(async (tx) => {
          const inserted = await insertExecution(tx, row);
          await inTransaction(tx, inserted);
          return inserted;
        })
      : await insertExecution(this.s.db, row);
    if (slot) slot.adopt(claimedNew(id, e));
    else await this.s.db.notify(WAKE_CHANNEL, '');
    return id;
  }
}

/** A just-inserted execution as a claim would have returned it. */
function claimedNew(id: string, e: Omit<NewExecution, 'now' | 'lease'>): ClaimedExecution {
  const a: Attachment = e.attachment ?? {};
  return {
    id,
    scenarioId: e.scenarioId,
    version: e.version,
    state: null,
    input: e.input,
    cancelRequested: null,
    parentId: null,
    parentStep: null,
    wakeups: 0,
    taskId: a.taskId ?? null,
    subscriberId: a.subscriberId ?? null,
    operator: a.operator ?? null,
    retryFrom: e.retry ? { nodeId: e.retry.from.nodeId, vars: e.retry.from.vars } : null,
  };
}
