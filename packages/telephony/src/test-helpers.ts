// Shared setup for the simulator tests (not exported from the package).
import { ManualClock } from '@tellflow/clock';
import type { CallEvent } from './port.ts';
import type { SimRuleSetInput } from './rules.ts';
import { TelephonySimulator, type TelephonySimulatorOptions } from './simulator.ts';

export const T0 = Date.UTC(2024, 0, 1);

export function setup(rules: SimRuleSetInput = {}, extra: Partial<TelephonySimulatorOptions> = {}) {
  const clock = new ManualClock(T0);
  let n = 0;
  const sim = new TelephonySimulator({ clock, rules, newCallId: () => `call-${++n}`, ...extra });
  const events: CallEvent[] = [];
  sim.onEvent((event) => events.push(event));
  /** Events as "type callId @ms-since-T0" for compact assertions. */
  const timeline = (): string[] => events.map((e) => `${e.type} ${e.callId} @${e.at - T0}`);
  return { clock, sim, events, timeline };
}
