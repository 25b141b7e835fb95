/**
 * Waking an execution, the one way every statement does it: due now (unless
 * it is due sooner already) and `wakeups` bumped, so that a worker releasing
 * its lease meanwhile keeps it due instead of setting the later `run_at` it
 * had planned (see the release in commit-step.ts).
 *
 * The SET list of an `update executions`; `now` is the SQL expression of the
 * current time (a parameter such as `$4`).
 */
export const wakeSet = (now: string): string => `run_at = case when run_at is null or run_at > ${now} then ${now} else run_at end, wakeups = wakeups + 1`;
