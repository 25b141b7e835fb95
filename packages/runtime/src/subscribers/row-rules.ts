/**
 * Rows that could never be called are refused at import, each with its line
 * and the column to fix, instead of sitting in the list for ever:
 * - status 11 ("being served") is Tellflow's own state while a call is made;
 *   a file gives new (empty), 10, 12 or a status of its own scenarios;
 * - status 10 ("call back at the set time") needs the operator who makes the
 *   callback (the callback monitor calls `operator_number` first), and a time:
 *   `callaftermin`, or `date_callback` (with `time_callback`, default 00:00).
 */
import type { SubscriberColumn } from './columns.ts';

export interface RuleProblem {
  column: SubscriberColumn;
  message: string;
}

/** What is wrong with a row whose cells are each valid; `value(column)` is its normalised cell (null when empty or absent). */
export function callabilityProblems(value: (column: SubscriberColumn) => string | null): RuleProblem[] {
  const status = value('status');
  if (status === '11') {
    return [{ column: 'status', message: '11 (being served) is set by Tellflow while it calls; import the row as new (empty) or 10 with a callback time' }];
  }
  if (status !== '10') return [];
  const problems: RuleProblem[] = [];
  if (value('operator_number') === null) {
    problems.push({ column: 'operator_number', message: 'is empty: status 10 (call back) needs the operator who makes the callback' });
  }
  if (value('callaftermin') === null && value('date_callback') === null) {
    problems.push({
      column: 'callaftermin',
      message: 'is empty and so is date_callback: status 10 (call back) needs a time (callaftermin minutes, or date_callback and time_callback)',
    });
  }
  return problems;
}
