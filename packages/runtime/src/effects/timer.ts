/** `timer`: nothing is performed; the execution's `run_at` is the wake time, and the result is `{}`. */
import type { Effect } from '@tellflow/engine';
import type { EffectHandler } from './handler.ts';

export const timer: EffectHandler<Extract<Effect, { kind: 'timer' }>> = {
  performed: () => 'atTime',
  atTime: { wakeAt: (e) => e.wakeAt },
};
