/** `(execution, step)` as one string: the idempotency key the outside world sees. */
export const effectKey = (executionId: string, step: number): string => `${executionId}:${step}`;

export function parseEffectKey(key: string): { executionId: string; step: number } | undefined {
  const at = key.lastIndexOf(':');
  const step = Number(key.slice(at + 1));
  if (at <= 0 || !Number.isInteger(step)) return undefined;
  return { executionId: key.slice(0, at), step };
}
