// Tells a request whose client went away (closed or reset the connection) from one the server failed.
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

/** True once the client has gone: @hono/node-server aborted the request's signal, or the request stream broke off unfinished. */
export function clientGone(c: Context): boolean {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (incoming) return !incoming.complete && (incoming.destroyed || incoming.readableAborted);
  return c.req.raw.signal.aborted;
}
