/**
 * Whether a value can be stored as a variable: variables are written to the
 * database with every step, so a value PostgreSQL would refuse (a NUL, an
 * unpaired surrogate, absurd nesting) or a runaway one (a string doubled in a
 * loop) fails the node that makes it, not a commit that would fail for ever.
 *
 * Values are never changed once a node has made them, so what is learnt about
 * an object is kept (a WeakMap): a structure that shares its parts (`[a, a]`
 * in a loop) is measured once per part, not once per path.
 */
import { cannotStore, UNSTORABLE_IN_KEY, UNSTORABLE_IN_STRING, UNSTORABLE_TEXT, type Json } from '../json.ts';

/** The most JSON text one variable may take (10,000 rows of a query fit). */
export const MAX_VARIABLE_CHARS = 16_000_000;
/** Deeper values are refused (PostgreSQL's parser would run out of stack long before the JSON limit). */
export const MAX_VARIABLE_DEPTH = 1_000;

interface Facts {
  /** JSON length, roughly; past the limit it stops counting. */
  size: number;
  /** Levels of nesting: 0 for a scalar, 1 for `[]`, 2 for `[[]]`… (kept with the value, so a remembered part still counts). */
  depth: number;
  problem: string | undefined;
  /** Holds the live variables themselves ({"var": ""}): never remembered, they change. */
  holdsVariables: boolean;
}

const known = new WeakMap<object, Facts>();
const PLAIN: Facts = { size: 8, depth: 0, problem: undefined, holdsVariables: false };
const TOO_DEEP = `is nested more than ${MAX_VARIABLE_DEPTH} levels deep`;

/** `above`: how many levels hold this value in the value being measured. */
function facts(v: Json, vars: object, above: number): Facts {
  if (typeof v === 'string')
    return { size: v.length + 2, depth: 0, problem: UNSTORABLE_TEXT.test(v) ? UNSTORABLE_IN_STRING : undefined, holdsVariables: false };
  if (v === null || typeof v !== 'object') return PLAIN;
  const seen = known.get(v);
  if (seen) return seen;
  // Deep enough to be refused already: stop before the walk itself runs out of stack.
  if (above >= MAX_VARIABLE_DEPTH) return { size: 0, depth: MAX_VARIABLE_DEPTH + 1, problem: TOO_DEEP, holdsVariables: false };
  let size = 2;
  let depth = 1;
  let problem: string | undefined;
  let holdsVariables = v === vars;
  const add = (f: Facts) => {
    size += f.size;
    if (f.depth + 1 > depth) depth = f.depth + 1;
    problem ??= f.problem;
    holdsVariables ||= f.holdsVariables;
  };
  if (Array.isArray(v)) {
    for (const x of v) {
      add(facts(x, vars, depth + 1));
      if (size > MAX_VARIABLE_CHARS) break;
    }
  } else {
    for (const [k, x] of Object.entries(v)) {
      size += k.length + 4;
      if (UNSTORABLE_TEXT.test(k)) problem ??= UNSTORABLE_IN_KEY;
      add(facts(x, vars, depth + 1));
      if (size > MAX_VARIABLE_CHARS) break;
    }
  }
  if (depth > MAX_VARIABLE_DEPTH) problem ??= TOO_DEEP;
  const out = { size, depth, problem, holdsVariables };
  if (!holdsVariables && size <= MAX_VARIABLE_CHARS) known.set(v, out);
  return out;
}

/**
 * The value to store for variable `name`, or the error that fails the node.
 * A value holding the live variables gets a copy of them as they are now.
 */
export function storable(name: string, value: Json, vars: Record<string, Json>): Json {
  const f = facts(value, vars, 0);
  if (f.size > MAX_VARIABLE_CHARS) {
    throw new Error(`variable "${name}" would take more than ${MAX_VARIABLE_CHARS / 1_000_000} million characters: keep data that big in the database`);
  }
  if (f.problem) throw new Error(cannotStore(`variable "${name}"`, f.problem));
  return f.holdsVariables ? detach(value, vars) : value;
}

/** A value as it is stored outside the variables (an execution's result): the live variables in it copied, without `$now`. */
export function detached(value: Json, vars: Record<string, Json>): Json {
  return facts(value, vars, 0).holdsVariables ? detach(value, vars) : value;
}

/** The longest error message kept (in `lastError`, an execution's error, the trace). */
export const MAX_MESSAGE_CHARS = 2_000;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE_TEXT.source, 'g');

/** A message as it can be stored: cut to MAX_MESSAGE_CHARS, text PostgreSQL would refuse replaced by U+FFFD. */
export function storableText(text: string): string {
  let cut = text;
  if (text.length > MAX_MESSAGE_CHARS) {
    const note = `… (${text.length.toLocaleString('en-US')} characters in all)`;
    cut = text.slice(0, MAX_MESSAGE_CHARS - note.length) + note;
  }
  return cut.replace(UNSTORABLE_ALL, '\uFFFD');
}

/** `value` with each reference to the live variables replaced by a copy of them (what holds none is kept as it is). */
function detach(value: Json, vars: Record<string, Json>): Json {
  if (value === vars) {
    // `$now` is the time of the step that reads it: never stored.
    const { $now: _now, ...copy } = vars;
    return copy;
  }
  if (value === null || typeof value !== 'object' || known.has(value)) return value;
  if (Array.isArray(value)) return value.map((x) => detach(x, vars));
  const out: Record<string, Json> = {};
  for (const [k, x] of Object.entries(value)) out[k] = detach(x, vars);
  return out;
}
