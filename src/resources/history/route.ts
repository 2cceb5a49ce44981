// The HTTP face of history: GET /History, POST /History/.search, GET /History/{id}, GET /Users/{id}/History; writes are 405.
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../../http/env.js';
import { readScimBody } from '../../http/middleware/scim-body.js';
import { scimError, scimJson } from '../../http/responses.js';
import { ScimError } from '../../scim/errors.js';
import type { HistoryService } from './service.js';
import { contextOf, listHeaders, listParamsOf } from '../route.js';

const PARAMS = ['filter', 'startIndex', 'cursor', 'count', 'sortBy', 'sortOrder', 'attributes', 'excludedAttributes', 'search'] as const;
type Params = Record<(typeof PARAMS)[number], unknown>;

/** Parameters by name, matched case-insensitively as for /Users (clients send `StartIndex`, `Filter`). */
function pick(source: Record<string, unknown>): Params {
  const byLower = new Map(Object.entries(source).map(([k, v]) => [k.toLowerCase(), v]));
  return Object.fromEntries(PARAMS.map((name) => [name, byLower.get(name.toLowerCase())])) as Params;
}

function queryParams(c: Context): Params {
  const all = c.req.queries();
  const repeated = Object.entries(all).find(([, values]) => values.length > 1);
  if (repeated) throw ScimError.invalidValue(`Query parameter "${repeated[0]}" is given more than once.`);
  return pick(Object.fromEntries(Object.entries(all).map(([k, v]) => [k, v[0]])));
}

function searchOf(params: Params): string | undefined {
  if (params.search === undefined) return undefined;
  if (typeof params.search !== 'string') throw ScimError.invalidValue('Parameter "search" must be a string.');
  return params.search;
}

function attributeList(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(',');
  throw ScimError.invalidValue(`Parameter "${name}" must be a comma-separated list of attribute names.`);
}

/** History is written by the server alone, with the changes it records; no request can change or delete it. */
function readOnly(c: Context<AppEnv>): Response {
  return scimError(c, ScimError.methodNotAllowed(`History cannot be changed or deleted; ${c.req.method} is not allowed on ${c.req.path}.`), {
    Allow: 'GET, HEAD',
  });
}

/** Mounted on the SCIM root: it serves /History and /Users/{id}/History, which no /Users route matches. */
export function historyRoutes(service: HistoryService, options: { maxResults: number }) {
  const app = new Hono<AppEnv>();

  app.get('/History', async (c) => {
    const params = queryParams(c);
    const list = listParamsOf(c, params, options.maxResults);
    return scimJson(c, await service.list(contextOf(c), list, searchOf(params)), 200, listHeaders(list));
  });

  // RFC 7644 §3.4.3: the same query with its parameters in a SearchRequest body (and `search` beside them).
  app.post('/History/.search', async (c) => {
    const body = await readScimBody(c);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw ScimError.invalidSyntax('A search request body must be a JSON object.');
    }
    const params = pick(body as Record<string, unknown>);
    const list = listParamsOf(c, params, options.maxResults);
    return scimJson(c, await service.list(contextOf(c), list, searchOf(params)), 200, listHeaders(list));
  });

  app.get('/History/:id', async (c) => {
    const params = queryParams(c);
    const projection = {
      attributes: attributeList('attributes', params.attributes),
      excludedAttributes: attributeList('excludedAttributes', params.excludedAttributes),
    };
    return scimJson(c, await service.get(contextOf(c), c.req.param('id'), projection));
  });

  app.get('/Users/:id/History', async (c) => {
    const params = queryParams(c);
    const list = listParamsOf(c, params, options.maxResults);
    return scimJson(c, await service.listForUser(contextOf(c), c.req.param('id'), list, searchOf(params)), 200, listHeaders(list));
  });

  // Every other method, after the routes above had their turn. `all`, so that the app's table of allowed methods
  // (see allowedMethods) does not count these refusals as methods served.
  app.all('/History', readOnly);
  app.all('/History/:id', readOnly);
  app.all('/Users/:id/History', readOnly);

  return app;
}
