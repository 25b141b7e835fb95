import { describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { useHarness } from '@tellflow/runtime/testing';
import { useProductDatabaseOf } from '../test-db.ts';
import { fakeIo } from '../test-io.ts';
import { queues } from './queues.ts';

describe.each(DATABASE_KINDS)('tellflow queues on %s', (kind) => {
  const { h, skip } = useHarness(kind);
  useProductDatabaseOf(() => h().t.db);
  const run = async (...args: string[]) => {
    const io = fakeIo();
    const code = await queues.run(args, io);
    return { code, out: io.out, err: io.err };
  };

  it.skipIf(skip)('creates a queue, adds and removes an agent, lists the figures and shows waiting customers and the log', async () => {
    const anna = (await h().t.db.query<{ id: string }>(`insert into users (username, password_hash, role) values ('anna', 'x', 'agent') returning id`)).rows[0]!
      .id;
    expect(await run('create', 'support', '--priority', '5', '--max-wait', '600')).toEqual({
      code: 0,
      out: 'created queue support (priority 5, offers wait 20s, max wait 600s)\n',
      err: '',
    });
    expect(await run('members', 'support', 'add', 'anna', '--priority', '2')).toMatchObject({ code: 0, out: 'anna serves support (priority 2)\n' });
    await h().runtime.dispatcher.join({ queueId: 'support', customer: 'cust-1' });
    // The CLI reads on the system clock, the harness joined on its own: the waits are whatever lies between.
    expect((await run('list')).out).toMatch(/^QUEUE +PRIORITY +WAITING +LONGEST +SERVING +FREE +BUSY\nsupport +5 +1 +\d+s +1 +0 +0\n$/);
    const shown = await run('show', 'support');
    expect(shown.out).toMatch(/waiting 1, longest \d+s; agents serving 1, free 0, busy 0/);
    expect(shown.out).toMatch(/\n1 +\d+ +cust-1 +waiting +\d+s +-\n/);
    expect(shown.out).toMatch(/ joined +\d+/);
    expect(shown.out).toMatch(/ startService +/);
    expect(await run('members', 'support', 'remove', 'anna')).toMatchObject({ code: 0, out: 'anna no longer serves support\n' });
    expect((await run('show', 'support')).out).toMatch(new RegExp(`stopService +${anna}`));
  });

  it.skipIf(skip)('refuses bad input naming the field, and unknown queues or users', async () => {
    expect(await run('create', 'x', '--offer-timeout', 'soon')).toMatchObject({ code: 2, err: expect.stringContaining('offerTimeoutSec') });
    expect(await run('show', 'nope')).toEqual({ code: 1, out: '', err: 'tellflow queues: queue "nope" not found\n' });
    expect(await run('members', 'nope', 'add', 'nobody')).toEqual({ code: 1, out: '', err: 'tellflow queues: user "nobody" not found\n' });
    expect(await run('members', 'x')).toMatchObject({ code: 2, err: expect.stringContaining('members ID add|remove USERNAME') });
    expect(await run('create')).toMatchObject({ code: 2 });
    expect((await run('list')).out).toBe('no queues\n');
  });
});
