// Reads a SCIM request body: JSON with a SCIM or JSON media type (RFC 7644 §3.1, §8.1). The size is capped before, by bodyLimit.
import type { Context } from 'hono';
import { ScimError } from '../../scim/errors.js';
import { findJsonTextFault } from '../../scim/text.js';

const ACCEPTED = /^application\/(scim\+)?json$/i;

/**
 * Parses the body as JSON; any media type other than application/scim+json or application/json is 415. Text that
 * PostgreSQL cannot store (NUL, lone surrogates) is refused here, once for every route and every attribute, known or not.
 */
export async function readScimBody(c: Context): Promise<unknown> {
  const contentType = c.req.header('content-type');
  const mediaType = contentType?.split(';')[0]?.trim();
  if (mediaType && !ACCEPTED.test(mediaType)) {
    throw ScimError.unsupportedMediaType(`Content-Type must be application/scim+json or application/json, got "${mediaType}".`);
  }
  const text = await c.req.text();
  if (text.trim() === '') throw ScimError.invalidSyntax('The request body is empty; a JSON object is required.');
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch (error) {
    throw ScimError.invalidSyntax(`The request body is not valid JSON: ${(error as Error).message}.`);
  }
  const fault = findJsonTextFault(body);
  if (fault?.kind === 'unstorable') {
    const where = fault.path === '' ? 'The request body' : `Attribute '${fault.path}'`;
    throw ScimError.invalidValue(`${where} contains ${fault.problem}, which cannot be stored; send the text without it.`);
  }
  if (fault?.kind === 'tooDeep') {
    throw ScimError.invalidSyntax(`The request body nests deeper than ${fault.maxDepth} levels at '${fault.path}'; no SCIM message does.`);
  }
  return body;
}
