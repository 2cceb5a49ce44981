// Reads a SCIM request body: JSON with a SCIM or JSON media type (RFC 7644 §3.1, §8.1). The size is capped before, by bodyLimit.
import type { Context } from 'hono';
import { ScimError } from '../../scim/errors.js';

const ACCEPTED = /^application\/(scim\+)?json$/i;

/** Parses the body as JSON; any media type other than application/scim+json or application/json is 415. */
export async function readScimBody(c: Context): Promise<unknown> {
  const contentType = c.req.header('content-type');
  const mediaType = contentType?.split(';')[0]?.trim();
  if (mediaType && !ACCEPTED.test(mediaType)) {
    throw ScimError.unsupportedMediaType(`Content-Type must be application/scim+json or application/json, got "${mediaType}".`);
  }
  const text = await c.req.text();
  if (text.trim() === '') throw ScimError.invalidSyntax('The request body is empty; a JSON object is required.');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw ScimError.invalidSyntax(`The request body is not valid JSON: ${(error as Error).message}.`);
  }
}
