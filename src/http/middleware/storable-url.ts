// Refuses a SCIM request whose URL path or query parameters hold text PostgreSQL cannot store (NUL, lone surrogates), before any route reads them.
import { createMiddleware } from 'hono/factory';
import { ScimError } from '../../scim/errors.js';
import { printable, unstorableCharacter } from '../../scim/text.js';
import type { AppEnv } from '../env.js';

/** Decodes one segment's percent-escapes as Hono's router does, keeping the text as it is where they are not valid UTF-8. */
function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Ids, filters, sortBy, cursors and attribute lists reach SQL as parameters; checking the URL once here spares every
 * route its own check and names what to fix. A URL can only carry such text percent-encoded, hence the decoding.
 */
export function storableUrl() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const url = new URL(c.req.url);
    const pathProblem = url.pathname.split('/').map((segment) => unstorableCharacter(decoded(segment))).find((p) => p !== undefined);
    if (pathProblem) throw ScimError.invalidValue(`The URL path contains ${pathProblem}; no resource has such an id.`);
    for (const [name, values] of Object.entries(c.req.queries())) {
      const problem = unstorableCharacter(name) ?? values.map(unstorableCharacter).find((p) => p !== undefined);
      if (problem) {
        throw ScimError.invalidValue(`Query parameter "${printable(name)}" contains ${problem}, which no parameter can hold; send it without.`);
      }
    }
    await next();
  });
}
