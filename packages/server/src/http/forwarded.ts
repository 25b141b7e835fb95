/**
 * Who is asking, and at which address they reached us, behind a reverse
 * proxy. `X-Forwarded-For`, `-Proto` and `-Host` are believed only from a
 * peer in the trusted list (TELLFLOW_TRUST_PROXY: addresses or CIDRs):
 * anyone else could write them. `TELLFLOW_PUBLIC_URL`, when set, is the
 * address people use (its origin is the only one state-changing requests may
 * come from, and https there makes the session cookie Secure).
 */
import { BlockList, isIP } from 'node:net';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

/** `true`: every peer is a trusted proxy (tests, or a server only the proxy can reach); a list: these addresses and CIDRs. */
export type TrustProxy = boolean | readonly string[];

export interface Deployment {
  trustProxy: TrustProxy;
  /** e.g. `https://cc.example.com`; empty: the address each request was made to. */
  publicUrl: string;
}

export interface RequestOrigin {
  /** The client's address ('unknown' when there is no socket, as in `app.request()`). */
  ip: string;
  https: boolean;
  /** The origin a browser on our own pages sends, e.g. `https://cc.example.com`. */
  origin: string;
}

export class Forwarding {
  private readonly trusted: BlockList | 'all' | null;
  private readonly publicOrigin: URL | null;

  constructor(d: Deployment) {
    this.trusted = d.trustProxy === true ? 'all' : d.trustProxy === false ? null : blockList(d.trustProxy);
    this.publicOrigin = d.publicUrl ? parsePublicUrl(d.publicUrl) : null;
  }

  of(c: Context): RequestOrigin {
    const peer = peerAddress(c);
    const believed = peer !== undefined ? this.isTrusted(peer) : this.trusted === 'all';
    const url = new URL(c.req.url);
    const proto = believed ? first(c.req.header('x-forwarded-proto'))?.toLowerCase() : undefined;
    const host = believed ? first(c.req.header('x-forwarded-host')) : undefined;
    const https = this.publicOrigin ? this.publicOrigin.protocol === 'https:' : (proto ?? url.protocol.slice(0, -1)) === 'https';
    const origin = this.publicOrigin ? this.publicOrigin.origin : host ? `${proto ?? url.protocol.slice(0, -1)}://${host}` : url.origin;
    const forwardedFor = believed ? this.clientFromForwardedFor(c.req.header('x-forwarded-for')) : undefined;
    return { ip: forwardedFor ?? peer ?? 'unknown', https, origin };
  }

  private isTrusted(address: string): boolean {
    if (this.trusted === 'all') return true;
    if (!this.trusted) return false;
    const family = isIP(address);
    return family !== 0 && this.trusted.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }

  /** The rightmost address that is not one of our proxies: what the first proxy saw (the left part anyone can write). */
  private clientFromForwardedFor(header: string | undefined): string | undefined {
    const hops = (header ?? '')
      .split(',')
      .map((s) => normalize(s.trim()))
      .filter(Boolean);
    for (let i = hops.length - 1; i >= 0; i--) if (!this.isTrusted(hops[i]!) || i === 0) return hops[i];
    return undefined;
  }
}

/** TELLFLOW_TRUST_PROXY / TELLFLOW_PUBLIC_URL, checked: a mistake stops the server with a message naming it. */
export function deploymentFromEnv(env: NodeJS.ProcessEnv): Partial<Deployment> {
  const out: Partial<Deployment> = {};
  const trust = env.TELLFLOW_TRUST_PROXY?.trim();
  if (trust) {
    const list = trust.split(/[\s,]+/).filter(Boolean);
    blockList(list, 'TELLFLOW_TRUST_PROXY');
    out.trustProxy = list;
  }
  const publicUrl = env.TELLFLOW_PUBLIC_URL?.trim();
  if (publicUrl) {
    parsePublicUrl(publicUrl, 'TELLFLOW_PUBLIC_URL');
    out.publicUrl = publicUrl;
  }
  return out;
}

function blockList(entries: readonly string[], name = 'trustProxy'): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', bits, extra] = entry.split('/');
    const family = isIP(address);
    const prefix = bits === undefined ? (family === 6 ? 128 : 32) : Number(bits);
    const max = family === 6 ? 128 : 32;
    if (family === 0 || extra !== undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > max) {
      throw new Error(`${name}: "${entry}" is not an IP address or CIDR (e.g. 127.0.0.1, 10.0.0.0/8, ::1)`);
    }
    list.addSubnet(address, prefix, family === 6 ? 'ipv6' : 'ipv4');
  }
  return list;
}

function parsePublicUrl(text: string, name = 'publicUrl'): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`${name}: "${text}" is not a URL (e.g. https://cc.example.com)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`${name}: "${text}" must be an http or https URL`);
  return url;
}

function peerAddress(c: Context): string | undefined {
  try {
    const address = getConnInfo(c).remote.address;
    return address ? normalize(address) : undefined;
  } catch {
    // Not running under @hono/node-server (e.g. `app.request()` in tests): no socket to ask.
    return undefined;
  }
}

/** `::ffff:127.0.0.1` (an IPv4 client on a dual-stack socket) is 127.0.0.1. */
const normalize = (address: string) => (address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address);
const first = (header: string | undefined) => header?.split(',')[0]?.trim() || undefined;
