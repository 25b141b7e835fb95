export type TelephonyErrorCode = 'invalidRequest' | 'unknownCall' | 'invalidState' | 'keyConflict';

/** One error type with a code, so callers (HTTP layer, runtime) can map it without string matching. */
export class TelephonyError extends Error {
  override readonly name = 'TelephonyError';
  constructor(
    readonly code: TelephonyErrorCode,
    message: string,
    readonly callId?: string,
  ) {
    super(message);
  }
}

export const unknownCall = (callId: string): TelephonyError => new TelephonyError('unknownCall', `unknown callId "${callId}"`, callId);
