/**
 * Whether an outbound task calls now, and if not, why, in words: a running
 * task outside its calling hours, a disabled callback monitor or a group with
 * nobody present must never look like a task that silently does nothing.
 */
import type { OutboundTask, TaskReadiness } from '@tellflow/api';
import type { Queryable } from '@tellflow/db';
import { availability, type Availability } from '../agents/availability.ts';
import { CALLBACK_MONITOR_ID } from '../service-tasks/callback-monitor.ts';
import { localTime, withinHours } from './hours.ts';

const WEEKDAY_NAMES = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const MINUTE = 60_000;
const DAY_MINUTES = 24 * 60;

export async function taskReadiness(q: Queryable, task: OutboundTask, now: number): Promise<TaskReadiness> {
  const reasons: string[] = [];
  if (task.state === 'stopped') reasons.push('stopped');
  if (!withinHours(task.hours, task.timeZone, now)) reasons.push(`outside calling hours until ${nextOpening(task, now)}`);
  const staffing = operatorsProblem(await availability(q, task.operators, now));
  if (staffing) reasons.push(staffing);
  const calling = reasons.length === 0;
  const monitor = await q.query<{ enabled: boolean }>('select enabled from service_tasks where id = $1', [CALLBACK_MONITOR_ID]);
  const monitorProblem = !monitor.rows[0] ? `no "${CALLBACK_MONITOR_ID}" service task` : monitor.rows[0].enabled ? null : 'callback monitor disabled';
  if (monitorProblem) reasons.push(monitorProblem);
  return { calling, callbacks: calling && !monitorProblem, reasons };
}

/** Nobody in the group can be called or is already on a call: say who is where. */
function operatorsProblem(group: Availability[]): string | null {
  if (group.length === 0) return 'no operators in the group';
  if (group.some((a) => a.state === 'available' || a.state === 'busy' || a.state === 'wrapUp')) return null;
  const words: Record<string, string> = { offline: 'offline', dnd: 'in DND' };
  return `no available operator: ${group.map((a) => `${a.extension} ${words[a.state] ?? a.state}`).join(', ')}`;
}

/**
 * When the calling hours open next, as the task's local time ("09:00
 * Europe/Moscow", with the weekday when it is not within a day). Openings
 * happen at the window's `from` on an allowed day, so each of the next eight
 * days' `from` is tried (nudged by the difference a DST change makes).
 */
export function nextOpening(task: Pick<OutboundTask, 'hours' | 'timeZone'>, now: number): string {
  const [h, m] = task.hours.from.split(':').map(Number);
  const from = h! * 60 + m!;
  const here = localTime(now, task.timeZone);
  const start = Math.floor(now / MINUTE) * MINUTE;
  for (let day = 0; day <= 8; day++) {
    let at = start + (((from - here.minute + DAY_MINUTES) % DAY_MINUTES) + day * DAY_MINUTES) * MINUTE;
    const drift = localTime(at, task.timeZone).minute - from;
    if (drift !== 0) at -= drift * MINUTE;
    if (at > now && withinHours(task.hours, task.timeZone, at)) {
      const label = `${task.hours.from} ${task.timeZone}`;
      return at - now < DAY_MINUTES * MINUTE ? label : `${WEEKDAY_NAMES[localTime(at, task.timeZone).weekday]} ${label}`;
    }
  }
  return `${task.hours.from} ${task.timeZone}`;
}
