import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '@tellflow/clock';
import { createDatabase, type Database } from '@tellflow/db';
import { createTestDatabase, DATABASE_KINDS, postgresAvailable, type TestDatabase } from '@tellflow/db/testing';
import { TelephonySimulator } from '@tellflow/telephony';
import { CALLBACK_MONITOR_TASK, installBundled } from './bundled.ts';
import { Runtime } from './runtime.ts';
import { T0 } from './test-support.ts';

const hasPostgres = await postgresAvailable();

describe.each(DATABASE_KINDS)('bundled scenarios on %s', (kind) => {
  const skip = kind === 'postgres' && !hasPostgres;
  let t: TestDatabase;
  let second: Database;
  beforeAll(async () => {
    if (skip) return;
    t = await createTestDatabase(kind);
    // On PostgreSQL a second connection pool stands for a second server process.
    second = t.url ? await createDatabase({ url: t.url, max: 3 }) : t.db;
  }, 60_000);
  afterAll(async () => {
    if (second && second !== t.db) await second.close();
    await t?.drop();
  });

  it.skipIf(skip)('are installed once when two servers start at the same time on a fresh database', async () => {
    const runtimes = [t.db, second].map((db) => {
      const clock = new ManualClock(T0);
      const sim = new TelephonySimulator({ clock, rules: {} });
      return { sim, runtime: new Runtime({ db, telephony: sim, clock }) };
    });
    try {
      const [a, b] = await Promise.all(runtimes.map(({ runtime }) => installBundled(runtime)));
      expect([...a!, ...b!].sort()).toEqual(['callback-monitor', 'dialog', 'operator-call', 'outbound-routing', 'queue-callback']);
      expect(a!.length === 0 || b!.length === 0).toBe(true);
      const { rows } = await t.db.query<{ id: string; latest_version: number; published_version: number }>(
        'select id, latest_version, published_version from scenarios order by id',
      );
      expect(rows).toEqual(
        ['callback-monitor', 'dialog', 'operator-call', 'outbound-routing', 'queue-callback'].map((id) => ({ id, latest_version: 1, published_version: 1 })),
      );
      expect((await runtimes[0]!.runtime.serviceTasks.list()).map((s) => s.id)).toEqual([CALLBACK_MONITOR_TASK.id]);

      // A later start finds everything in place and changes nothing.
      expect(await installBundled(runtimes[1]!.runtime)).toEqual([]);
    } finally {
      for (const { runtime, sim } of runtimes) {
        await runtime.close();
        sim.dispose();
      }
    }
  });
});
