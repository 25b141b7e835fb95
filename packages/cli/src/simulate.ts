/**
 * Running executions to the end on simulated time, for `tellflow run`: the
 * runtime does everything due now, forms get their answers, and the clock
 * jumps to the next thing that happens (a timer, a ring outcome, a deadline).
 */
import { isJsonObject, type Json } from '@tellflow/engine';
import { RuntimeError, type PendingForm, type Runtime } from '@tellflow/runtime';
import type { SteppingClock } from './stepping-clock.ts';

export interface Limits {
  /** Steps (node visits) over all executions. */
  maxSteps: number;
  /** Simulated time from the start. */
  maxMs: number;
}

export interface SimulationOptions {
  runtime: Runtime;
  clock: SteppingClock;
  answers: FormAnswers;
  limits: Limits;
  /** The runtime's lease: how long a step that hit trouble waits before it is retried. */
  leaseMs: number;
}

/** Why the simulation stopped early (everything unfinished was cancelled with this reason). */
export type Stop = { reason: string } | undefined;

/** Loop turns without progress that are tolerated before giving up (a backstop behind the limits). */
const MAX_TURNS = 100_000;

export async function simulate(o: SimulationOptions): Promise<Stop> {
  const { runtime, clock } = o;
  const startedAt = clock.now();
  for (let turn = 0; ; turn++) {
    // A loop of steps that are all due at once (e.g. queries) never leaves drain by itself: the step limit stops it.
    await runtime.drain(undefined, async () => (await stepCount(runtime)) > o.limits.maxSteps);
    const unfinished = await unfinishedExecutions(runtime);
    if (unfinished.length === 0) return undefined;
    if (turn >= MAX_TURNS) return stop(o, `gave up after ${MAX_TURNS} wake-ups without the executions ending`);
    const steps = await stepCount(runtime);
    if (steps > o.limits.maxSteps) return stop(o, `stopped after ${steps} steps, more than --max-steps ${o.limits.maxSteps}: a loop that never ends?`);

    let answered = false;
    for (const form of await runtime.pendingForms()) {
      const values = o.answers.take(form);
      if (values === undefined) {
        if (form.deadline) continue; // it will take its timeout outcome
        return stop(
          o,
          `no answer for the form "${form.form.title}" at node "${form.nodeId}" (scenario "${form.scenarioId}"): give one with --answers '{"${form.nodeId}": {…}}'`,
        );
      }
      try {
        await runtime.submitForm(form.executionId, form.step, values);
      } catch (error) {
        if (!(error instanceof RuntimeError) || error.status !== 400) throw error;
        const problems = (error.details as { problems?: { field: string; message: string }[] } | undefined)?.problems ?? [];
        const why = problems.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message)).join('; ') || error.message;
        return stop(o, `the answer for the form "${form.form.title}" at node "${form.nodeId}" is not valid: ${why}`);
      }
      answered = true;
    }
    if (answered) continue;

    const now = clock.now();
    const candidates = [await runtime.nextWakeAt(), clock.nextDue()].filter((t): t is number => t !== null);
    if (candidates.length === 0) {
      const where = await Promise.all(
        unfinished.map(async (x) => {
          const nodeId = (await runtime.execution(x.id)).state?.waiting?.nodeId;
          return nodeId ? `node "${nodeId}" of "${x.scenarioId}"` : `"${x.scenarioId}"`;
        }),
      );
      return stop(o, `nothing more can happen: still waiting at ${where.join(', ')}, with nothing scheduled`);
    }
    const next = Math.min(...candidates);
    if (next - startedAt > o.limits.maxMs) {
      return stop(o, `stopped at the simulated time limit of ${formatHours(o.limits.maxMs)} (--max-hours): the executions were still waiting`);
    }
    // Due now yet nothing ran: the execution is leased after a failed step; its retry comes when the lease ends.
    const timerDueNow = (clock.nextDue() ?? Infinity) <= now;
    await clock.advance(next > now ? next - now : timerDueNow ? 0 : o.leaseMs);
  }
}

async function unfinishedExecutions(runtime: Runtime) {
  const all = await runtime.executions({ limit: 500, idle: 'include' });
  return all.filter((x) => x.status === 'running' || x.status === 'waiting');
}

async function stepCount(runtime: Runtime): Promise<number> {
  const { rows } = await runtime.db.query<{ n: number }>('select count(*)::int as n from execution_steps');
  return rows[0]?.n ?? 0;
}

/** Cancels everything unfinished with the reason and lets the cancellations run. */
async function stop(o: SimulationOptions, reason: string): Promise<Stop> {
  for (const x of await unfinishedExecutions(o.runtime)) {
    await o.runtime.cancel(x.id, reason).catch((error: unknown) => {
      // Already ended meanwhile (e.g. a child cancelled with its parent).
      if (!(error instanceof RuntimeError && error.status === 409)) throw error;
    });
  }
  await o.runtime.drain();
  return { reason };
}

const formatHours = (ms: number) => `${+(ms / 3_600_000).toFixed(3)} h`;

/**
 * Answers for forms, from `--answers`: keyed by "scenario:node", by node id
 * or by form title (first match wins). A value is the form's values, given
 * every time the form comes up, or a list of values for its successive
 * visits (once the list is used up, the form has no answer).
 */
export class FormAnswers {
  private readonly visits = new Map<string, number>();
  private readonly used = new Set<string>();

  private constructor(private readonly answers: Record<string, Json>) {}

  /** The answers, or a message saying what is wrong with them. */
  static from(value: unknown): FormAnswers | string {
    if (!isJsonObject(value)) return 'must be a JSON object of form node ids (or titles) to values';
    for (const [key, answer] of Object.entries(value)) {
      const ok = isJsonObject(answer) || (Array.isArray(answer) && answer.every(isJsonObject));
      if (!ok) return `the answer for "${key}" must be an object of field values, or a list of them`;
    }
    return new FormAnswers(value);
  }

  take(form: PendingForm): Record<string, Json> | undefined {
    const key = [`${form.scenarioId}:${form.nodeId}`, form.nodeId, form.form.title].find((k) => Object.hasOwn(this.answers, k));
    if (key === undefined) return undefined;
    this.used.add(key);
    const answer = this.answers[key]!;
    if (!Array.isArray(answer)) return answer as Record<string, Json>;
    const visit = this.visits.get(key) ?? 0;
    this.visits.set(key, visit + 1);
    return answer[visit] as Record<string, Json> | undefined;
  }

  /** Keys that no form used: probably a typo. */
  unused(): string[] {
    return Object.keys(this.answers).filter((k) => !this.used.has(k));
  }
}
