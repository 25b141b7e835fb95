/**
 * Operations that take no request body refuse one (400) instead of ignoring
 * it: a client that sends one is mistaken about the route. A blank body (what
 * some clients send with every POST) is accepted. The body has been read by
 * then (middleware/settle-body.ts; Node discards a GET's), so the connection
 * stays usable for the next request.
 */
import type { Context } from 'hono';
import { badRequest } from '../errors.ts';
import { isBlank } from './read-json.ts';

export async function refuseBody(c: Context, route: string): Promise<void> {
  const refuse = () => badRequest(`${route} takes no request body`);
  if (c.req.method === 'GET' || c.req.method === 'HEAD') {
    // A GET's body never reaches the fetch Request: what the headers declare is all there is to go by.
    if (c.req.header('transfer-encoding') !== undefined || Number(c.req.header('content-length') ?? 0) > 0) throw refuse();
    return;
  }
  if (!isBlank(new Uint8Array(await c.req.arrayBuffer()))) throw refuse();
}
