/**
 * Select lists written from the drizzle tables: `selectList(serviceTasks,
 * ['id', 'scenarioId'])` is `id as "id", scenario_id as "scenarioId"`, so a
 * raw query's rows come back keyed as the table's `$inferSelect` type
 * (`Pick<ServiceTaskRow, 'id' | 'scenarioId'>`) and no code maps snake_case
 * names by hand.
 */
import { getTableColumns } from 'drizzle-orm';
import { toSnakeCase } from 'drizzle-orm/casing';
import type { PgTable } from 'drizzle-orm/pg-core';

export type RowOf<T extends PgTable, K extends keyof T['$inferSelect']> = Pick<T['$inferSelect'], K>;

/** `qualifier`: a table alias to prefix each column with (`s.scenario_id as "scenarioId"`). */
export function selectList<T extends PgTable, K extends keyof T['$inferSelect'] & string>(table: T, keys: readonly K[], qualifier?: string): string {
  const columns = getTableColumns(table) as Record<string, { name: string; keyAsName: boolean }>;
  return keys
    .map((key) => {
      const column = columns[key];
      if (!column) throw new Error(`the table has no column "${key}"`);
      // A column declared without a name is named by its key, in snake_case (drizzle `casing: 'snake_case'`).
      const name = column.keyAsName ? toSnakeCase(key) : column.name;
      return `${qualifier ? `${qualifier}.` : ''}"${name}" as "${key}"`;
    })
    .join(', ');
}
