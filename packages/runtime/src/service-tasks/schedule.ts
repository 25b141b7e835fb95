import { Cron } from 'croner';

export interface Schedule {
  /** The first period strictly after `after`. */
  next(after: number): number | null;
  /** Up to `n` periods at or before `at`, latest first. */
  previous(n: number, at: number): number[];
}

/** A cron expression (5 or 6 fields; 6 = with seconds) checked and turned into a period calculator. */
export function parseSchedule(expression: string, timeZone = 'UTC'): Schedule {
  let cron: Cron;
  try {
    cron = new Cron(expression, { paused: true, timezone: timeZone });
  } catch (e) {
    throw new Error(`invalid schedule "${expression}": ${(e as Error).message}`);
  }
  return {
    next: (after) => cron.nextRun(new Date(after))?.getTime() ?? null,
    // previousRuns looks strictly before its reference: shift by 1 ms to include `at`.
    previous: (n, at) => cron.previousRuns(n, new Date(at + 1)).map((d) => d.getTime()),
  };
}

export interface DuePeriods {
  /** The latest period in (after, now]. */
  latest: number;
  /** The one before it, if also after `after`. */
  beforeLatest?: number;
  /** How many periods fall in (after, now], counted up to `cap`. */
  count: number;
  capped: boolean;
}

/** The periods due in (after, now] without walking all of them: a day of a 5-second schedule is 17,280. */
export function duePeriods(schedule: Schedule, after: number, now: number, cap = 1000): DuePeriods | undefined {
  const [latest, beforeLatest] = schedule.previous(2, now);
  if (latest === undefined || latest <= after) return undefined;
  let count = 0;
  for (let t = schedule.next(after); t !== null && t <= now && count < cap; t = schedule.next(t)) count++;
  return { latest, ...(beforeLatest !== undefined && beforeLatest > after ? { beforeLatest } : {}), count, capped: count >= cap && latest > after };
}
