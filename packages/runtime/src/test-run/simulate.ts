/**
 * Running executions to the end on simulated time, for `tellflow run` and
 * the editor's test runs: the runtime does everything due now, forms get
 * their answers, and the clock jumps to the next thing that happens (a
 * timer, a ring outcome, a deadline).
 */
import { RuntimeError } from '../errors.ts';
import type { Runtime } from '../runtime.ts';
import type { PendingForm } from '../sql/read-executions.ts';
import type { FormAnswers } from './form-answers.ts';
import type { SteppingClock } from './stepping-clock.ts';

export interface Limits {
  /** Steps (node visits) over all executions. */
  maxSteps: number;
  /** Simulated time from the start. */
  maxMs: number;
  /** Real time (read with `now()`, epoch ms): the run stops once `limitMs` have passed, checked between steps. */
  wall?: { now: () => number; limitMs: number };
}

/** How the limits and answers are called where the run was asked for (`--max-steps` on the command line, `maxSteps` in the API). */
export interface OptionNames {
  answers: string;
  maxSteps: string;
  maxHours: string;
}

export const CLI_OPTION_NAMES: OptionNames = { answers: '--answers', maxSteps: '--max-steps', maxHours: '--max-hours' };

export interface SimulationOptions {
  runtime: Runtime;
  clock: SteppingClock;
  answers: FormAnswers;
  limits: Limits;
  /** The runtime's lease: how long a step that hit trouble waits before it is retried. */
  leaseMs: number;
  /**
   * A form without an answer: 'timeout' lets a form that has a timeout take
   * it (the run stops at one without); 'stop' stops at every one, so the
   * editor can ask for the answer and run again.
   */
  unanswered?: 'timeout' | 'stop';
  names?: OptionNames;
}

export type StopCause = 'form' | 'steps' | 'time' | 'wallClock' | 'stuck';

/** Why the simulation stopped early (everything unfinished was cancelled with this reason). */
export type Stop = { reason: string; cause: StopCause /** With cause 'form': the form that has no answer. */; form?: PendingForm } | undefined;

/** Loop turns without progress that are tolerated before giving up (a backstop behind the limits). */
const MAX_TURNS = 100_000;

export async function simulate(o: SimulationOptions): Promise<Stop> {
  const { runtime, clock } = o;
  const names = o.names ?? CLI_OPTION_NAMES;
  const startedAt = clock.now();
  const wall = o.limits.wall;
  const until = wall ? wall.now() + wall.limitMs : Infinity;
  const outOfTime = () => wall !== undefined && wall.now() >= until;
  const wallStop = () => stop(o, 'wallClock', `stopped at the time limit of ${wall!.limitMs} ms of real time a run may take`);
  for (let turn = 0; ; turn++) {
    // A loop of steps that are all due at once (e.g. queries) never leaves drain by itself: the step limit stops it.
    await runtime.drain(undefined, async () => outOfTime() || (await stepCount(runtime)) > o.limits.maxSteps);
    const unfinished = await unfinishedExecutions(runtime);
    if (unfinished.length === 0) return undefined;
    if (outOfTime()) return wallStop();
    if (turn >= MAX_TURNS) return stop(o, 'stuck', `gave up after ${MAX_TURNS} wake-ups without the executions ending`);
    const steps = await stepCount(runtime);
    if (steps > o.limits.maxSteps)
      return stop(o, 'steps', `stopped after ${steps} steps, more than ${names.maxSteps} ${o.limits.maxSteps}: a loop that never ends?`);

    let answered = false;
    for (const form of await runtime.pendingForms()) {
      const answer = o.answers.take(form);
      const where = `the form "${form.form.title}" at node "${form.nodeId}"`;
      if (answer === undefined || answer === 'timeout') {
        // It will take its timeout outcome.
        if (form.deadline && (answer === 'timeout' || o.unanswered !== 'stop')) continue;
        if (answer === 'timeout') return stop(o, 'form', `the answer for ${where} is null (let it time out), but the form has no timeout`, form);
        return stop(o, 'form', `no answer for ${where} (scenario "${form.scenarioId}"): give one with ${names.answers} '{"${form.nodeId}": {…}}'`, form);
      }
      try {
        await runtime.submitForm(form.executionId, form.step, answer.values);
      } catch (error) {
        if (!(error instanceof RuntimeError) || error.status !== 400) throw error;
        const problems = (error.details as { problems?: { field: string; message: string }[] } | undefined)?.problems ?? [];
        const why = problems.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message)).join('; ') || error.message;
        return stop(o, 'form', `the answer for ${where} is not valid: ${why}`, form);
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
      return stop(o, 'stuck', `nothing more can happen: still waiting at ${where.join(', ')}, with nothing scheduled`);
    }
    const next = Math.min(...candidates);
    if (next - startedAt > o.limits.maxMs) {
      return stop(o, 'time', `stopped at the simulated time limit of ${formatHours(o.limits.maxMs)} (${names.maxHours}): the executions were still waiting`);
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
async function stop(o: SimulationOptions, cause: StopCause, reason: string, form?: PendingForm): Promise<Stop> {
  for (const x of await unfinishedExecutions(o.runtime)) {
    await o.runtime.cancel(x.id, reason).catch((error: unknown) => {
      // Already ended meanwhile (e.g. a child cancelled with its parent).
      if (!(error instanceof RuntimeError && error.status === 409)) throw error;
    });
  }
  await o.runtime.drain();
  return { reason, cause, ...(form ? { form } : {}) };
}

const formatHours = (ms: number) => `${+(ms / 3_600_000).toFixed(3)} h`;
