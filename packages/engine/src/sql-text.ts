/**
 * Named parameters in SQL text (`:name`), turned into PostgreSQL's positional
 * `$1, $2…`. Values are never put into the text: they travel as bound
 * parameters. Quoted strings, quoted identifiers, comments and `::` casts are
 * skipped so that `':x'` or `a::text` are left alone.
 */
export interface Placeholder {
  name: string;
  start: number;
  end: number;
}

export function findPlaceholders(sql: string): Placeholder[] {
  const found: Placeholder[] = [];
  for (const m of maskSql(sql).matchAll(/::|:([A-Za-z_][A-Za-z0-9_]*)/g)) {
    if (m[1]) found.push({ name: m[1], start: m.index, end: m.index + m[0].length });
  }
  return found;
}

/**
 * The SQL with its comments and the contents of its quoted strings, quoted
 * identifiers and dollar-quoted strings blanked out (same length, so
 * positions hold): what is left is the statement's own code.
 */
export function maskSql(sql: string): string {
  const out = sql.split('');
  const n = sql.length;
  const blank = (from: number, to: number) => {
    for (let k = from; k < to && k < n; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  const until = (close: string, from: number) => {
    const at = sql.indexOf(close, from);
    return at < 0 ? n : at + close.length;
  };
  let i = 0;
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    let end = i + 1;
    if (c === "'" || c === '"') end = skipQuoted(sql, i, c, c === "'" && escapeString(sql, i));
    else if (c === '-' && next === '-') end = until('\n', i + 2);
    else if (c === '/' && next === '*') end = skipBlockComment(sql, i);
    else if (c === '$' && /[A-Za-z_$]/.test(next ?? '')) {
      // Dollar-quoted string: $tag$ … $tag$, the tag like an identifier (a `$1` positional is left as is).
      const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (tag) end = until(tag[0], i + tag[0].length);
    } else {
      i = end;
      continue;
    }
    // Keep the quote characters of strings and identifiers, so `'a'b` does not become one word.
    if (c === "'" || c === '"') blank(i + 1, end - 1);
    else blank(i, end);
    i = end;
  }
  return out.join('');
}

/** Whether the quote at `at` opens an escape string (`E'…'`, `e'…'`), where a backslash escapes the next character. */
function escapeString(sql: string, at: number): boolean {
  return /[Ee]/.test(sql[at - 1] ?? '') && !/[A-Za-z0-9_$]/.test(sql[at - 2] ?? '');
}

/** The end of the block comment at `from`: PostgreSQL's block comments nest (`/* /* *\/ still a comment *\/`). */
function skipBlockComment(sql: string, from: number): number {
  let depth = 0;
  let i = from;
  while (i < sql.length) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      depth++;
      i += 2;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  return sql.length;
}

function skipQuoted(sql: string, from: number, quote: string, backslashEscapes = false): number {
  let i = from + 1;
  while (i < sql.length) {
    if (backslashEscapes && sql[i] === '\\') i += 2;
    else if (sql[i] === quote) {
      if (sql[i + 1] === quote)
        i += 2; // doubled quote inside
      else return i + 1;
    } else i++;
  }
  return sql.length;
}

/** Statements that would end or change the transaction a query runs in, or change the pooled connection for later users. */
const NOT_IN_A_STEP = new Set([
  'abort',
  'begin',
  'checkpoint',
  'close',
  'commit',
  'copy',
  'deallocate',
  'declare',
  'discard',
  'do',
  'end',
  'execute',
  'fetch',
  'listen',
  'load',
  'move',
  'prepare',
  'release',
  'reset',
  'rollback',
  'savepoint',
  'set',
  'start',
  'unlisten',
  'vacuum',
]);

const WHY_NOT =
  'each query runs inside the transaction that records its step, on a shared connection, so transaction control and session settings are not allowed';

const SESSION_LOCKS = /\b(pg_(?:try_)?advisory_lock(?:_shared)?|pg_advisory_unlock(?:_shared|_all)?)\s*\(/i;
const TEMP_TABLE = /\bcreate\s+(?:(?:global|local)\s+)?(?:temp|temporary)\b/i;
const SET_CONFIG = /\bset_config\s*\(/gi;

/**
 * Functions that run SQL text of their own (which no check of the query's
 * text sees, and in which a query could leave its role), or reach the
 * server's files or other databases. The database refuses most of them to
 * the scenarios' role as well (docs/security.md); refused here by name first.
 */
const OUT_OF_BOUNDS =
  /\b(query_to_xml(?:schema|_and_xmlschema)?|cursor_to_xml(?:schema)?|(?:table|schema|database)_to_xml(?:schema|_and_xmlschema)?|ts_stat|ts_rewrite|dblink\w*|pg_read_(?:binary_)?file|pg_ls_\w+|pg_stat_file|lo_import|lo_export|lo_from_bytea|lo_put)\s*\(/i;

/**
 * Settings a query may not set even for its transaction: the role it runs as
 * (the sandbox), and what the statements after it in the same transaction
 * (other executions' steps, Tellflow's own) rely on.
 */
const KEPT_SETTINGS = new Set([
  'role',
  'session_authorization',
  'search_path',
  'statement_timeout',
  'lock_timeout',
  'idle_in_transaction_session_timeout',
  'transaction_timeout',
  'transaction_read_only',
  'transaction_isolation',
  'transaction_deferrable',
  'client_encoding',
  'datestyle',
  'intervalstyle',
  'timezone',
  'bytea_output',
  'extra_float_digits',
  'standard_conforming_strings',
]);

/**
 * What in a (masked) statement leaves its sandbox or outlives its
 * transaction on the connection, described, or null: a setting changed for
 * the session (`set_config` whose third argument is not literally `true`) or
 * one of the kept settings (or one whose name is not a literal), a session
 * advisory lock, a temporary table, a function that runs SQL text or reads
 * files. (The transaction-level forms are fine.) `sql` is the original text,
 * for the literal setting names.
 */
function sessionChange(masked: string, sql: string): string | null {
  const lock = SESSION_LOCKS.exec(masked);
  if (lock) return `call ${lock[1]!.toLowerCase()}() (a session lock: use pg_advisory_xact_lock)`;
  if (TEMP_TABLE.test(masked)) return 'create a temporary table';
  const out = OUT_OF_BOUNDS.exec(masked);
  if (out) return `call ${out[1]!.toLowerCase()}() (it runs SQL text of its own or reaches the server's files)`;
  for (const m of masked.matchAll(SET_CONFIG)) {
    const from = m.index + m[0].length;
    const args = callArguments(masked, from);
    if (args[2]?.trim().toLowerCase() !== 'true')
      return 'call set_config() for the session (give true as its third argument: a setting for this transaction only)';
    const name = literal(sql, from, args[0]!);
    if (name === null) return "call set_config() with a name that is not a literal string (write it as 'name')";
    if (KEPT_SETTINGS.has(name.toLowerCase()))
      return `call set_config('${name}', …) (scenario SQL runs as a restricted role, and the statements after it in the transaction rely on ${name})`;
  }
  return null;
}

/** The plain string literal that an argument (`arg`, masked, starting at `from`) is, read from the original text, or null. */
function literal(sql: string, from: number, arg: string): string | null {
  const lead = arg.length - arg.trimStart().length;
  const start = from + lead;
  const end = from + arg.trimEnd().length;
  const m = /^'([^'\\]*)'$/.exec(sql.slice(start, end));
  return m ? m[1]! : null;
}

/**
 * The masked statement with quoted identifiers that spell a plain name
 * unquoted (`"set_config"(` calls set_config as surely as `set_config(`), so
 * the checks below see them; a `U&"…"` identifier can spell any name in
 * escapes and is refused by the caller.
 */
function unquoteNames(masked: string, sql: string): string {
  return masked.replace(/"\s*"/g, (q, at: number) => {
    const inner = sql.slice(at + 1, at + q.length - 1);
    return /^[A-Za-z_][A-Za-z0-9_$]*$/.test(inner) ? ` ${inner} ` : q;
  });
}

/** The top-level arguments of the call whose "(" ends just before `from`, as text. */
function callArguments(masked: string, from: number): string[] {
  const args: string[] = [];
  let depth = 0;
  let start = from;
  for (let i = from; i < masked.length; i++) {
    const c = masked[i];
    if (c === '(' || c === '[') depth++;
    else if ((c === ')' || c === ']') && depth > 0) depth--;
    else if (c === ')' || (c === ',' && depth === 0)) {
      args.push(masked.slice(start, i));
      if (c === ')') return args;
      start = i + 1;
    }
  }
  return args;
}

/**
 * Why this text cannot be a scenario's query, or null. A query runs inside
 * the transaction that records the step (that is what makes it happen once),
 * on a pooled connection: so one statement, and none that controls the
 * transaction or changes the session.
 */
export function sqlStatementProblem(sql: string): string | null {
  const masked = maskSql(sql);
  const statements = masked.split(';').filter((s) => /\S/.test(s));
  if (statements.length === 0) return 'must contain a statement';
  if (statements.length > 1) return 'must be one statement (there is more after a ";")';
  const first = /^[\s(]*([A-Za-z]+)/.exec(statements[0]!)?.[1]?.toLowerCase();
  if (first && NOT_IN_A_STEP.has(first)) {
    return `must not be a ${first.toUpperCase()} statement: ${WHY_NOT}`;
  }
  if (/\bU&"/i.test(masked)) return 'must not use U&"…" identifiers (their escapes can spell any name, which the checks here could not see)';
  // The whole text (one statement, the rest blank) keeps the positions of `sql`.
  const session = sessionChange(unquoteNames(masked, sql), sql);
  if (session) return `must not ${session}: ${WHY_NOT}`;
  return null;
}

/** What is wrong with a scenario's query and its parameter values, as messages about the query (none: fine). */
export function queryProblems(query: string, params: Record<string, unknown> | undefined): string[] {
  const problems: string[] = [];
  // An empty query is reported by the schema already.
  const statement = /\S/.test(query) ? sqlStatementProblem(query) : null;
  if (statement) problems.push(statement);
  for (const ph of findPlaceholders(query)) {
    if (!params || !Object.hasOwn(params, ph.name)) problems.push(`parameter :${ph.name} is used in the query but has no value in "params"`);
  }
  return problems;
}

/** `select * from t where id = :id` + `{ id: 5 }` → `select * from t where id = $1` + `[5]`. */
export function toPositional<V>(sql: string, params: Record<string, V>): { text: string; values: V[] } {
  const order = new Map<string, number>();
  const values: V[] = [];
  let text = '';
  let last = 0;
  for (const p of findPlaceholders(sql)) {
    if (!Object.hasOwn(params, p.name)) throw new Error(`no value for SQL parameter :${p.name}`);
    let index = order.get(p.name);
    if (index === undefined) {
      values.push(params[p.name]!);
      index = values.length;
      order.set(p.name, index);
    }
    text += `${sql.slice(last, p.start)}$${index}`;
    last = p.end;
  }
  return { text: text + sql.slice(last), values };
}
