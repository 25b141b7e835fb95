/**
 * A batch of checked subscriber rows written to the task: each row is
 * matched to the task's rows by its key (`external_key`), so a file imported
 * again updates instead of adding.
 *
 * - a key the task does not have: the row is added;
 * - the same values the last import of that key wrote (`import_hash`): left
 *   alone, even if calls have changed the row since ("unchanged");
 * - other values: the row is updated while it is new or waiting for its
 *   callback (status null or 10); a row being served (11), done (12) or with
 *   another status is kept as it is ("kept").
 *
 * Unless the task allows duplicate phone numbers, a row whose number the task
 * already has under another key is a duplicate (in-file duplicates are found
 * by the caller, which sees the whole file).
 *
 * Each column's values are bound as one array parameter; identifiers come
 * from SUBSCRIBER_COLUMNS only.
 */
import { createHash } from 'node:crypto';
import type { DuplicatePhones } from '@tellflow/api';
import type { Queryable } from '@tellflow/db';
import { castExpression, type SubscriberColumn } from './columns.ts';

export interface BatchOutcome {
  added: number;
  updated: number;
  unchanged: number;
  kept: number;
  /** Rows whose phone number the task already has under another key: line → the subscriber Id that has it. */
  duplicates: { line: number; tel: string; existingId: number }[];
}

interface Pending {
  values: (string | null)[];
  key: string;
  hash: string;
  line: number;
  tel: string;
}

export class WriteBatch {
  private rows: Pending[] = [];
  private readonly insertSql: string;
  private readonly updateSql: string;
  private readonly zone: unknown[];

  /** `columns`: the file's value columns (without external_key), in table order; `tel` is one of them. */
  constructor(
    private readonly columns: SubscriberColumn[],
    private readonly taskId: string,
    timeZone: string,
    private readonly policy: DuplicatePhones,
  ) {
    const n = columns.length;
    const names = columns.map((c) => `"${c}"`).join(', ');
    const arrays = columns.map((_, i) => `$${i + 1}::text[]`).join(', ');
    const withZone = columns.includes('date_call');
    this.zone = withZone ? [timeZone] : [];
    const tz = `$${n + 4}`;
    this.insertSql =
      `insert into table_out_call (${names}, external_key, import_hash, task_id) ` +
      `select ${columns.map((c) => castExpression(c, tz)).join(', ')}, u.external_key, u.import_hash, $${n + 3} ` +
      `from unnest(${arrays}, $${n + 1}::text[], $${n + 2}::text[]) with ordinality as u(${names}, external_key, import_hash, ord) order by u.ord`;
    // The status now comes from the file: a reason Tellflow gave for the old one no longer holds.
    const reason = columns.includes('status') ? ', status_reason = null' : '';
    const utz = `$${n + 3}`;
    this.updateSql =
      `update table_out_call c set ${columns.map((col) => `"${col}" = ${castExpression(col, utz)}`).join(', ')}, import_hash = u.import_hash${reason} ` +
      `from unnest(${arrays}, $${n + 1}::int[], $${n + 2}::text[]) as u(${names}, id, import_hash) where c."Id" = u.id`;
  }

  get size(): number {
    return this.rows.length;
  }

  /** A row: its values in `columns` order, its key and the line it starts on. */
  add(values: (string | null)[], key: string, line: number): void {
    const tel = values[this.columns.indexOf('tel')]!;
    this.rows.push({ values, key, line, tel, hash: hashOf(this.columns, values) });
  }

  /** Writes the waiting rows (the batch is empty again at once). */
  async flush(tx: Queryable): Promise<BatchOutcome> {
    const rows = this.rows;
    this.rows = [];
    const outcome: BatchOutcome = { added: 0, updated: 0, unchanged: 0, kept: 0, duplicates: [] };
    if (rows.length === 0) return outcome;

    let candidates = rows;
    if (this.policy !== 'allow') {
      const found = await tx.query<{ ord: number; id: number }>(
        `select distinct on (u.ord) u.ord::int as ord, c."Id" as id
         from unnest($1::text[], $2::text[]) with ordinality as u(tel, key, ord)
         join table_out_call c on c.task_id = $3 and c.tel = u.tel and c.external_key is distinct from u.key
         order by u.ord, c."Id"`,
        [rows.map((r) => r.tel), rows.map((r) => r.key), this.taskId],
      );
      const duplicateAt = new Map(found.rows.map((r) => [Number(r.ord) - 1, r.id]));
      for (const [i, existingId] of duplicateAt) outcome.duplicates.push({ line: rows[i]!.line, tel: rows[i]!.tel, existingId });
      candidates = rows.filter((_, i) => !duplicateAt.has(i));
    }
    if (candidates.length === 0) return outcome;

    // Locked: the dialer (which skips locked rows) cannot start serving a row while it is being updated.
    const { rows: existing } = await tx.query<{ id: number; key: string; status: number | null; hash: string | null }>(
      `select "Id" as id, external_key as key, status, import_hash as hash from table_out_call
       where task_id = $1 and external_key = any($2::text[]) for update`,
      [this.taskId, candidates.map((r) => r.key)],
    );
    const byKey = new Map(existing.map((r) => [r.key, r]));
    const added: Pending[] = [];
    const changed: { row: Pending; id: number }[] = [];
    for (const row of candidates) {
      const old = byKey.get(row.key);
      if (!old) added.push(row);
      else if (old.hash === row.hash) outcome.unchanged++;
      else if (old.status === null || old.status === 10) changed.push({ row, id: old.id });
      else outcome.kept++;
    }
    if (added.length > 0) {
      await tx.query(this.insertSql, [
        ...this.columns.map((_, c) => added.map((r) => r.values[c]!)),
        added.map((r) => r.key),
        added.map((r) => r.hash),
        this.taskId,
        ...this.zone,
      ]);
      outcome.added = added.length;
    }
    if (changed.length > 0) {
      await tx.query(this.updateSql, [
        ...this.columns.map((_, c) => changed.map((r) => r.row.values[c]!)),
        changed.map((r) => r.id),
        changed.map((r) => r.row.hash),
        ...this.zone,
      ]);
      outcome.updated = changed.length;
    }
    return outcome;
  }
}

/** The values a row gives (with the columns they fill, so a file with another column set differs). */
function hashOf(columns: SubscriberColumn[], values: (string | null)[]): string {
  return createHash('sha256')
    .update(JSON.stringify([columns, values]))
    .digest('base64url')
    .slice(0, 27);
}
