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
  result: { resource: unknown; version: number; location: string },
  status: 200 | 201 = 200,
): Response {
  return scimJson(c, result.resource, status, {
    ETag: etagOf(result.version),
    ...(status === 201 ? { Location: result.location } : {}),
  });
}

export function scimError(c: Context, error: ScimError, headers: Record<string, string> = {}): Response {
  return c.body(JSON.stringify(error), error.status as 400, { 'Content-Type': SCIM_CONTENT_TYPE, ...headers });
}
