/**
 * Sign-in under attack (issue 10, points 1 and 2), through the API on both
 * databases. Client addresses come from X-Forwarded-For (trustProxy).
 */
import { DATABASE_KINDS } from '@tellflow/db/testing';
import { describe, expect, it } from 'vitest';
import { PASSWORD, useServer } from '../test-support.ts';
import { HashGate } from './hash-gate.ts';

const ATTACKER = { 'x-forwarded-for': '203.0.113.66' };
const OFFICE = { 'x-forwarded-for': '198.51.100.7' };
const HOME = { 'x-forwarded-for': '192.0.2.44' };

describe.each(DATABASE_KINDS)('sign-in throttling on %s', (kind) => {
  const gate = new HashGate(2, 4);
  const { h, skip } = useServer(kind, { trustProxy: true, loginMaxFailuresPerIp: 20, loginMaxFailuresPerUser: 30, hashGate: gate });
  const login = (username: string, password: string, headers: Record<string, string>) =>
    h().call('POST', '/api/auth/login', { body: { username, password }, headers });
  const statuses = (rs: Array<{ status: number }>) => rs.map((r) => r.status).sort();

  it.skipIf(skip)('counts parallel wrong passwords before checking them: 40 at once for one user give 3 × 401 and 37 × 429', async () => {
    const replies = await Promise.all(Array.from({ length: 40 }, (_, i) => login('agent', `wrong-${i}`, ATTACKER)));
    expect(statuses(replies)).toEqual([...Array(3).fill(401), ...Array(37).fill(429)]);
    for (const r of replies.filter((r) => r.status === 429)) expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const row = await h().t.db.query<{ failures: number }>("select failures from login_delays where username = 'agent' and address = '203.0.113.66'");
    expect(row.rows[0]!.failures).toBe(3);
  });

  it.skipIf(skip)('delays a pair progressively without checking the password, and a success clears the delay', async () => {
    for (let i = 0; i < 3; i++) expect((await login('agent', `wrong-${i}`, OFFICE)).status).toBe(401);
    // Fourth attempt: the pair waits 1 s, then 2 s, 4 s … and even the right password is not looked at meanwhile.
    for (const wait of [1, 2, 4, 8]) {
      const early = await login('agent', PASSWORD, OFFICE);
      expect(early.status).toBe(429);
      expect(early.headers.get('retry-after')).toBe(String(wait));
      expect(early.body.error).toMatch(/too many failed sign-ins for this username from this address; try again in \d+ s/);
      await h().clock.advance(wait * 1000 - 1);
      expect((await login('agent', PASSWORD, OFFICE)).status).toBe(429);
      await h().clock.advance(1);
      expect((await login('agent', `wrong-after-${wait}`, OFFICE)).status).toBe(401);
    }
    await h().clock.advance(16_000);
    expect((await login('agent', PASSWORD, OFFICE)).status).toBe(200);
    // Cleared: three free failures again, then 1 s.
    for (let i = 0; i < 3; i++) expect((await login('agent', `typo-${i}`, OFFICE)).status).toBe(401);
    expect((await login('agent', PASSWORD, OFFICE)).headers.get('retry-after')).toBe('1');
    await h().clock.advance(1000);
    expect((await login('agent', PASSWORD, OFFICE)).status).toBe(200);
  });

  it.skipIf(skip)('lets the real user sign in from another address while an attacker hammers the account from one', async () => {
    for (let minute = 0; minute < 30; minute++) {
      await Promise.all(Array.from({ length: 5 }, (_, i) => login('agent', `guess-${minute}-${i}`, ATTACKER)));
      await h().clock.advance(60_000);
    }
    const attacker = await login('agent', PASSWORD, ATTACKER);
    expect(attacker.status).toBe(429);
    expect((await login('agent', PASSWORD, OFFICE)).status).toBe(200);
    expect((await login('agent', PASSWORD, HOME)).status).toBe(200);
  });

  it.skipIf(skip)('stops made-up usernames at the address ceiling, and never locks out the admin from elsewhere', async () => {
    // 3 free failures per made-up name: the address's ceiling (20 here) is what stops this.
    const replies = [];
    for (let i = 0; i < 30; i++) replies.push(await login(`nobody-${i}`, 'x', ATTACKER));
    expect(statuses(replies)).toEqual([...Array(20).fill(401), ...Array(10).fill(429)]);
    const colleague = await login('agent2', PASSWORD, ATTACKER);
    expect(colleague.status).toBe(429);
    expect(colleague.body.error).toMatch(/from this address/);
    // The bucket drains 20 per hour: one more attempt fits after 3 minutes.
    expect(colleague.headers.get('retry-after')).toBe(String(3 * 60));
    expect((await login('admin', PASSWORD, OFFICE)).status).toBe(200);
    expect((await login('agent2', PASSWORD, HOME)).status).toBe(200);
    await h().clock.advance(3 * 60_000);
    expect((await login('agent2', PASSWORD, ATTACKER)).status).toBe(200);
  });

  it.skipIf(skip)('blocks a username past its ceiling of failures from all addresses, and refunds what it refused', async () => {
    // 10 addresses × 3 free failures = 30 = the ceiling; the 31st attempt is refused without a password check.
    for (let a = 0; a < 10; a++) for (let i = 0; i < 3; i++) expect((await login('agent', `w${i}`, { 'x-forwarded-for': `10.0.0.${a}` })).status).toBe(401);
    const blocked = await login('agent', PASSWORD, OFFICE);
    expect(blocked.status).toBe(429);
    // The bucket drains 30 an hour: one more attempt fits after 2 minutes.
    expect(blocked.body.error).toMatch(/for this username; try again in 120 s/);
    // Refused attempts were taken back: the office pair has no failure, the bucket is at the ceiling, not above it.
    const office = await h().t.db.query<{ failures: number }>("select failures from login_delays where address = '198.51.100.7'");
    expect(office.rows.map((r) => r.failures)).toEqual([0]);
    const level = await h().t.db.query<{ level: number }>("select level from login_buckets where key = 'user:agent'");
    expect(level.rows[0]!.level).toBe(30);
    await h().clock.advance(120_000);
    expect((await login('agent', PASSWORD, OFFICE)).status).toBe(200);
  });

  it.skipIf(skip)('hashes at most 2 passwords at once; beyond the queue a sign-in gets 503 at once and is not counted', async () => {
    gate.peak = 0;
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => login(`user${i}`, 'wrong password', { 'x-forwarded-for': `10.1.0.${i}` })));
    expect(gate.peak).toBe(2);
    expect(gate.running).toBe(0);
    const busy = replies.filter((r) => r.status === 503);
    expect(busy.length).toBeGreaterThan(0);
    expect(busy[0]!.headers.get('retry-after')).toBe('1');
    expect(busy.length + replies.filter((r) => r.status === 401).length).toBe(20);
    const counted = await h().t.db.query<{ n: number }>('select sum(failures)::int as n from login_delays');
    expect(counted.rows[0]!.n).toBe(20 - busy.length);
  });
});
