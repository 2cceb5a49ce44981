// The HTTP face of the SSF management API (OpenID SSF 1.0 §8.1), mounted at /ssf behind bearer authentication and
// events:manage: /ssf/streams (configuration), /ssf/status, /ssf/verify. Answers are application/json, as SSF says;
// errors are SCIM errors, as everywhere in Usher's API.
import { Hono, type Context } from 'hono';
import type { SecurityLog } from '../../auth/security-log.js';
import type { AppEnv } from '../../http/env.js';
import { readScimBody } from '../../http/middleware/scim-body.js';
import { scimError } from '../../http/responses.js';
import { ScimError } from '../../scim/errors.js';
import { TooSoonError, type StreamRequestContext, type StreamsService } from './service.js';

export const STREAMS_PATH = '/streams';
export const STATUS_PATH = '/status';
export const VERIFY_PATH = '/verify';

/** The tenant bearer authentication found, and the request id. */
const contextOf = (c: Context<AppEnv>): StreamRequestContext => ({ tenantId: c.var.tenantId!, requestId: c.var.requestId });

/** The stream_id query parameter, once; undefined when absent. */
function streamIdParam(c: Context, required: boolean): string | undefined {
  const values = c.req.queries('stream_id');
  if (values !== undefined && values.length > 1) throw ScimError.invalidValue('Query parameter "stream_id" is given more than once.');
  const id = values?.[0];
  if (id === undefined && required) throw ScimError.invalidValue(`${c.req.method} ${c.req.path} needs the stream_id query parameter (GET /ssf/streams lists the streams).`);
  return id;
}

/** What the security log says of a stream: its id and delivery (the endpoint's host only: a URL may carry a secret). */
function streamFields(stream: Record<string, unknown>): Record<string, string> {
  const delivery = stream.delivery as { method: string; endpoint_url: string };
  return { streamId: stream.stream_id as string, method: delivery.method, endpointHost: new URL(delivery.endpoint_url).host };
}

export function streamRoutes(service: StreamsService, publicUrl: string, securityLog: SecurityLog) {
  const app = new Hono<AppEnv>();
  /** Every change to where and whether a tenant's changes are sent, with who made it. */
  const record = (c: Context<AppEnv>, event: 'stream.created' | 'stream.changed' | 'stream.deleted' | 'stream.statusChanged', fields: Record<string, string>) =>
    securityLog.record(event, { ...c.var.requestMeta, requestId: c.var.requestId }, { tenant: c.var.tenantId, by: c.var.actor.kind, actorId: c.var.actor.id, ...fields });

  app.post(STREAMS_PATH, async (c) => {
    const stream = await service.create(contextOf(c), await readScimBody(c));
    record(c, 'stream.created', streamFields(stream));
    return c.json(stream, 201, { Location: `${publicUrl}/ssf${STREAMS_PATH}?stream_id=${stream.stream_id as string}` });
  });

  // SSF 1.0 §8.1.1.2: one stream by stream_id, or the list of the tenant's streams (empty when it has none).
  app.get(STREAMS_PATH, async (c) => {
    const id = streamIdParam(c, false);
    return c.json(id === undefined ? await service.list(contextOf(c)) : await service.get(contextOf(c), id));
  });

  for (const [method, mode] of [
    ['patch', 'patch'],
    ['put', 'replace'],
  ] as const) {
    app[method](STREAMS_PATH, async (c) => {
      const stream = await service.update(contextOf(c), await readScimBody(c), mode);
      record(c, 'stream.changed', streamFields(stream));
      return c.json(stream);
    });
  }

  app.delete(STREAMS_PATH, async (c) => {
    const id = streamIdParam(c, true)!;
    await service.delete(contextOf(c), id);
    record(c, 'stream.deleted', { streamId: id });
    return c.body(null, 204);
  });

  app.get(STATUS_PATH, async (c) => {
    if (c.req.query('subject') !== undefined) throw ScimError.invalidValue('Usher keeps one status per stream, not per subject; leave subject out.');
    return c.json(await service.status(contextOf(c), streamIdParam(c, true)!));
  });

  app.post(STATUS_PATH, async (c) => {
    const status = await service.setStatus(contextOf(c), await readScimBody(c));
    record(c, 'stream.statusChanged', { streamId: status.stream_id, status: status.status });
    return c.json(status);
  });

  app.post(VERIFY_PATH, async (c) => {
    try {
      await service.verify(contextOf(c), await readScimBody(c));
    } catch (error) {
      if (error instanceof TooSoonError) return scimError(c, error, { 'Retry-After': String(error.retryAfterSeconds) });
      throw error;
    }
    return c.body(null, 204);
  });

  return app;
}
