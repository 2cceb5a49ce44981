// The HTTP face of a resource type (RFC 7644 §3.2-§3.6): one route set shared by /Users and /Groups.
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../http/env.js';
import { readScimBody } from '../http/middleware/scim-body.js';
import { scimJson, scimResource } from '../http/responses.js';
import { ScimError } from '../scim/errors.js';
import { parsePrefer } from '../http/prefer.js';
import { parseListParams, type ListParams, type RawListParams } from '../scim/list.js';
import type { ProjectionParams } from '../scim/resource/projection.js';
import { etagOf, matchesIfNoneMatch } from '../scim/resource/version.js';
import type { RequestContext, ResourceService } from './context.js';

const LIST_PARAMS = ['filter', 'startIndex', 'cursor', 'count', 'sortBy', 'sortOrder', 'attributes', 'excludedAttributes'] as const;

/** Query or body parameters by their RFC names, matched case-insensitively (clients send `StartIndex`, `Filter`). */
export function pickParams(source: Record<string, unknown>): Record<(typeof LIST_PARAMS)[number], unknown> {
  const byLower = new Map(Object.entries(source).map(([k, v]) => [k.toLowerCase(), v]));
  return Object.fromEntries(LIST_PARAMS.map((name) => [name, byLower.get(name.toLowerCase())])) as Record<(typeof LIST_PARAMS)[number], unknown>;
}

function queryParams(c: Context): Record<(typeof LIST_PARAMS)[number], unknown> {
  const all = c.req.queries();
  const repeated = Object.entries(all).find(([, values]) => values.length > 1);
  if (repeated) throw ScimError.invalidValue(`Query parameter "${repeated[0]}" is given more than once.`);
  return pickParams(Object.fromEntries(Object.entries(all).map(([k, v]) => [k, v[0]])));
}

function projectionOf(params: Record<string, unknown>): ProjectionParams {
  const asString = (name: string, value: unknown): string | undefined => {
    if (value === undefined) return undefined;
    if (typeof value === 'string') return value;
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(',');
    throw ScimError.invalidValue(`Parameter "${name}" must be a comma-separated list of attribute names.`);
  };
  return {
    attributes: asString('attributes', params.attributes),
    excludedAttributes: asString('excludedAttributes', params.excludedAttributes),
  };
}

/** The preference a list request may state (RFC 7240): its answer without totalResults. */
const OMIT_TOTAL = 'totalResults=omit';

/** A list request's parameters, with what its Prefer header asks of the answer. */
export function listParamsOf(c: Context, raw: RawListParams, maxResults: number): ListParams {
  const params = parseListParams(raw, maxResults);
  return parsePrefer(c.req.header('prefer')).get('totalresults') === 'omit' ? { ...params, omitTotal: true } : params;
}

/** The headers of a list's answer: which preference it honoured, and that it depends on Prefer (RFC 7240 §3). */
export function listHeaders(params: ListParams): Record<string, string> {
  return params.omitTotal ? { 'Preference-Applied': OMIT_TOTAL, Vary: 'Prefer' } : { Vary: 'Prefer' };
}

/** Who asks and for which tenant, as the middleware found it: what every resource service is given with a request. */
export function contextOf(c: Context<AppEnv>): RequestContext {
  return { tenantId: c.var.tenantId!, actor: c.var.actor, requestId: c.var.requestId, ...(c.var.requestMeta ? { meta: c.var.requestMeta } : {}) };
}

export function resourceRoutes(service: ResourceService, options: { maxResults: number }) {
  const app = new Hono<AppEnv>();

  const list = async (c: Context<AppEnv>, raw: RawListParams) => {
    const params = listParamsOf(c, raw, options.maxResults);
    return scimJson(c, await service.list(contextOf(c), params), 200, listHeaders(params));
  };

  app.get('/', (c) => list(c, queryParams(c)));

  // RFC 7644 §3.4.3: the same query, with its parameters in a SearchRequest body.
  app.post('/.search', async (c) => {
    const body = await readScimBody(c);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw ScimError.invalidSyntax('A search request body must be a JSON object.');
    }
    return list(c, pickParams(body as Record<string, unknown>));
  });

  app.post('/', async (c) => {
    const body = await readScimBody(c);
    return scimResource(c, await service.create(contextOf(c), body, projectionOf(queryParams(c))), 201);
  });

  app.get('/:id', async (c) => {
    const result = await service.get(contextOf(c), c.req.param('id'), projectionOf(queryParams(c)));
    if (matchesIfNoneMatch(c.req.header('if-none-match'), result.version)) {
      return c.body(null, 304, { ETag: etagOf(result.version) });
    }
    return scimResource(c, result);
  });

  app.put('/:id', async (c) => {
    const body = await readScimBody(c);
    const result = await service.replace(contextOf(c), c.req.param('id'), body, projectionOf(queryParams(c)), c.req.header('if-match'));
    return scimResource(c, result);
  });

  app.delete('/:id', async (c) => {
    await service.delete(contextOf(c), c.req.param('id'), c.req.header('if-match'));
    return c.body(null, 204);
  });

  app.patch('/:id', async (c) => {
    const body = await readScimBody(c);
    const { version, result } = await service.patch(contextOf(c), c.req.param('id'), body, projectionOf(queryParams(c)), c.req.header('if-match'));
    return result ? scimResource(c, result) : c.body(null, 204, { ETag: etagOf(version) });
  });

  return app;
}
