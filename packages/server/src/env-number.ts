/**
 * A whole-number setting from the environment, checked at start: undefined
 * when unset, else the number, or an error that names the variable, the
 * unit and the range.
 */
export function wholeNumberFromEnv(env: NodeJS.ProcessEnv, name: string, unit: string, min: number, max: number): number | undefined {
  const v = env[name]?.trim();
  if (!v) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be a whole number of ${unit} from ${min} to ${max}, not "${v}"`);
  return n;
}
