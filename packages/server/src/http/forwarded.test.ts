import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { type Deployment, deploymentFromEnv, Forwarding } from './forwarded.ts';

/** What the server concludes for a request from `peer` with these headers. */
async function seen(d: Deployment, peer: string | undefined, headers: Record<string, string> = {}, url = 'http://10.1.1.1:3000/') {
  const forwarding = new Forwarding(d);
  const app = new Hono().get('/', (c) => c.json(forwarding.of(c)));
  const env = peer ? { incoming: { socket: { remoteAddress: peer, remotePort: 40000, remoteFamily: peer.includes(':') ? 'IPv6' : 'IPv4' } } } : undefined;
  return (await app.request(url, { headers }, env)).json();
}

const proxied = { 'x-forwarded-for': '198.51.100.7', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'cc.example.com' };

describe('Forwarding', () => {
  it('believes X-Forwarded-* from a trusted proxy only', async () => {
    const d: Deployment = { trustProxy: ['127.0.0.1', '10.0.0.0/8'], publicUrl: '' };
    expect(await seen(d, '10.2.3.4', proxied)).toEqual({ ip: '198.51.100.7', https: true, origin: 'https://cc.example.com' });
    expect(await seen(d, '::ffff:127.0.0.1', proxied)).toEqual({ ip: '198.51.100.7', https: true, origin: 'https://cc.example.com' });
    // Anyone else could have written them.
    expect(await seen(d, '203.0.113.5', proxied)).toEqual({ ip: '203.0.113.5', https: false, origin: 'http://10.1.1.1:3000' });
    expect(await seen({ trustProxy: false, publicUrl: '' }, '10.2.3.4', proxied)).toEqual({ ip: '10.2.3.4', https: false, origin: 'http://10.1.1.1:3000' });
  });

  it("takes the rightmost address no proxy of ours added: the left part of X-Forwarded-For is the client's to write", async () => {
    const d: Deployment = { trustProxy: ['10.0.0.0/8'], publicUrl: '' };
    expect(await seen(d, '10.0.0.2', { 'x-forwarded-for': '1.2.3.4, 198.51.100.7, 10.0.0.9' })).toMatchObject({ ip: '198.51.100.7' });
    expect(await seen(d, '10.0.0.2', { 'x-forwarded-for': '10.0.0.8' })).toMatchObject({ ip: '10.0.0.8' });
    expect(await seen(d, '10.0.0.2')).toMatchObject({ ip: '10.0.0.2' });
  });

  it('a public URL sets the origin and https whatever the request says', async () => {
    const d: Deployment = { trustProxy: false, publicUrl: 'https://cc.example.com' };
    expect(await seen(d, '203.0.113.5', { 'x-forwarded-proto': 'http', 'x-forwarded-host': 'evil.example' })).toEqual({
      ip: '203.0.113.5',
      https: true,
      origin: 'https://cc.example.com',
    });
  });

  it('trusts every peer with `true` (tests; a server only the proxy reaches), also without a socket', async () => {
    expect(await seen({ trustProxy: true, publicUrl: '' }, undefined, proxied)).toEqual({ ip: '198.51.100.7', https: true, origin: 'https://cc.example.com' });
    expect(await seen({ trustProxy: ['127.0.0.1'], publicUrl: '' }, undefined, proxied)).toEqual({
      ip: 'unknown',
      https: false,
      origin: 'http://10.1.1.1:3000',
    });
  });
});

describe('deploymentFromEnv', () => {
  it('reads the proxies and the public URL, and names what is wrong', () => {
    expect(deploymentFromEnv({ TELLFLOW_TRUST_PROXY: '127.0.0.1, 10.0.0.0/8 ::1', TELLFLOW_PUBLIC_URL: 'https://cc.example.com' })).toEqual({
      trustProxy: ['127.0.0.1', '10.0.0.0/8', '::1'],
      publicUrl: 'https://cc.example.com',
    });
    expect(deploymentFromEnv({})).toEqual({});
    expect(() => deploymentFromEnv({ TELLFLOW_TRUST_PROXY: 'proxy.local' })).toThrow('TELLFLOW_TRUST_PROXY: "proxy.local" is not an IP address or CIDR');
    expect(() => deploymentFromEnv({ TELLFLOW_TRUST_PROXY: '10.0.0.0/33' })).toThrow('"10.0.0.0/33" is not an IP address or CIDR');
    expect(() => deploymentFromEnv({ TELLFLOW_PUBLIC_URL: 'cc.example.com' })).toThrow('TELLFLOW_PUBLIC_URL: "cc.example.com" is not a URL');
    expect(() => deploymentFromEnv({ TELLFLOW_PUBLIC_URL: 'ftp://x' })).toThrow('must be an http or https URL');
  });
});
