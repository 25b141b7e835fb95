/** The client's address, for per-address sign-in limits: the socket's, or what trusted proxies say. */
import type { Context } from 'hono';
import type { Forwarding } from '../http/forwarded.ts';

export const clientIp = (c: Context, forwarding: Forwarding): string => forwarding.of(c).ip;
