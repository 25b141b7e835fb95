import { isCallOutcome, type CallInfo, type CallOutcome, type TelephonyPort } from './port.ts';

export interface CallResult {
  outcome: CallOutcome;
  call: CallInfo;
}

/**
 * Resolves with the call's first outcome (answered/busy/noAnswer/failed), or
 * at once if it is already known. `ref` is a callId or an idempotency key;
 * an unknown ref waits, so it may be called before dial() returns.
 */
export function waitForOutcome(port: TelephonyPort, ref: string, options: { signal?: AbortSignal } = {}): Promise<CallResult> {
  const { signal } = options;
  return new Promise<CallResult>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const known = (): CallInfo | undefined => port.get(ref) ?? port.getByKey(ref);
    const finish = (result: CallResult): void => {
      stop();
      resolve(result);
    };
    const onAbort = (): void => {
      stop();
      reject(signal?.reason);
    };
    // Subscribe before looking, so an outcome between the two is not missed.
    const unsubscribe = port.onEvent((event) => {
      if (!isCallOutcome(event.type) || (event.callId !== ref && event.key !== ref)) return;
      const call = port.get(event.callId);
      if (call) return finish({ outcome: event.type, call });
      stop();
      reject(new Error(`waitForOutcome: port sent "${event.type}" for call "${event.callId}" but does not know it`));
    });
    const stop = (): void => {
      unsubscribe();
      signal?.removeEventListener('abort', onAbort);
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    const call = known();
    if (call?.outcome !== undefined) finish({ outcome: call.outcome, call });
  });
}
