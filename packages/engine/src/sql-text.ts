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
  let i = 0;
  const n = sql.length;
  const skipUntil = (close: string, from: number) => {
    const at = sql.indexOf(close, from);
    return at < 0 ? n : at + close.length;
  };
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === "'") i = skipQuoted(sql, i, "'");
    else if (c === '"') i = skipQuoted(sql, i, '"');
    else if (c === '-' && next === '-') i = skipUntil('\n', i + 2);
    else if (c === '/' && next === '*') i = skipUntil('*/', i + 2);
    else if (c === '$' && /[A-Za-z_$]/.test(next ?? '')) {
      // Dollar-quoted string: $tag$ … $tag$, the tag like an identifier (a `$1` positional is left as is).
      const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      i = tag ? skipUntil(tag[0], i + tag[0].length) : i + 1;
    } else if (c === ':' && next === ':') i += 2;
    else if (c === ':' && /[A-Za-z_]/.test(next ?? '')) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i + 1))!;
      found.push({ name: m[0], start: i, end: i + 1 + m[0].length });
      i += 1 + m[0].length;
    } else i++;
  }
  return found;
}

function skipQuoted(sql: string, from: number, quote: string): number {
  let i = from + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2; // doubled quote inside
      else return i + 1;
    } else i++;
  }
  return sql.length;
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
    text += sql.slice(last, p.start) + '$' + index;
    last = p.end;
  }
  return { text: text + sql.slice(last), values };
}
