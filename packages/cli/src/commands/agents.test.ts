import { describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { useHarness } from '@tellflow/runtime/testing';
import { useProductDatabaseOf } from '../test-db.ts';
import { fakeIo } from '../test-io.ts';
import { agents } from './agents.ts';

describe.each(DATABASE_KINDS)('tellflow agents on %s', (kind) => {
  const { h, skip } = useHarness(kind);
  useProductDatabaseOf(() => h().t.db);
  const run = async (...args: string[]) => {
    const io = fakeIo();
    const code = await agents.run(args, io);
    return { code, out: io.out, err: io.err };
  };
  const user = async (username: string, role = 'agent') =>
    (await h().t.db.query<{ id: string }>(`insert into users (username, password_hash, role) values ($1, 'x', $2) returning id`, [username, role])).rows[0]!.id;

  it.skipIf(skip)('gives agents extensions, sets their presence and lists what the availability rule makes of it', async () => {
    await user('anna');
    await user('boris');
    expect(await run('extensions', 'anna', '101,201')).toMatchObject({ code: 0, out: expect.stringContaining('anna      101,201     offline') });
    await run('extensions', 'boris', '102');
    expect(await run('presence', 'anna', 'available')).toMatchObject({ code: 0 });
    expect(await run('presence', 'boris', 'dnd', '--reason', 'training')).toMatchObject({ code: 0 });
    expect((await run('list')).out).toBe(
      [
        'USERNAME  EXTENSIONS  STATE      PRESENCE  DOING / REASON',
        'anna      101,201     available',
        'boris     102         dnd                  training',
        '',
      ].join('\n'),
    );
  });

  it.skipIf(skip)('refuses a number another user has, a bad number, an unknown user or presence, naming what is wrong', async () => {
    await user('anna');
    await user('boris');
    await run('extensions', 'anna', '101');
    expect(await run('extensions', 'boris', '101')).toEqual({ code: 1, out: '', err: 'tellflow agents: extension 101 belongs to "anna"\n' });
    expect(await run('extensions', 'boris', 'a b')).toMatchObject({ code: 2, err: expect.stringContaining('extensions.0: may contain only letters, digits') });
    expect(await run('presence', 'nobody', 'available')).toEqual({ code: 1, out: '', err: 'tellflow agents: user "nobody" not found\n' });
    expect(await run('presence', 'anna', 'asleep')).toMatchObject({ code: 2, err: expect.stringContaining('presence must be one of available, dnd, offline') });
    expect((await run('list')).out).toContain('anna      101');
    expect((await run('list')).out).toContain('boris     -');
  });
});
