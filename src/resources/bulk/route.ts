// The HTTP face of bulk (RFC 7644 §3.7): POST /Bulk answers 200 with a BulkResponse, whatever became of each operation.
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env.js';
import { readScimBody } from '../../http/middleware/scim-body.js';
import { scimJson } from '../../http/responses.js';
import type { BulkService } from './service.js';

export function bulkRoutes(service: BulkService) {
  const app = new Hono<AppEnv>();

  app.post('/', async (c) => {
    const body = await readScimBody(c);
    const ctx = { tenantId: c.var.tenantId!, actor: c.var.actor, requestId: c.var.requestId };
    return scimJson(c, await service.run(ctx, body));
  });

  return app;
}
