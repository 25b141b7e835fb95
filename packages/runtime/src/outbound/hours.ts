/** Calling hours: a daily window on some weekdays, in the task's time zone (the shape: `CallingHours` of @tellflow/api). */
import type { CallingHours } from '@tellflow/api';

export type { CallingHours };

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** The local weekday and minute of the day at `at` in `timeZone`. */
export function localTime(at: number, timeZone: string): { weekday: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(
    new Date(at),
  );
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return { weekday: WEEKDAYS[get('weekday')] ?? 0, minute: Number(get('hour')) * 60 + Number(get('minute')) };
}

const minutes = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
};

export function withinHours(hours: CallingHours, timeZone: string, at: number): boolean {
  const { weekday, minute } = localTime(at, timeZone);
  const from = minutes(hours.from);
  const to = minutes(hours.to);
  if (from === to) return hours.days.includes(weekday); // the whole day
  if (from < to) return hours.days.includes(weekday) && minute >= from && minute < to;
  // Across midnight: the part after midnight belongs to the previous day's window.
  if (minute >= from) return hours.days.includes(weekday);
  const yesterday = weekday === 1 ? 7 : weekday - 1;
  return minute < to && hours.days.includes(yesterday);
}
