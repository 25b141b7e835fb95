/**
 * Test runs in worker threads. The sandbox database (PGlite) runs in the
 * thread that opened it and ignores statement_timeout, so one heavy
 * statement in a draft's SQL or setupSql would hold the whole server. In a
 * worker it holds only that worker: when a run outlives its real-time limit
 * (plus a grace for the run's own, between-steps check), the worker is
 * terminated — the statement with it — and a fresh one takes its place.
 * The scenarios a run needs are read from the product database here, in the
 * server's thread, and sent along: a worker touches nothing real.
 */
import { Worker } from 'node:worker_threads';
import type { Issue, Scenario, ScenarioTest } from '@tellflow/engine';
import type { ScenarioStore } from '../scenarios.ts';
import type { Source } from './sources.ts';
import { refusedCase, SANDBOX_NOTE, sourcesFor, TestRunRefused, type TestCaseResult, type TestRunInput, type TestRunReply } from './test-run.ts';

export type WorkerJob = { scenario: Scenario; doc: unknown; sources: Source[]; startAt: number; wallMs: number } & (
  | { kind: 'run'; request: TestRunInput }
  | { kind: 'case'; test: ScenarioTest }
);

export type WorkerAnswer =
  | { id: number; started: true }
  | { id: number; ok: true; value: TestRunReply | TestCaseResult }
  | { id: number; ok: false; refused: { status: 400 | 422; message: string; issues?: Issue[] } }
  | { id: number; ok: false; error: string };

export interface IsolatedServices {
  store: ScenarioStore;
  startAt: number;
  /** Real time a run may take; past it plus `graceMs` its worker is terminated. */
  wallMs: number;
}

interface Slot {
  worker: Worker;
  busy: boolean;
}

const ENTRY = new URL('./worker-entry.mjs', import.meta.url);
const STARTUP_LIMIT_MS = 120_000;

export class TestRunWorkers {
  readonly #slots: Slot[] = [];
  readonly #waiting: ((slot: Slot) => void)[] = [];
  #next = 0;

  /** `size`: workers at most (each holds its scratch databases, tens of MB); `graceMs`: beyond a run's own limit. */
  constructor(
    private readonly size = 2,
    private readonly graceMs = 3_000,
  ) {}

  /** As `testRun`, in a worker. */
  async run(scenario: Scenario, doc: unknown, request: TestRunInput, services: IsolatedServices): Promise<TestRunReply> {
    const sources = await sourcesFor(scenario, doc, { store: services.store });
    return (await this.#perform({ kind: 'run', scenario, doc, request, sources, startAt: services.startAt, wallMs: services.wallMs })) as TestRunReply;
  }

  /** As `runTestCase`, in a worker. */
  async runCase(scenario: Scenario, doc: unknown, test: ScenarioTest, services: IsolatedServices): Promise<TestCaseResult> {
    let sources: Source[];
    try {
      sources = await sourcesFor(scenario, doc, { store: services.store });
    } catch (error) {
      if (error instanceof TestRunRefused) return refusedCase(test, error);
      throw error;
    }
    const job: WorkerJob = { kind: 'case', scenario, doc, test, sources, startAt: services.startAt, wallMs: services.wallMs };
    try {
      return (await this.#perform(job)) as TestCaseResult;
    } catch (error) {
      if (error instanceof TestRunRefused) return refusedCase(test, error);
      throw error;
    }
  }

  /** Terminates the workers (at shutdown). */
  async close(): Promise<void> {
    await Promise.all(this.#slots.splice(0).map((s) => s.worker.terminate()));
  }

  async #perform(job: WorkerJob): Promise<TestRunReply | TestCaseResult> {
    const slot = await this.#take();
    const id = ++this.#next;
    try {
      const answer = await new Promise<Exclude<WorkerAnswer, { started: true }> | 'timeout'>((resolve, reject) => {
        // Loading a worker and opening a database take seconds, more on a busy machine, but not this long.
        let timer = setTimeout(() => done(() => resolve('timeout')), STARTUP_LIMIT_MS);
        const done = (settle: () => void) => {
          clearTimeout(timer);
          slot.worker.off('message', onMessage);
          slot.worker.off('error', onError);
          settle();
        };
        // The limit counts from when the worker starts the run: a new worker first loads its code, each run opens a database.
        const onMessage = (a: WorkerAnswer) => {
          if (a.id !== id) return;
          clearTimeout(timer);
          if ('started' in a) timer = setTimeout(() => done(() => resolve('timeout')), job.wallMs + this.graceMs);
          else done(() => resolve(a));
        };
        const onError = (e: Error) => done(() => reject(e));
        slot.worker.on('message', onMessage);
        slot.worker.once('error', onError);
        slot.worker.postMessage({ id, job });
      });
      if (answer === 'timeout') {
        this.#replace(slot);
        const reply = cutOff(job.wallMs);
        return job.kind === 'run' ? reply : { name: job.test.name, passed: false, failures: [reply.error!], run: reply };
      }
      if (answer.ok) return answer.value;
      if ('refused' in answer) throw new TestRunRefused(answer.refused.status, answer.refused.message, answer.refused.issues);
      throw new Error(`test run failed in its worker: ${answer.error}`);
    } catch (error) {
      if (!(error instanceof TestRunRefused)) this.#replace(slot);
      throw error;
    } finally {
      this.#release(slot);
    }
  }

  #take(): Promise<Slot> {
    const idle = this.#slots.find((s) => !s.busy);
    if (idle) return Promise.resolve(this.#claim(idle));
    if (this.#slots.length < this.size) return Promise.resolve(this.#claim(this.#spawn()));
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #claim(slot: Slot): Slot {
    slot.busy = true;
    return slot;
  }

  #release(slot: Slot): void {
    slot.busy = false;
    const waiter = this.#waiting.shift();
    if (!waiter) return;
    const next = this.#slots.find((s) => !s.busy) ?? (this.#slots.length < this.size ? this.#spawn() : undefined);
    if (next) waiter(this.#claim(next));
    else this.#waiting.unshift(waiter);
  }

  #spawn(): Slot {
    // Not kept alive by its worker: a server that is done exits even if a spare database is being made.
    const worker = new Worker(ENTRY);
    worker.unref();
    const slot: Slot = { worker, busy: false };
    worker.on('error', () => this.#replace(slot));
    this.#slots.push(slot);
    return slot;
  }

  /** Terminates a worker that is stuck or broken; a new one is made when next needed. */
  #replace(slot: Slot): void {
    const i = this.#slots.indexOf(slot);
    if (i < 0) return;
    this.#slots.splice(i, 1);
    void slot.worker.terminate();
  }
}

/** The reply for a run whose worker was terminated at the time limit: what it did is lost with the worker. */
function cutOff(wallMs: number): TestRunReply {
  return {
    status: 'stopped',
    result: null,
    error: `stopped at the time limit of ${wallMs} ms of real time a run may take, in the middle of a statement (a query that does not finish, or a very large one); the sandbox was discarded with it`,
    errorNodeId: null,
    trace: [],
    pendingForm: null,
    unusedAnswers: [],
    simulatedMs: 0,
    sandbox: SANDBOX_NOTE,
  };
}
