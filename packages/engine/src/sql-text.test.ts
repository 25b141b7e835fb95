import { describe, expect, it } from 'vitest';
import { findPlaceholders, maskSql, sqlStatementProblem, toPositional } from './sql-text.ts';

const names = (sql: string) => findPlaceholders(sql).map((p) => p.name);

describe('findPlaceholders', () => {
  it('finds :name placeholders with their positions', () => {
    const sql = 'select * from t where id = :id and tel = :tel_2';
    expect(findPlaceholders(sql)).toEqual([
      { name: 'id', start: 27, end: 30 },
      { name: 'tel_2', start: 41, end: 47 },
    ]);
    expect(sql.slice(27, 30)).toBe(':id');
  });

  it('finds adjacent placeholders and repeats', () => {
    expect(names('insert into t values(:a,:b,:a)')).toEqual(['a', 'b', 'a']);
    expect(names(':_x')).toEqual(['_x']);
  });

  it('ignores a colon not followed by a name start', () => {
    expect(names('select a[1:2], :1, ": ", 5 : 6')).toEqual([]);
  });

  it('skips single-quoted strings, with doubled quotes inside', () => {
    expect(names("select ':a', 'it''s :b', :c")).toEqual(['c']);
    expect(names("select 'unterminated :a")).toEqual([]);
  });

  it('skips quoted identifiers, with doubled quotes inside', () => {
    expect(names('select "a:b", "say ""hi"" :c" from t where x = :d')).toEqual(['d']);
  });

  it('skips escape strings, where a backslash escapes the quote', () => {
    expect(names("select E'it\\'s :a', :b")).toEqual(['b']);
    expect(names("select e'\\\\', :a")).toEqual(['a']);
    // Not an escape string: a plain string after an identifier ending in e.
    expect(names("select name'x', :a")).toEqual(['a']);
  });

  it('skips nested block comments as PostgreSQL does', () => {
    expect(names('select /* outer /* inner */ :a */ :b')).toEqual(['b']);
    expect(names('select /* /* */ */ :a /* /* */')).toEqual(['a']);
  });

  it('skips line and block comments', () => {
    expect(names('select 1 -- where :a\nwhere x = :b')).toEqual(['b']);
    expect(names('select /* :a\n :b */ :c')).toEqual(['c']);
    expect(names('select :a -- :b')).toEqual(['a']);
    expect(names('select :a /* :b')).toEqual(['a']);
  });

  it('skips :: casts, also right after a placeholder', () => {
    expect(names('select now()::date, :a::int, x::text')).toEqual(['a']);
    expect(findPlaceholders(':a::int')).toEqual([{ name: 'a', start: 0, end: 2 }]);
  });

  it('skips dollar-quoted strings, with or without a tag', () => {
    expect(names('select $$ :a $$, :b')).toEqual(['b']);
    expect(names('select $body$ :a $$ :b $body$, :c')).toEqual(['c']);
    expect(names('select $fn_1$ :a $fn_1$, :b')).toEqual(['b']);
    expect(names('select $$ unterminated :a')).toEqual([]);
  });

  it('leaves positional $1 parameters alone', () => {
    expect(names('select $1, :a, $2')).toEqual(['a']);
  });
});

describe('toPositional', () => {
  it('replaces names by $1, $2 in order of first use', () => {
    expect(toPositional('select * from t where id = :id', { id: 5 })).toEqual({ text: 'select * from t where id = $1', values: [5] });
    expect(toPositional('update t set b = :b where a = :a', { a: 1, b: 2 })).toEqual({ text: 'update t set b = $1 where a = $2', values: [2, 1] });
  });

  it('reuses the index of a repeated name', () => {
    expect(toPositional(':a + :b + :a - :b', { a: 'A', b: 'B' })).toEqual({ text: '$1 + $2 + $1 - $2', values: ['A', 'B'] });
  });

  it('never puts values into the text', () => {
    const evil = "'; drop table table_out_call; --";
    const r = toPositional('select * from t where tel = :tel', { tel: evil });
    expect(r.text).toBe('select * from t where tel = $1');
    expect(r.values).toEqual([evil]);
  });

  it('leaves quoted text, comments and casts as they are', () => {
    expect(toPositional("select ':a', :a::int -- :a\n, $$:a$$", { a: 7 })).toEqual({ text: "select ':a', $1::int -- :a\n, $$:a$$", values: [7] });
  });

  it('drops params the query does not use, and keeps null values', () => {
    expect(toPositional('select :a', { a: null, unused: 1 })).toEqual({ text: 'select $1', values: [null] });
    expect(toPositional('select 1', { a: 1 })).toEqual({ text: 'select 1', values: [] });
  });

  it('throws when a placeholder has no value', () => {
    expect(() => toPositional('select :a, :b', { a: 1 })).toThrow(new Error('no value for SQL parameter :b'));
  });

  it('does not take a value from the prototype', () => {
    expect(() => toPositional('select :toString', {})).toThrow('no value for SQL parameter :toString');
  });
});

describe('maskSql', () => {
  it('blanks comments and the contents of strings, identifiers and dollar quotes, keeping positions', () => {
    const sql = `select 'a;b', "c;d", $$e;f$$, $t$g$t$ -- h;\n/* i; */ from x`;
    const masked = maskSql(sql);
    expect(masked).toHaveLength(sql.length);
    expect(masked.replace(/\s+/g, ' ')).toBe(`select ' ', " ", , from x`);
  });
});

describe('sqlStatementProblem', () => {
  it('accepts one statement of any kind that stays inside its transaction', () => {
    for (const ok of [
      'select 1',
      'select 1;',
      "select ';' as semi -- a comment; with a semicolon",
      'with due as (select 1) update t set x = 1 from due returning *',
      '(select 1) union (select 2)',
      "select set_config('application_name', 'x', true)",
      'lock table t in share mode',
      '/* reset */ insert into t values (1)',
    ])
      expect(sqlStatementProblem(ok), ok).toBeNull();
  });

  it('refuses what changes the session from inside a statement: session settings, session advisory locks, temporary tables', () => {
    for (const [bad, what] of [
      ["select set_config('statement_timeout', '1', false)", 'call set_config() for the session'],
      ["select set_config('search_path', 'x', coalesce(null, true))", 'call set_config() for the session'],
      ["select SET_CONFIG ('a.b', (select 'x'), false)", 'call set_config() for the session'],
      ['select pg_advisory_lock(1)', 'call pg_advisory_lock()'],
      ['select pg_try_advisory_lock_shared(1, 2)', 'call pg_try_advisory_lock_shared()'],
      ['select pg_advisory_unlock_all()', 'call pg_advisory_unlock_all()'],
      ['create temp table x (a int)', 'create a temporary table'],
      ['CREATE LOCAL TEMPORARY TABLE x as select 1', 'create a temporary table'],
    ])
      expect(sqlStatementProblem(bad!), bad).toMatch(new RegExp(`^must not ${what!.replace(/[()]/g, '\\$&')}`));
    for (const ok of [
      "select set_config('a.b', 'x', true), set_config('a.c', f(1, 2), TRUE)",
      'select pg_advisory_xact_lock(1)',
      "select 'set_config(x, false)', 'create temp table'",
      'create table t (a int)',
    ])
      expect(sqlStatementProblem(ok), ok).toBeNull();
  });

  it('refuses what would leave the sandbox role: DO, cursors, set_config of the role or kept settings, functions that run SQL text or read files', () => {
    for (const [bad, what] of [
      [`do $$ begin execute 'copy (select 1) to ''/tmp/x'''; end $$`, 'be a DO statement'],
      ['/* x */ DO language plpgsql $$ begin null; end $$', 'be a DO statement'],
      ['declare c cursor with hold for select 1', 'be a DECLARE statement'],
      ['execute p(1)', 'be a EXECUTE statement'],
      ["select set_config('role', 'none', true)", "call set_config('role', …)"],
      ["select pg_catalog.set_config('Session_Authorization', 'postgres', true)", "call set_config('Session_Authorization', …)"],
      ["select set_config('search_path', 'pg_catalog', true)", "call set_config('search_path', …)"],
      ["select set_config('statement_timeout', '1', true)", "call set_config('statement_timeout', …)"],
      ["select set_config(x, 'none', true) from (values ('role')) v(x)", 'call set_config() with a name that is not a literal string'],
      ["select set_config('ro' || 'le', 'none', true)", 'call set_config() with a name that is not a literal string'],
      [`select "set_config"('statement_timeout', '1', false)`, 'call set_config() for the session'],
      [`select pg_catalog."set_config"('role', 'none', true)`, "call set_config('role', …)"],
      [`select U&"\\0073et_config"('work_mem', '1MB', false)`, 'use U&"…" identifiers'],
      ["select query_to_xml('select 1', true, false, '')", 'call query_to_xml()'],
      ["select pg_catalog.query_to_xml_and_xmlschema('select 1', true, false, '')", 'call query_to_xml_and_xmlschema()'],
      ["select cursor_to_xml('c', 1, true, false, '')", 'call cursor_to_xml()'],
      ["select table_to_xml('users', true, false, '')", 'call table_to_xml()'],
      ["select ts_stat('select 1')", 'call ts_stat()'],
      [`select "pg_read_file"('/etc/passwd')`, 'call pg_read_file()'],
      ["select pg_ls_dir('.')", 'call pg_ls_dir()'],
      ["select lo_import('/etc/hosts')", 'call lo_import()'],
      ["select dblink_exec('dbname=x', 'select 1')", 'call dblink_exec()'],
    ])
      expect(sqlStatementProblem(bad!), bad).toMatch(new RegExp(`^must not ${what!.replace(/[()…|.*?]/g, '\\$&')}`));
    for (const ok of [
      "select set_config('app.operator', :op, true)",
      `select 'query_to_xml(' as text, "do" from t`,
      'select "Id", "status" from table_out_call',
      "select set_config('application_name', 'x', true)",
    ])
      expect(sqlStatementProblem(ok), ok).toBeNull();
  });

  it('refuses more than one statement, and statements that control the transaction or change the session', () => {
    expect(sqlStatementProblem('select 1; select 2')).toBe('must be one statement (there is more after a ";")');
    expect(sqlStatementProblem('-- nothing')).toBe('must contain a statement');
    for (const [bad, word] of [
      ['commit', 'COMMIT'],
      ['  Rollback', 'ROLLBACK'],
      ['/* x */ begin', 'BEGIN'],
      ['start transaction', 'START'],
      ['savepoint a', 'SAVEPOINT'],
      ['release savepoint a', 'RELEASE'],
      ['set statement_timeout = 1', 'SET'],
      ['reset all', 'RESET'],
      ["prepare transaction 'x'", 'PREPARE'],
      ['listen x', 'LISTEN'],
      ['discard all', 'DISCARD'],
      ['copy t to stdout', 'COPY'],
      ['vacuum t', 'VACUUM'],
    ] as const) {
      expect(sqlStatementProblem(bad)).toBe(
        `must not be a ${word} statement: each query runs inside the transaction that records its step, on a shared connection, so transaction control and session settings are not allowed`,
      );
    }
  });
});
