// The discovery endpoints (RFC 7644 §4): ServiceProviderConfig, ResourceTypes and Schemas, each also by id.
import { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../../http/env.js';
import { scimJson } from '../../http/responses.js';
import { ScimError } from '../../scim/errors.js';
import { listResponse } from '../../scim/list.js';
import { HISTORY_RESOURCE_TYPE } from '../../scim/schema/history-entry.js';
import { ALL_SCHEMAS, toSchemaRepresentation } from '../../scim/schema/resolve.js';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../../scim/schema/resource-types.js';
import { RESOURCE_TYPE_SCHEMA } from '../../scim/schema/meta-schemas.js';
import type { ResourceTypeDefinition } from '../../scim/schema/types.js';
import { serviceProviderConfig, type Features } from './service-provider-config.js';

const RESOURCE_TYPES: readonly ResourceTypeDefinition[] = [USER_RESOURCE_TYPE, GROUP_RESOURCE_TYPE, HISTORY_RESOURCE_TYPE];

function resourceTypeRepresentation(type: ResourceTypeDefinition, scimBaseUrl: string): Record<string, unknown> {
  return {
    schemas: [RESOURCE_TYPE_SCHEMA.id],
    id: type.id,
    name: type.name,
    endpoint: type.endpoint,
    description: type.description,
    schema: type.schema.id,
    ...(type.schemaExtensions.length > 0
      ? { schemaExtensions: type.schemaExtensions.map((e) => ({ schema: e.schema.id, required: e.required })) }
      : {}),
    meta: { resourceType: 'ResourceType', location: `${scimBaseUrl}/ResourceTypes/${type.id}` },
  };
}

export function discoveryRoutes(features: Features, scimBaseUrl: string) {
  const app = new Hono<AppEnv>();

  // RFC 7644 §4: a filter on these endpoints must not look as if it had been applied.
  const noFilter = createMiddleware<AppEnv>(async (c, next) => {
    if (Object.keys(c.req.queries()).some((name) => name.toLowerCase() === 'filter')) {
      throw ScimError.forbidden('Filtering is not supported on discovery endpoints.');
    }
    await next();
  });
  for (const path of ['/ServiceProviderConfig', '/ResourceTypes', '/ResourceTypes/*', '/Schemas', '/Schemas/*']) app.use(path, noFilter);

  app.get('/ServiceProviderConfig', (c) => scimJson(c, serviceProviderConfig(features, scimBaseUrl)));

  app.get('/ResourceTypes', (c) => {
    const all = RESOURCE_TYPES.map((type) => resourceTypeRepresentation(type, scimBaseUrl));
    return scimJson(c, listResponse(all, all.length, 1));
  });

  app.get('/ResourceTypes/:id', (c) => {
    const id = c.req.param('id');
    const type = RESOURCE_TYPES.find((t) => t.id.toLowerCase() === id.toLowerCase());
    if (!type) throw ScimError.notFound(`Resource type ${id} not found.`);
    return scimJson(c, resourceTypeRepresentation(type, scimBaseUrl));
  });

  app.get('/Schemas', (c) => {
    const all = ALL_SCHEMAS.map((schema) => toSchemaRepresentation(schema, `${scimBaseUrl}/Schemas/${schema.id}`));
    return scimJson(c, listResponse(all, all.length, 1));
  });

  app.get('/Schemas/:id', (c) => {
    const id = c.req.param('id');
    const schema = ALL_SCHEMAS.find((s) => s.id.toLowerCase() === id.toLowerCase());
    if (!schema) throw ScimError.notFound(`Schema ${id} not found.`);
    return scimJson(c, toSchemaRepresentation(schema, `${scimBaseUrl}/Schemas/${schema.id}`));
  });

  return app;
}
