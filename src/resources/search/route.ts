// The HTTP face of the search across resource types: POST /.search at the SCIM root (RFC 7644 §3.4.3).
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env.js';
import { readScimBody } from '../../http/middleware/scim-body.js';
import { scimJson } from '../../http/responses.js';
import { ScimError } from '../../scim/errors.js';
import { parseListParams } from '../../scim/list.js';
import { contextOf, pickParams } from '../route.js';
import type { SearchService } from './service.js';

/** Mounted on the SCIM root, behind the check that the caller may read (users:read), as /Users/.search is. */
export function searchRoutes(service: SearchService, options: { maxResults: number }) {
  const app = new Hono<AppEnv>();

  app.post('/.search', async (c) => {
    const body = await readScimBody(c);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw ScimError.invalidSyntax('A search request body must be a JSON object.');
    }
    return scimJson(c, await service.search(contextOf(c), parseListParams(pickParams(body as Record<string, unknown>), options.maxResults)));
  });

  return app;
}
