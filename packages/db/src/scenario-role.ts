/**
 * The database role scenario SQL runs as (created by migration 0009, see
 * docs/security.md): one name per PostgreSQL cluster, as roles are
 * cluster-wide; its rights are granted per database.
 */
import type { Queryable } from './client.ts';

export const SCENARIO_ROLE = 'tellflow_scenario';

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Lets scenarios use a business table: the privileges given (default: read
 * and write rows) on `table` (a name, optionally `schema.name`, each part as
 * written in the catalog) and USAGE on the sequences its columns take
 * defaults from. What an admin runs by hand is the same (docs/security.md).
 */
export async function grantToScenarios(q: Queryable, table: string, privileges = 'select, insert, update, delete'): Promise<void> {
  if (!/^[a-z]+(?:\s*,\s*[a-z]+)*$/i.test(privileges)) throw new Error(`not a list of table privileges: ${JSON.stringify(privileges)}`);
  const name = table.split('.').map(quote).join('.');
  await q.query(`grant ${privileges} on ${name} to ${SCENARIO_ROLE}`);
  const { rows } = await q.query<{ seq: string }>(
    `select distinct pg_get_serial_sequence($1, a.attname) as seq from pg_attribute a
     where a.attrelid = $1::regclass and a.attnum > 0 and not a.attisdropped and pg_get_serial_sequence($1, a.attname) is not null`,
    [name],
  );
  for (const r of rows) await q.query(`grant usage, select on sequence ${r.seq} to ${SCENARIO_ROLE}`);
}
