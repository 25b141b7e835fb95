/**
 * Waiting customers survive a kill -9 of every server process, with the same
 * positions, read through the API before and after; the offer an agent held
 * is still its own, and offering goes on: an agent who becomes available
 * after the restart is offered the next customer. On real PostgreSQL with
 * two processes, and on PGlite with one (a PGlite data directory has one
 * owner), everything over HTTP.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, postgresAvailable, type TestDatabase } from '@tellflow/db/testing';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerProcess } from './support/server-process.ts';
import { ADMIN_PASSWORD, type Credentials, eventually, expectStatus, mintCustomerTokens, serverEnv, signIn, startServers } from './support/queue-servers.ts';

const hasPostgres = await postgresAvailable();
const PASSWORD = 'agent-password-restart';

interface Entry {
  id: number;
  customer: string;
  position: number | null;
  state: string;
}
interface Offer {
  id: number;
  state: string;
  entry: Entry;
}

const KINDS = [
  { kind: 'postgres', processes: 2, skip: !hasPostgres },
  { kind: 'pglite', processes: 1, skip: false },
] as const;

describe.each(KINDS)('queues across a kill -9 of every server process on $kind', ({ kind, processes, skip }) => {
  let t: TestDatabase | undefined;
  let servers: ServerProcess[] = [];

  afterEach(async () => {
    await Promise.all(servers.map((s) => s.stop().catch(() => {})));
    servers = [];
    await t?.drop();
    t = undefined;
  });

  it.skipIf(skip)(
    `${processes} process(es): the same customers in the same positions, the held offer kept, offers made again`,
    async () => {
      const started = Date.now();
      if (kind === 'postgres') t = await createTestDatabase('postgres');
      const env = serverEnv(t ? { databaseUrl: t.url! } : { dataDir: mkdtempSync(join(tmpdir(), 'tellflow-queue-restart-')) });
      servers = await startServers(env, processes);
      // Each request to the next server in turn: both processes serve every kind of request.
      let turn = 0;
      const server = () => servers[turn++ % servers.length]!.url;

      const admin = await signIn(server(), 'admin', ADMIN_PASSWORD);
      await expectStatus(201, server(), 'POST', '/api/queues', admin, { id: 'support', offerTimeoutSec: 3600, reofferDelaySec: 0 });
      for (const [username, extension] of [
        ['ann', '101'],
        ['bob', '102'],
      ]) {
        await expectStatus(201, server(), 'POST', '/api/users', admin, { username, password: PASSWORD, role: 'agent', extensions: [extension] });
      }
      const ann = await signIn(server(), 'ann', PASSWORD);
      const bob = await signIn(server(), 'bob', PASSWORD);
      // Bob serves the queue but is in DND; Ann is available and will hold an offer when the processes die.
      await expectStatus(200, server(), 'PUT', '/api/agents/me/presence', bob, { state: 'dnd' });
      await expectStatus(200, server(), 'PUT', '/api/agents/me/queues/support', bob, { priority: 0 });
      await expectStatus(200, server(), 'PUT', '/api/agents/me/presence', ann, { state: 'available' });
      await expectStatus(200, server(), 'PUT', '/api/agents/me/queues/support', ann, { priority: 0 });

      const customers = ['c1', 'c2', 'c3', 'c4'];
      const tokens = await mintCustomerTokens(server(), admin, customers);
      for (const c of customers) {
        await expectStatus(201, server(), 'POST', '/api/queues/support/join', tokens.get(c), {});
        await new Promise((r) => setTimeout(r, 20)); // distinct arrival times
      }
      const offerOf = async (agent: Credentials) => (await expectStatus<{ offer: Offer | null }>(200, server(), 'GET', '/api/agents/me/offer', agent)).offer;
      const held = await eventually('Ann is offered the first customer', async () => (await offerOf(ann)) ?? undefined);
      expect(held.entry.customer).toBe('c1');

      /** Where each customer is, as each customer and the admin see it. */
      const positions = async () => {
        const mine = [];
        for (const c of customers) {
          const { entry } = await expectStatus<{ entry: Entry }>(200, server(), 'GET', '/api/customer/queue', tokens.get(c));
          mine.push([entry.customer, entry.id, entry.position, entry.state]);
        }
        const { entries } = await expectStatus<{ entries: Entry[] }>(200, server(), 'GET', '/api/queues/support/entries', admin);
        return { mine, queue: entries.map((e) => [e.customer, e.id, e.position, e.state]) };
      };
      const before = await positions();
      expect(before.mine.map(([c, , p, s]) => [c, p, s])).toEqual([
        ['c1', 1, 'offered'],
        ['c2', 2, 'waiting'],
        ['c3', 3, 'waiting'],
        ['c4', 4, 'waiting'],
      ]);
      expect(before.queue).toEqual(before.mine);

      // Power cut: every process at once, nothing shut down.
      await Promise.all(servers.map((s) => s.kill9()));
      const killedAt = Date.now();
      servers = await startServers(env, processes);
      const restartMs = Date.now() - killedAt;

      // Same customers, same places; Ann's offer is still hers (sessions and offers are rows).
      expect(await positions()).toEqual(before);
      expect(await offerOf(ann)).toMatchObject({ id: held.id, state: 'pending', entry: { customer: 'c1' } });

      // Offering goes on in the new processes: Bob becomes available and is offered the next customer in line.
      await expectStatus(200, server(), 'PUT', '/api/agents/me/presence', bob, { state: 'available' });
      const next = await eventually('Bob is offered the next customer', async () => (await offerOf(bob)) ?? undefined);
      expect(next.entry.customer).toBe('c2');
      await expectStatus(200, server(), 'POST', '/api/agents/me/offer/accept', ann);
      const after = await positions();
      expect(after.mine.map(([c, , p, s]) => [c, p, s])).toEqual([
        ['c1', null, 'assigned'],
        ['c2', 1, 'offered'],
        ['c3', 2, 'waiting'],
        ['c4', 3, 'waiting'],
      ]);
      console.log(`[queue-restart] ${kind}, ${processes} process(es): restarted in ${restartMs} ms, whole test ${Date.now() - started} ms`);
    },
    120_000,
  );
});
