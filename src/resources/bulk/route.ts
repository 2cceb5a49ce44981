// The HTTP face of bulk (RFC 7644 §3.7): POST /Bulk answers 200 with a BulkResponse, whatever became of each operation.
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env.js';
import { readScimBody } from '../../http/middleware/scim-body.js';
import { scimJson } from '../../http/responses.js';
import { contextOf } from '../route.js';
import type { BulkService } from './service.js';

export function bulkRoutes(service: BulkService) {
  const app = new Hono<AppEnv>();

  app.post('/', async (c) => {
    const body = await readScimBody(c);
    return scimJson(c, await service.run(contextOf(c), body));
  });

  return app;
}
