/**
 * Calling hours are decided in two places that must agree: in TypeScript
 * (a task's readiness, `withinHours`) and in SQL (`tellflow_calling_tasks`,
 * which the dialer and the callback monitor's claim use). Compared over
 * windows of every shape, time zones with and without DST, and many instants.
 */
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { describe, expect, it } from 'vitest';
import { T0, useHarness } from '../test-support.ts';
import { withinHours } from './hours.ts';
import { nextOpening } from './readiness.ts';

const TASKS = [
  { id: 'day', hours: { from: '09:00', to: '21:00', days: [1, 2, 3, 4, 5] }, timeZone: 'Europe/Moscow' },
  { id: 'night', hours: { from: '22:00', to: '06:30', days: [5, 6] }, timeZone: 'America/New_York' },
  { id: 'allday', hours: { from: '00:00', to: '00:00', days: [7] }, timeZone: 'Asia/Kolkata' },
  { id: 'berlin', hours: { from: '08:15', to: '12:45', days: [1, 3, 7] }, timeZone: 'Europe/Berlin' },
  { id: 'utc', hours: { from: '23:59', to: '00:01', days: [1, 2, 3, 4, 5, 6, 7] }, timeZone: 'UTC' },
];

describe.each(DATABASE_KINDS)('calling hours on %s', (kind) => {
  const { h, skip } = useHarness(kind);

  it.skipIf(skip)('SQL and TypeScript agree on which tasks may call, at every instant tried', async () => {
    for (const t of TASKS) await h().runtime.outboundTasks.create({ ...t, name: t.id, operators: [] });
    await h().t.db.query(`update outbound_tasks set state = 'running' where id <> 'berlin'`);
    // Every 37 minutes for three weeks around the DST change of 2026-10-25 (Europe) and 2026-11-01 (New York).
    const instants = Array.from({ length: 3 * 7 * 39 }, (_, i) => Date.UTC(2026, 9, 19) + i * 37 * 60_000);
    const { rows } = await h().t.db.query<{ at: Date; ids: string[] }>(
      `select at, array(select tellflow_calling_tasks(at) order by 1) as ids from unnest($1::text[]::timestamptz[]) as at`,
      [instants.map((t) => new Date(t).toISOString())],
    );
    const mismatches = rows.filter((r) => {
      const expected = TASKS.filter((t) => t.id !== 'berlin' && withinHours(t.hours, t.timeZone, r.at.getTime())).map((t) => t.id);
      return JSON.stringify(expected.sort()) !== JSON.stringify(r.ids);
    });
    expect(rows).toHaveLength(instants.length);
    expect(mismatches).toEqual([]);
    // Not vacuous: each running task is in some answers and out of others; the stopped one never is.
    for (const t of TASKS) {
      const inside = rows.filter((r) => r.ids.includes(t.id)).length;
      if (t.id === 'berlin') expect(inside).toBe(0);
      else expect(inside > 0 && inside < rows.length, t.id).toBe(true);
    }
  });
});

describe('the next opening of calling hours', () => {
  const day = TASKS[0]!;
  it('names the local time, and the weekday when it is more than a day away', () => {
    expect(nextOpening(day, T0)).toBe('09:00 Europe/Moscow'); // Sunday noon → Monday 09:00, 21 h away
    expect(nextOpening(day, Date.UTC(2026, 10, 20, 19, 0))).toBe('Mon 09:00 Europe/Moscow'); // Friday 22:00 → Monday
    expect(nextOpening(day, Date.UTC(2026, 10, 23, 5, 59))).toBe('09:00 Europe/Moscow'); // Monday 08:59
    expect(nextOpening(TASKS[1]!, Date.UTC(2026, 10, 23, 12, 0))).toBe('Fri 22:00 America/New_York');
  });
});
