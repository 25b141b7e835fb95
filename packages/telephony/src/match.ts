// Number patterns used by simulator rules: "/regex/flags", a glob where "*"
// matches any run of characters, or an exact number.

export type Matcher = (value: string) => boolean;

const REGEX_LITERAL = /^\/(.+)\/([a-z]*)$/s;

/** Throws a SyntaxError for an invalid "/regex/"; the rules schema turns it into an issue. */
export function compilePattern(pattern: string): Matcher {
  const regex = REGEX_LITERAL.exec(pattern);
  if (regex) {
    const re = new RegExp(regex[1] ?? '', regex[2]);
    // Patterns with the g/y flag would make test() stateful; reset each time.
    return (value) => {
      re.lastIndex = 0;
      return re.test(value);
    };
  }
  if (pattern.includes('*')) {
    const escaped = pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    const re = new RegExp(`^${escaped.join('.*')}$`, 's');
    return (value) => re.test(value);
  }
  return (value) => value === pattern;
}

/** Returns an error message, or undefined if the pattern compiles. */
export function patternError(pattern: string): string | undefined {
  try {
    compilePattern(pattern);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
