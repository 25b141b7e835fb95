// Time is injected everywhere (engine, runtime, telephony) so tests can drive
// it deterministically instead of sleeping.

declare const timerBrand: unique symbol;

/** Opaque: only the clock that issued a handle knows what it is. */
export type TimerHandle = { readonly [timerBrand]: true };

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/**
 * Real time. Timers are deliberately not unref'd: a pending timer (a call
 * that is still ringing) is real work the process should stay alive for.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms) as unknown as TimerHandle,
  clearTimeout: (handle) => globalThis.clearTimeout(handle as unknown as ReturnType<typeof globalThis.setTimeout>),
};
