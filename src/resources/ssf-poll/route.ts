// POST /ssf/poll/{stream_id}: the poll endpoint of a poll stream (RFC 8936 §2.4), for callers allowed events:manage.
import { Hono } from 'hono';
import { z } from 'zod';
import { EVENTS_MANAGE } from '../../auth/permissions.js';
import type { AppEnv } from '../../http/env.js';
import { readScimBody } from '../../http/middleware/scim-body.js';
import { ScimError } from '../../scim/errors.js';
import { can } from '../context.js';
import { MAX_POLL_ACKS, type PollService } from './service.js';

/** The poll request (RFC 8936 §2.4); every member is optional. */
export const POLL_REQUEST = z.object({
  maxEvents: z.number().int().min(0).optional(),
  returnImmediately: z.boolean().optional(),
  ack: z.array(z.string().max(200)).optional(),
  setErrs: z.record(z.string().max(200), z.object({ err: z.string().min(1).max(200), description: z.string().max(2000).optional() })).optional(),
});

export function pollRoutes(service: PollService) {
  const app = new Hono<AppEnv>();
  app.post('/:streamId', async (c) => {
    const actor = c.var.actor;
    if (!can(actor, EVENTS_MANAGE)) {
      throw ScimError.forbidden(
        actor.kind === 'token'
          ? `Polling events needs the "${EVENTS_MANAGE}" scope, which this API token lacks; use a token without scopes or with --scope ${EVENTS_MANAGE}.`
          : `Polling events needs the "${EVENTS_MANAGE}" permission, which none of your personas grants.`,
      );
    }
    // An empty body is a poll with every default (RFC 8936 §2.4: every member is optional).
    const body = (await c.req.text()).trim() === '' ? {} : await readScimBody(c);
    const parsed = POLL_REQUEST.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const where = issue.path.length > 0 ? `"${issue.path.join('.')}"` : 'The poll request';
      throw ScimError.invalidValue(
        `${where}: ${issue.message}. A poll request is {"maxEvents": n, "returnImmediately": true|false, "ack": [jti...], "setErrs": {jti: {"err": ..., "description": ...}}} (RFC 8936 §2.4).`,
      );
    }
    const request = parsed.data;
    if ((request.ack?.length ?? 0) + Object.keys(request.setErrs ?? {}).length > MAX_POLL_ACKS) {
      throw ScimError.invalidValue(`A poll acknowledges or reports at most ${MAX_POLL_ACKS} SETs; send the rest with the next poll.`);
    }
    const result = await service.poll(c.var.tenantId!, c.req.param('streamId'), request, c.req.raw.signal);
    return c.json(result, 200, { 'Cache-Control': 'no-store' });
  });
  return app;
}
