// Writes SCIM responses: application/scim+json, and the ETag and Location headers of a resource (RFC 7644 §3.1, §3.14).
import type { Context } from 'hono';
import { ScimError } from '../scim/errors.js';
import { etagOf } from '../scim/resource/version.js';

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

export function scimJson(c: Context, body: unknown, status: 200 | 201 = 200, headers: Record<string, string> = {}): Response {
  return c.body(JSON.stringify(body), status, { 'Content-Type': SCIM_CONTENT_TYPE, ...headers });
}

export function scimResource(
  c: Context,
  result: { resource: unknown; body?: AsyncIterable<string>; version: number; location: string },
  status: 200 | 201 = 200,
): Response {
  const headers = { ETag: etagOf(result.version), ...(status === 201 ? { Location: result.location } : {}) };
  if (result.body) return c.body(toStream(result.body), status, { 'Content-Type': SCIM_CONTENT_TYPE, ...headers });
  return scimJson(c, result.resource, status, headers);
}

/** A byte stream that pulls the next piece only when the client has taken the previous one. */
function toStream(pieces: AsyncIterable<string>): ReadableStream<Uint8Array> {
  const iterator = pieces[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await iterator.next();
      if (done) controller.close();
      else controller.enqueue(encoder.encode(value));
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}

export function scimError(c: Context, error: ScimError, headers: Record<string, string> = {}): Response {
  return c.body(JSON.stringify(error), error.status as 400, { 'Content-Type': SCIM_CONTENT_TYPE, ...headers });
}
