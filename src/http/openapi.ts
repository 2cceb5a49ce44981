// GET /openapi.json: an OpenAPI 3.1 description of /scim/v2, /auth, the health routes and /metrics. The bodies are
// described by the schemas that validate them (the SCIM schema definitions through src/scim/json-schema.ts, the zod
// schemas of /auth through z.toJSONSchema), and test/http/openapi.test.ts checks that the paths are the app's routes.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { z } from 'zod';
import { AUTH_REQUEST_BODIES } from '../auth/route.js';
import { POLL_REQUEST } from '../resources/ssf-poll/route.js';
import { scimJsonSchemas, type JsonSchema } from '../scim/json-schema.js';
import { TOKEN_CREATE_BODY, TOKENS_PREFIX } from '../tenancy/tokens-route.js';
import type { AppEnv } from './env.js';

export const OPENAPI_PATH = '/openapi.json';
const SCIM = '/scim/v2';

export interface OpenApiOptions {
  /** The server's public URL, without /scim/v2 (PUBLIC_URL). */
  readonly serverUrl: string;
  /** Whether GET /metrics is served (METRICS_TOKEN is set): the document lists only what the server answers. */
  readonly metrics: boolean;
  /** The version of Usher; by default the one in package.json. */
  readonly version?: string;
}

type Operation = Record<string, unknown>;
// A path item: its operations by method, and parameters shared by them.
type Paths = Record<string, Record<string, unknown>>;

const ref = (name: string) => `#/components/schemas/${name}`;
const schemaRef = (name: string) => ({ $ref: ref(name) });
const responseRef = (name: string) => ({ $ref: `#/components/responses/${name}` });

// Requests may be sent as either; answers are application/scim+json (RFC 7644 §3.1).
const scimBody = (schema: JsonSchema, description: string, required = true) => ({
  description,
  required,
  content: { 'application/scim+json': { schema }, 'application/json': { schema } },
});
const scimAnswer = (description: string, schema: JsonSchema, headers: Record<string, unknown> = {}) => ({
  description,
  ...(Object.keys(headers).length > 0 ? { headers } : {}),
  content: { 'application/scim+json': { schema } },
});
const jsonAnswer = (description: string, schema: JsonSchema, headers: Record<string, unknown> = {}) => ({
  description,
  ...(Object.keys(headers).length > 0 ? { headers } : {}),
  content: { 'application/json': { schema } },
});

const ETAG = { ETag: { $ref: '#/components/headers/ETag' } };
const RETRY_AFTER = { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } };

/** The SCIM error answers (RFC 7644 §3.12) every route under /scim/v2 can give, after its own. */
const SCIM_ERRORS = {
  '400': responseRef('ScimBadRequest'),
  '401': responseRef('ScimUnauthorized'),
  '403': responseRef('ScimForbidden'),
  '413': responseRef('ScimPayloadTooLarge'),
  '429': responseRef('ScimTooManyRequests'),
  '500': responseRef('ServerError'),
  '503': responseRef('ScimUnavailable'),
};
const NOT_FOUND = { '404': responseRef('ScimNotFound') };
const PRECONDITION = { '412': responseRef('ScimPreconditionFailed') };
const CONFLICT = { '409': responseRef('ScimConflict') };
const MEDIA_TYPE = { '415': responseRef('ScimUnsupportedMediaType') };

const BEARER = [{ bearer: [] }];
/** Either signed in (a session token) or not: the body then carries the token of a step of a sign-in. */
const OPTIONAL_BEARER = [{}, { bearer: [] }];

const param = (name: string) => ({ $ref: `#/components/parameters/${name}` });
const LIST_PARAMS = ['filter', 'startIndex', 'count', 'cursor', 'sortBy', 'sortOrder', 'attributes', 'excludedAttributes', 'Prefer'].map(param);
const PROJECTION = [param('attributes'), param('excludedAttributes')];

function scimOperation(operation: Operation, responses: Record<string, unknown>): Operation {
  return { security: BEARER, ...operation, responses: { ...responses, ...SCIM_ERRORS } };
}

/** /Users or /Groups (RFC 7644 §3.2-§3.6): the same routes for both. */
function resourcePaths(endpoint: 'Users' | 'Groups', type: 'User' | 'Group'): Paths {
  const resource = schemaRef(type);
  const body = schemaRef(`${type}Request`);
  const tag = [endpoint];
  const byId = { parameters: [param('id')] };
  return {
    [`${SCIM}/${endpoint}`]: {
      get: scimOperation(
        { tags: tag, operationId: `list${endpoint}`, summary: `List or filter ${endpoint} (RFC 7644 §3.4.2); needs users:read.`, parameters: LIST_PARAMS },
        { '200': scimAnswer(`A page of ${endpoint}.`, schemaRef(`${type}ListResponse`)) },
      ),
      post: scimOperation(
        {
          tags: tag,
          operationId: `create${type}`,
          summary: `Create a ${type} (RFC 7644 §3.3); needs users:write.`,
          parameters: PROJECTION,
          requestBody: scimBody(body, `The new ${type}.`),
        },
        {
          '201': scimAnswer(`The ${type} as created.`, resource, { ...ETAG, Location: { description: `The URL of the new ${type}.`, schema: { type: 'string' } } }),
          ...CONFLICT,
          ...MEDIA_TYPE,
        },
      ),
    },
    [`${SCIM}/${endpoint}/.search`]: {
      post: scimOperation(
        {
          tags: tag,
          operationId: `search${endpoint}`,
          parameters: [param('Prefer')],
          summary: `Query ${endpoint} with the parameters in the body (RFC 7644 §3.4.3); needs users:read.`,
          requestBody: scimBody(schemaRef('SearchRequest'), 'The query.'),
        },
        { '200': scimAnswer(`A page of ${endpoint}.`, schemaRef(`${type}ListResponse`)), ...MEDIA_TYPE },
      ),
    },
    [`${SCIM}/${endpoint}/{id}`]: {
      ...byId,
      get: scimOperation(
        {
          tags: tag,
          operationId: `get${type}`,
          summary: `Read a ${type} (RFC 7644 §3.4.1); needs users:read.`,
          parameters: [...PROJECTION, param('If-None-Match')],
        },
        { '200': scimAnswer(`The ${type}.`, resource, ETAG), '304': { description: 'Not modified: If-None-Match named its current version.', headers: ETAG }, ...NOT_FOUND },
      ),
      put: scimOperation(
        {
          tags: tag,
          operationId: `replace${type}`,
          summary: `Replace a ${type} (RFC 7644 §3.5.1); needs users:write.`,
          parameters: [...PROJECTION, param('If-Match')],
          requestBody: scimBody(body, `The whole ${type}; attributes left out are cleared.`),
        },
        { '200': scimAnswer(`The ${type} as replaced.`, resource, ETAG), ...NOT_FOUND, ...CONFLICT, ...PRECONDITION, ...MEDIA_TYPE },
      ),
      patch: scimOperation(
        {
          tags: tag,
          operationId: `patch${type}`,
          summary:
            `Change a ${type} (RFC 7644 §3.5.2); needs users:write.` +
            (type === 'User' ? ' A user is locked or unlocked by replacing active; the account extension says why and until when.' : ''),
          parameters: [...PROJECTION, param('If-Match')],
          requestBody: scimBody(schemaRef('PatchOp'), 'The operations, applied in order, all or none.'),
        },
        {
          '200': scimAnswer(`The ${type} as changed.`, resource, ETAG),
          ...(type === 'Group'
            ? { '204': { description: 'Changed; only the new version, unless attributes or excludedAttributes ask for the Group.', headers: ETAG } }
            : {}),
          ...NOT_FOUND,
          ...CONFLICT,
          ...PRECONDITION,
          ...MEDIA_TYPE,
        },
      ),
      delete: scimOperation(
        { tags: tag, operationId: `delete${type}`, summary: `Delete a ${type} (RFC 7644 §3.6); needs users:write.`, parameters: [param('If-Match')] },
        { '204': { description: 'Deleted.' }, ...NOT_FOUND, ...CONFLICT, ...PRECONDITION },
      ),
    },
  };
}

/** The account actions on one User: mail it a link, give it a temporary password, take away its second factor. */
function accountPaths(): Paths {
  const action = (operationId: string, summary: string, responses: Record<string, unknown>, extra: Operation = {}) => ({
    parameters: [param('id')],
    post: scimOperation({ tags: ['Users'], operationId, summary, ...extra }, { ...responses, ...NOT_FOUND }),
  });
  const queued = { '202': { description: 'The mail is queued.' }, '409': responseRef('ScimConflict') };
  return {
    [`${SCIM}/Users/{id}/password-reset`]: action('sendPasswordReset', 'Mail the user a link to choose a new password; needs users:write.', queued),
    [`${SCIM}/Users/{id}/welcome-email`]: action('sendWelcomeEmail', 'Mail the user the welcome mail again, with a link to set a password; needs users:write.', queued),
    [`${SCIM}/Users/{id}/temporary-password`]: action(
      'setTemporaryPassword',
      'Give the user a temporary password, which it must change at its next sign-in; needs users:write.',
      {
        '200': jsonAnswer('The generated password, shown this once.', {
          type: 'object',
          properties: { password: { type: 'string' } },
          required: ['password'],
        }),
        '204': { description: 'The password given in the body is set.' },
      },
      {
        requestBody: scimBody(
          {
            type: 'object',
            description: 'No body or {} generates a password; {"password": ...} sets that one.',
            properties: {
              password: { type: 'string', minLength: 1, maxLength: 1024 },
              schemas: { type: 'array', items: { type: 'string' } },
            },
            additionalProperties: false,
          },
          'The password to set, if not a generated one.',
          false,
        ),
      },
    ),
    [`${SCIM}/Users/{id}/deactivate`]: action(
      'deactivateUser',
      'Deactivate the user: active becomes false with lockReason "deactivated" (not a lock: Unlock does not undo it); needs users:write.',
      { '204': { description: 'The user is deactivated.' }, '409': responseRef('ScimConflict') },
    ),
    [`${SCIM}/Users/{id}/reactivate`]: action('reactivateUser', 'Make a deactivated (or locked) user active again; needs users:write.', {
      '204': { description: 'The user is active.' },
    }),
    [`${SCIM}/Users/{id}/mfa-reset`]: action('resetMfa', "Remove the user's authenticator app and recovery codes; needs users:write.", {
      '204': { description: 'The second factor is removed.' },
    }),
  };
}

function historyPaths(): Paths {
  const listParams = [...LIST_PARAMS, param('search')];
  const tag = ['History'];
  const page = { '200': scimAnswer('A page of history entries.', schemaRef('HistoryEntryListResponse')) };
  return {
    [`${SCIM}/History`]: {
      get: scimOperation({ tags: tag, operationId: 'listHistory', summary: 'List the changes to Users and Groups, newest first; needs users:read.', parameters: listParams }, page),
    },
    [`${SCIM}/History/.search`]: {
      post: scimOperation(
        {
          tags: tag,
          operationId: 'searchHistory',
          parameters: [param('Prefer')],
          summary: 'Query history with the parameters in the body; needs users:read.',
          requestBody: scimBody(
            { allOf: [schemaRef('SearchRequest')], properties: { search: { type: 'string', description: 'Text to look for in the entries.' } } },
            'The query, and text to search for.',
          ),
        },
        { ...page, ...MEDIA_TYPE },
      ),
    },
    [`${SCIM}/History/{id}`]: {
      parameters: [param('id')],
      get: scimOperation(
        { tags: tag, operationId: 'getHistoryEntry', summary: 'Read one history entry; needs users:read.', parameters: PROJECTION },
        { '200': scimAnswer('The entry.', schemaRef('HistoryEntry')), ...NOT_FOUND },
      ),
    },
    [`${SCIM}/Users/{id}/History`]: {
      parameters: [param('id')],
      get: scimOperation({ tags: tag, operationId: 'listUserHistory', summary: "The changes to one User; needs users:read.", parameters: listParams }, { ...page, ...NOT_FOUND }),
    },
  };
}

function discoveryPaths(): Paths {
  const tag = ['Discovery'];
  const open = 'Open to every caller with a valid token or session (RFC 7644 §4); a filter is refused (403).';
  const get = (operationId: string, summary: string, responses: Record<string, unknown>) => ({
    get: scimOperation({ tags: tag, operationId, summary: `${summary} ${open}` }, responses),
  });
  return {
    [`${SCIM}/ServiceProviderConfig`]: get('getServiceProviderConfig', 'What this server supports.', {
      '200': scimAnswer('The configuration.', schemaRef('ServiceProviderConfig')),
    }),
    [`${SCIM}/ResourceTypes`]: get('listResourceTypes', 'The resource types: User, Group, HistoryEntry.', {
      '200': scimAnswer('All resource types.', schemaRef('ResourceTypeListResponse')),
    }),
    [`${SCIM}/ResourceTypes/{id}`]: {
      parameters: [param('id')],
      ...get('getResourceType', 'One resource type.', { '200': scimAnswer('The resource type.', schemaRef('ResourceType')), ...NOT_FOUND }),
    },
    [`${SCIM}/Schemas`]: get('listSchemas', 'The schemas, with every attribute and its characteristics.', {
      '200': scimAnswer('All schemas.', schemaRef('SchemaListResponse')),
    }),
    [`${SCIM}/Schemas/{id}`]: {
      parameters: [param('id')],
      ...get('getSchema', 'One schema, by its URN.', { '200': scimAnswer('The schema.', schemaRef('Schema')), ...NOT_FOUND }),
    },
  };
}

function otherScimPaths(): Paths {
  return {
    [`${SCIM}/Me`]: {
      get: scimOperation(
        {
          tags: ['Me'],
          operationId: 'getMe',
          summary: "The signed-in portal user's own User (RFC 7644 §3.11); read-only, whatever its permissions.",
          parameters: [...PROJECTION, param('If-None-Match')],
        },
        {
          '200': scimAnswer('The User.', schemaRef('User'), ETAG),
          '304': { description: 'Not modified.', headers: ETAG },
          '501': responseRef('ScimNotImplemented'),
        },
      ),
    },
    [`${SCIM}/.search`]: {
      post: scimOperation(
        {
          tags: ['Search'],
          operationId: 'searchAll',
          summary: 'Query Users, Groups and history entries at once (RFC 7644 §3.4.3); needs users:read.',
          requestBody: scimBody(schemaRef('SearchRequest'), 'The query.'),
        },
        { '200': scimAnswer('A page of resources of any type.', schemaRef('SearchListResponse')), ...MEDIA_TYPE },
      ),
    },
    [`${SCIM}/Bulk`]: {
      post: scimOperation(
        {
          tags: ['Bulk'],
          operationId: 'bulk',
          summary: 'Run several operations on Users and Groups (RFC 7644 §3.7); needs users:write.',
          requestBody: scimBody(schemaRef('BulkRequest'), 'The operations.'),
        },
        { '200': scimAnswer('What became of each operation.', schemaRef('BulkResponse')), ...MEDIA_TYPE },
      ),
    },
  };
}

const SSF_TAG = ['Event streams'];
const STREAM_ID = { name: 'stream_id', in: 'query', required: true, description: 'The id of the stream.', schema: { type: 'string' } };

/** The SSF management API (OpenID SSF 1.0 §8.1) and the transmitter's public documents (§7, RFC 7517). */
function ssfPaths(): Paths {
  const ssf = (operation: Operation, responses: Record<string, unknown>) =>
    scimOperation({ tags: SSF_TAG, ...operation }, { ...responses, ...NOT_FOUND });
  const stream = jsonAnswer('The stream configuration.', schemaRef('StreamConfiguration'));
  const body = (description: string) => ({ required: true, description, content: { 'application/json': { schema: schemaRef('StreamRequest') } } });
  const status = jsonAnswer("The stream's status.", schemaRef('StreamStatus'));
  const needs = 'Needs events:manage (a session through its personas; an API token unscoped or with that scope).';
  return {
    '/.well-known/ssf-configuration': {
      get: {
        tags: SSF_TAG,
        operationId: 'ssfConfiguration',
        summary: 'The transmitter configuration (OpenID SSF 1.0 §7): the issuer, the JWKS, the delivery methods and the endpoints below.',
        security: [],
        responses: { '200': jsonAnswer('The configuration.', schemaRef('TransmitterConfiguration')) },
      },
    },
    '/.well-known/jwks.json': {
      get: {
        tags: SSF_TAG,
        operationId: 'jwks',
        summary: "The public keys SETs are signed with (ES256), the current and those retired less than a day ago.",
        security: [],
        responses: {
          '200': {
            description: 'A JWK Set (RFC 7517 §5).',
            content: { 'application/jwk-set+json': { schema: { type: 'object', properties: { keys: { type: 'array', items: { type: 'object' } } }, required: ['keys'] } } },
          },
        },
      },
    },
    '/ssf/streams': {
      get: ssf(
        {
          operationId: 'getStreams',
          summary: `One stream by stream_id, or without it the list of the tenant's streams (SSF 1.0 §8.1.1.2). ${needs}`,
          parameters: [{ ...STREAM_ID, required: false }],
        },
        { '200': jsonAnswer('The stream, or an array of them.', { oneOf: [schemaRef('StreamConfiguration'), { type: 'array', items: schemaRef('StreamConfiguration') }] }) },
      ),
      post: ssf(
        {
          operationId: 'createStream',
          summary: `Create a stream (SSF 1.0 §8.1.1.1): pushed to an https endpoint (RFC 8935) or polled (RFC 8936). ${needs}`,
          requestBody: body('delivery, and optionally events_requested and description.'),
        },
        { '201': stream, '409': responseRef('ScimConflict'), ...MEDIA_TYPE },
      ),
      patch: ssf(
        { operationId: 'updateStream', summary: `Change the members sent; the others stay (SSF 1.0 §8.1.1.3). ${needs}`, requestBody: body('stream_id and the members to change.') },
        { '200': stream, '409': responseRef('ScimConflict'), ...MEDIA_TYPE },
      ),
      put: ssf(
        {
          operationId: 'replaceStream',
          summary: `Replace the configuration: events_requested and description left out are cleared (SSF 1.0 §8.1.1.4). ${needs}`,
          requestBody: body('stream_id, delivery and the rest of the configuration.'),
        },
        { '200': stream, '409': responseRef('ScimConflict'), ...MEDIA_TYPE },
      ),
      delete: ssf(
        { operationId: 'deleteStream', summary: `Delete a stream and what it has not delivered (SSF 1.0 §8.1.1.5). ${needs}`, parameters: [STREAM_ID] },
        { '204': { description: 'Deleted.' } },
      ),
    },
    '/ssf/status': {
      get: ssf({ operationId: 'getStreamStatus', summary: `A stream's status (SSF 1.0 §8.1.2.1). ${needs}`, parameters: [STREAM_ID] }, { '200': status }),
      post: ssf(
        {
          operationId: 'updateStreamStatus',
          summary: `Enable, pause (events are held) or disable (pending events are dropped) a stream (SSF 1.0 §8.1.2.2). ${needs}`,
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { stream_id: { type: 'string' }, status: { type: 'string', enum: ['enabled', 'paused', 'disabled'] }, reason: { type: 'string' } },
                  required: ['stream_id', 'status'],
                  additionalProperties: false,
                },
              },
            },
          },
        },
        { '200': status, ...MEDIA_TYPE },
      ),
    },
    '/ssf/verify': {
      post: ssf(
        {
          operationId: 'verifyStream',
          summary: `Ask for a verification event on the stream, carrying state (SSF 1.0 §8.1.4.2); at most once per min_verification_interval. ${needs}`,
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: { type: 'object', properties: { stream_id: { type: 'string' }, state: { type: 'string' } }, required: ['stream_id'], additionalProperties: false },
              },
            },
          },
        },
        { '204': { description: 'The event is queued for the stream.' }, '409': responseRef('ScimConflict'), ...MEDIA_TYPE },
      ),
    },
  };
}

/** The poll endpoint of a poll stream (RFC 8936 §2.4): acknowledge SETs, report errors, take the next ones. */
function ssfPollPaths(): Paths {
  return {
    '/ssf/poll/{streamId}': {
      post: scimOperation(
        {
          tags: SSF_TAG,
          operationId: 'pollEvents',
          summary:
            'Poll a poll stream (RFC 8936): acknowledge (ack) or report (setErrs) the SETs received, and take the next ones; without returnImmediately, waits up to 30 s for one. Needs events:manage.',
          parameters: [{ name: 'streamId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
          requestBody: { description: 'The poll request; an empty body polls with every default.', required: false, content: { 'application/json': { schema: fromZod(POLL_REQUEST) } } },
        },
        {
          '200': jsonAnswer('The SETs by jti (compact JWS, typ secevent+jwt), and whether more are waiting.', {
            type: 'object',
            properties: {
              sets: { type: 'object', additionalProperties: { type: 'string' } },
              moreAvailable: { type: 'boolean' },
            },
            required: ['sets', 'moreAvailable'],
          }),
          ...NOT_FOUND,
          ...MEDIA_TYPE,
        },
      ),
    },
  };
}

const TOKENS_TAG = ['API tokens'];

/** The console's API for the tenant's API tokens (src/tenancy/tokens-route.ts). */
function tokenPaths(): Paths {
  const needs = 'Needs a session whose personas grant events:manage; an API token is refused (403).';
  const info = {
    type: 'object',
    properties: {
      id: { type: 'string' },
      label: { type: 'string' },
      scopes: { type: ['array', 'null'], items: { type: 'string' } },
      createdAt: { type: 'string', format: 'date-time' },
      lastUsedAt: { type: ['string', 'null'], format: 'date-time' },
      expiresAt: { type: ['string', 'null'], format: 'date-time' },
      revokedAt: { type: ['string', 'null'], format: 'date-time' },
    },
    required: ['id', 'label', 'scopes', 'createdAt', 'lastUsedAt', 'expiresAt', 'revokedAt'],
  };
  return {
    [TOKENS_PREFIX]: {
      get: scimOperation(
        { tags: TOKENS_TAG, operationId: 'listApiTokens', summary: `The tenant's API tokens, revoked ones too, never their secrets. ${needs}` },
        { '200': jsonAnswer('The tokens.', { type: 'object', properties: { tokens: { type: 'array', items: info } }, required: ['tokens'] }) },
      ),
      post: scimOperation(
        {
          tags: TOKENS_TAG,
          operationId: 'createApiToken',
          summary: `Create an API token; the answer is the only one that holds its secret (token). ${needs}`,
          requestBody: { required: true, content: { 'application/json': { schema: fromZod(TOKEN_CREATE_BODY) } } },
        },
        { '201': jsonAnswer('The token, with its secret.', { ...info, properties: { ...info.properties, token: { type: 'string' } }, required: [...info.required, 'token'] }), ...MEDIA_TYPE },
      ),
    },
    [`${TOKENS_PREFIX}/{id}`]: {
      delete: scimOperation(
        {
          tags: TOKENS_TAG,
          operationId: 'revokeApiToken',
          summary: `Revoke an API token at once. ${needs}`,
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        },
        { '204': { description: 'Revoked.' }, ...NOT_FOUND },
      ),
    },
  };
}

/** The schemas of the SSF documents and stream configurations. */
function ssfSchemas(): Record<string, JsonSchema> {
  const uris = { type: 'array', items: { type: 'string' } };
  const delivery = {
    type: 'object',
    properties: {
      method: { type: 'string', enum: ['urn:ietf:rfc:8935', 'urn:ietf:rfc:8936'], description: 'Push (RFC 8935) or poll (RFC 8936).' },
      endpoint_url: { type: 'string', description: "Push: the receiver's https URL. Poll: Usher's poll endpoint for the stream (chosen by Usher)." },
    },
  };
  return {
    TransmitterConfiguration: {
      type: 'object',
      properties: {
        spec_version: { type: 'string' },
        issuer: { type: 'string' },
        jwks_uri: { type: 'string' },
        delivery_methods_supported: uris,
        configuration_endpoint: { type: 'string' },
        status_endpoint: { type: 'string' },
        verification_endpoint: { type: 'string' },
        authorization_schemes: { type: 'array', items: { type: 'object', properties: { spec_urn: { type: 'string' } }, required: ['spec_urn'] } },
        default_subjects: { type: 'string', enum: ['ALL', 'NONE'] },
      },
      required: ['issuer', 'jwks_uri', 'delivery_methods_supported', 'configuration_endpoint'],
    },
    StreamRequest: {
      type: 'object',
      description: 'What a receiver configures. Members Usher supplies (iss, aud, events_supported, ...) may be sent back as read; iss and aud must then be unchanged.',
      properties: {
        stream_id: { type: 'string', description: 'Required for PATCH and PUT; left out on POST.' },
        delivery: {
          ...delivery,
          properties: {
            ...delivery.properties,
            authorization_header: {
              type: ['string', 'null'],
              description: 'Push: the Authorization header Usher sends. Write-only; left out, the one stored is kept for the same endpoint_url; null removes it.',
            },
          },
        },
        events_requested: { ...uris, maxItems: 100 },
        description: { type: ['string', 'null'], maxLength: 1000 },
      },
    },
    StreamConfiguration: {
      type: 'object',
      properties: {
        stream_id: { type: 'string' },
        iss: { type: 'string' },
        aud: { type: 'string', description: 'The aud of the stream\'s SETs, fixed for its life.' },
        delivery: {
          ...delivery,
          properties: { ...delivery.properties, authorization_header_set: { type: 'boolean', description: 'Push: whether an authorization header is stored (it is never shown).' } },
          required: ['method', 'endpoint_url'],
        },
        events_supported: uris,
        events_requested: uris,
        events_delivered: { ...uris, description: 'The requested events Usher supports: what the stream gets.' },
        description: { type: 'string' },
        min_verification_interval: { type: 'integer' },
        status: { type: 'string', enum: ['enabled', 'paused', 'disabled'] },
        reason: { type: 'string' },
        delivered: { type: 'integer' },
        pending: { type: 'integer' },
        failed: { type: 'integer' },
        last_error: { type: ['string', 'null'] },
        last_error_at: { type: ['string', 'null'], format: 'date-time' },
      },
      required: ['stream_id', 'iss', 'aud', 'delivery', 'events_supported', 'events_requested', 'events_delivered', 'status'],
    },
    StreamStatus: {
      type: 'object',
      properties: { stream_id: { type: 'string' }, status: { type: 'string', enum: ['enabled', 'paused', 'disabled'] }, reason: { type: 'string' } },
      required: ['stream_id', 'status'],
    },
  };
}

/** A zod schema as JSON Schema 2020-12, as a request reads it; `$schema` goes: the document states the dialect. */
function fromZod(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

const AUTH_ROUTES: Record<string, { summary: string; security: unknown[]; responses: Record<string, unknown> }> = {
  '/login': {
    summary: 'Sign in with a user name and password. A further step (a code, a new password, setting up a second factor) answers 403 with its token.',
    security: [],
    responses: { '200': responseRef('SessionGrant') },
  },
  '/password': {
    summary: 'Change the password: with the change token of a sign-in whose password was temporary, or signed in with the current password.',
    security: OPTIONAL_BEARER,
    responses: { '200': responseRef('SessionGrant') },
  },
  '/reset': { summary: 'Choose a new password with the token of a reset or welcome link.', security: [], responses: { '204': { description: 'The password is set.' } } },
  '/link': {
    summary: 'Check the token of a reset or welcome link without using it: 400 invalid_token when it is used, expired or replaced.',
    security: [],
    responses: {
      '200': jsonAnswer('The link works: what it is for, and the organization (tenant slug) to sign in to afterwards.', {
        type: 'object',
        properties: { purpose: { type: 'string', enum: ['reset', 'welcome'] }, organization: { type: 'string' } },
        required: ['purpose', 'organization'],
      }),
    },
  },
  '/mfa/verify': {
    summary: 'The second step of a sign-in: a code of the authenticator app, or a recovery code, with the mfaToken login answered.',
    security: [],
    responses: { '200': responseRef('SessionGrant') },
  },
  '/mfa/enrol': {
    summary: 'Start setting up an authenticator app: signed in with the current password, or with the mfaToken of a sign-in that requires one.',
    security: OPTIONAL_BEARER,
    responses: {
      '200': jsonAnswer('The key to enter in the app, and the otpauth:// URI a QR code carries.', {
        type: 'object',
        properties: {
          secret: { type: 'string' },
          uri: { type: 'string' },
          digits: { type: 'integer' },
          period: { type: 'integer' },
          expiresAt: { type: 'string', format: 'date-time' },
        },
        required: ['secret', 'uri', 'digits', 'period', 'expiresAt'],
      }),
    },
  },
  '/mfa/confirm': {
    summary: 'Finish setting up the authenticator app with a code from it; answers the recovery codes (and a session when signing in).',
    security: OPTIONAL_BEARER,
    responses: {
      '200': jsonAnswer('The recovery codes, shown this once, and a session when this finished a sign-in.', {
        type: 'object',
        properties: { recoveryCodes: { type: 'array', items: { type: 'string' } }, session: schemaRef('SessionGrant') },
        required: ['recoveryCodes'],
      }),
    },
  },
  '/mfa/recovery-codes': {
    summary: 'Replace the recovery codes; needs the current password and a code.',
    security: BEARER,
    responses: {
      '200': jsonAnswer('The new recovery codes, shown this once.', {
        type: 'object',
        properties: { recoveryCodes: { type: 'array', items: { type: 'string' } } },
        required: ['recoveryCodes'],
      }),
    },
  },
  '/mfa/disable': {
    summary: 'Turn the second factor off; needs the current password and a code. Refused (403) where the tenant requires one.',
    security: BEARER,
    responses: { '204': { description: 'The second factor is off.' } },
  },
};

const AUTH_ERRORS = {
  '400': responseRef('AuthBadRequest'),
  '401': responseRef('AuthUnauthorized'),
  '403': responseRef('AuthForbidden'),
  '409': responseRef('AuthConflict'),
  '413': responseRef('AuthPayloadTooLarge'),
  '429': responseRef('AuthTooManyRequests'),
  '500': responseRef('ServerError'),
  '503': responseRef('AuthUnavailable'),
};

function authPaths(): Paths {
  const paths: Paths = {};
  for (const [path, body] of Object.entries(AUTH_REQUEST_BODIES)) {
    const route = AUTH_ROUTES[path];
    if (!route) throw new Error(`no description of POST /auth${path}`);
    paths[`/auth${path}`] = {
      post: {
        tags: ['Auth'],
        operationId: `auth${path.replace(/[/-](\w)/g, (_, c: string) => c.toUpperCase())}`,
        summary: route.summary,
        security: route.security,
        requestBody: { required: true, content: { 'application/json': { schema: fromZod(body) } } },
        responses: { ...route.responses, ...AUTH_ERRORS },
      },
    };
  }
  paths['/auth/session'] = {
    get: {
      tags: ['Auth'],
      operationId: 'authSession',
      summary: "Who the session is, what its personas allow, and its second factor's state.",
      security: BEARER,
      responses: {
        '200': jsonAnswer('The session.', {
          type: 'object',
          properties: {
            user: {
              type: 'object',
              properties: { id: { type: 'string' }, userName: { type: 'string' }, displayName: { type: 'string' } },
              required: ['id', 'userName', 'displayName'],
            },
            permissions: { type: 'array', items: { type: 'string' } },
            expiresAt: { type: 'string', format: 'date-time' },
            mfa: {
              type: 'object',
              properties: { enabled: { type: 'boolean' }, required: { type: 'boolean' }, recoveryCodesLeft: { type: 'integer' } },
              required: ['enabled', 'required', 'recoveryCodesLeft'],
            },
          },
          required: ['user', 'permissions', 'expiresAt', 'mfa'],
        }),
        ...AUTH_ERRORS,
      },
    },
  };
  paths['/auth/logout'] = {
    post: {
      tags: ['Auth'],
      operationId: 'authLogout',
      summary: 'End the session.',
      security: BEARER,
      responses: { '204': { description: 'Signed out.' }, ...AUTH_ERRORS },
    },
  };
  return paths;
}

function operationsPaths(options: OpenApiOptions): Paths {
  const status = (values: string[]) => ({ type: 'object', properties: { status: { type: 'string', enum: values } }, required: ['status'] });
  const paths: Paths = {
    '/healthz': {
      get: { tags: ['Operations'], operationId: 'healthz', summary: 'Liveness: the process answers.', security: [], responses: { '200': jsonAnswer('Alive.', status(['ok'])) } },
    },
    '/readyz': {
      get: {
        tags: ['Operations'],
        operationId: 'readyz',
        summary: 'Readiness: the database answers.',
        security: [],
        responses: { '200': jsonAnswer('Ready.', status(['ok'])), '503': jsonAnswer('The database does not answer.', status(['unavailable'])) },
      },
    },
    [OPENAPI_PATH]: {
      get: {
        tags: ['Operations'],
        operationId: 'openapi',
        summary: 'This description of the API.',
        security: [],
        responses: { '200': jsonAnswer('An OpenAPI 3.1 document.', { type: 'object' }) },
      },
    },
  };
  if (options.metrics) {
    paths['/metrics'] = {
      get: {
        tags: ['Operations'],
        operationId: 'metrics',
        summary: "Prometheus metrics, for a scraper that presents METRICS_TOKEN (served only when it is set).",
        security: [{ metricsToken: [] }],
        responses: {
          '200': { description: "Prometheus's text format.", content: { 'text/plain': { schema: { type: 'string' } } } },
          '401': jsonAnswer('No or another token.', schemaRef('JsonError'), {
            'WWW-Authenticate': { description: 'Bearer realm="usher-metrics"', schema: { type: 'string' } },
          }),
        },
      },
    };
  }
  return paths;
}

function components(): Record<string, unknown> {
  const scimError = (description: string, headers: Record<string, unknown> = {}) => scimAnswer(description, schemaRef('Error'), headers);
  const jsonError = (description: string, headers: Record<string, unknown> = {}) => jsonAnswer(description, schemaRef('JsonError'), headers);
  const challenge = { 'WWW-Authenticate': { description: 'Bearer realm="usher"', schema: { type: 'string' } } };
  const queryParam = (name: string, description: string, schema: JsonSchema = { type: 'string' }) => ({ name, in: 'query', required: false, description, schema });
  return {
    securitySchemes: {
      bearer: {
        type: 'http',
        scheme: 'bearer',
        description:
          'An API token (usher token create), for identity providers and other clients, or a portal session token (POST /auth/login), which acts with the permissions of the signed-in user\'s personas.',
      },
      metricsToken: { type: 'http', scheme: 'bearer', description: 'The METRICS_TOKEN the server was started with.' },
    },
    parameters: {
      id: { name: 'id', in: 'path', required: true, description: 'The id of the resource.', schema: { type: 'string' } },
      filter: queryParam('filter', 'A filter expression (RFC 7644 §3.4.2.2), e.g. userName eq "bjensen".'),
      startIndex: queryParam('startIndex', '1-based index of the first result (index paging).', { type: 'integer' }),
      count: queryParam('count', 'The most results to return; capped at filter.maxResults.', { type: 'integer' }),
      cursor: queryParam('cursor', 'RFC 9865 cursor paging: empty for the first page, then a nextCursor.'),
      sortBy: queryParam('sortBy', 'The attribute to sort by.'),
      sortOrder: queryParam('sortOrder', 'ascending or descending.', { type: 'string', enum: ['ascending', 'descending'] }),
      attributes: queryParam('attributes', 'Comma-separated attributes to return (and those always returned).'),
      excludedAttributes: queryParam('excludedAttributes', 'Comma-separated attributes to leave out.'),
      search: queryParam('search', 'Text to look for in the entries (user name, attribute, values, who).'),
      'If-Match': { name: 'If-Match', in: 'header', required: false, description: 'Change only if the resource still has this ETag (else 412).', schema: { type: 'string' } },
      Prefer: {
        name: 'Prefer',
        in: 'header',
        required: false,
        description: 'RFC 7240. `totalResults=omit`: the page without totalResults (answered with Preference-Applied), sooner for a search many match; ask count=0 for the total.',
        schema: { type: 'string' },
      },
      'If-None-Match': { name: 'If-None-Match', in: 'header', required: false, description: 'Answer 304 if the resource still has this ETag.', schema: { type: 'string' } },
    },
    headers: {
      ETag: { description: 'The version of the resource (RFC 7644 §3.14), a weak entity tag.', schema: { type: 'string' } },
      RetryAfter: { description: 'Seconds to wait before trying again.', schema: { type: 'integer' } },
    },
    responses: {
      ScimBadRequest: scimError('The request is malformed: scimType says how (invalidSyntax, invalidFilter, invalidValue, invalidPath, noTarget, mutability, tooMany, invalidCursor, ...).'),
      ScimUnauthorized: scimError('No valid API token or session.', challenge),
      ScimForbidden: scimError('The token or the personas lack the permission the request needs (users:read or users:write; events:manage under /ssf), or the request is not allowed on this resource.'),
      ScimNotFound: scimError('No such resource in this tenant.'),
      ScimConflict: scimError('uniqueness: the userName or displayName is taken; or the change would leave the tenant without an administrator, or the user has no e-mail address.'),
      ScimPreconditionFailed: scimError('If-Match named another version: the resource changed since it was read.'),
      ScimPayloadTooLarge: scimError('The body is larger than maxPayloadSize, or a Bulk request holds more than maxOperations.'),
      ScimUnsupportedMediaType: scimError('The body is not application/scim+json or application/json.'),
      ScimTooManyRequests: scimError('Too many requests for this token (SCIM_RATE_LIMIT), or too many account mails.', RETRY_AFTER),
      ScimNotImplemented: scimError('/Me asked with an API token, which is not a user.'),
      ScimUnavailable: scimError('The database is too busy (the statement timed out; nothing was changed) or password hashing is saturated.', RETRY_AFTER),
      ServerError: scimError('An unexpected error, logged with the request id the detail names. Its body is a SCIM error on every route.'),
      SessionGrant: jsonAnswer('Signed in: the session token.', schemaRef('SessionGrant')),
      AuthBadRequest: jsonError('The body is not JSON or does not match the schema (invalid_request), a link is no longer valid (invalid_token), or the new password is too weak (weak_password).'),
      AuthUnauthorized: jsonError('Wrong credentials, code or token (invalid_credentials, invalid_code, invalid_token), no session (invalid_session) or a session ended after wrong answers (session_ended).', challenge),
      AuthForbidden: jsonError(
        'The sign-in needs another step: password_change_required (with changeToken), mfa_required or mfa_enrolment_required (with mfaToken and expiresAt); or mfa_mandatory.',
      ),
      AuthConflict: jsonError('mfa_not_enabled, or no_pending_enrolment.'),
      AuthPayloadTooLarge: jsonError('The body is larger than 16 KiB.'),
      AuthTooManyRequests: jsonError('Too many failed attempts from this address or for this account (with retryAfter).', RETRY_AFTER),
      AuthUnavailable: jsonError('Busy (password hashing is saturated) or the database is too busy (temporarily_unavailable).', RETRY_AFTER),
    },
    schemas: {
      ...scimJsonSchemas(ref),
      ...ssfSchemas(),
      JsonError: {
        type: 'object',
        description: 'The error of a route outside /scim/v2: a stable code, words for a person, and what the next step needs.',
        properties: {
          error: { type: 'string', description: 'A stable code, such as invalid_credentials.' },
          detail: { type: 'string' },
          changeToken: { type: 'string', description: 'password_change_required: the token for POST /auth/password.' },
          mfaToken: { type: 'string', description: 'mfa_required, mfa_enrolment_required: the token for /auth/mfa/verify or /auth/mfa/enrol.' },
          expiresAt: { type: 'string', format: 'date-time' },
          retryAfter: { type: 'integer', description: 'Seconds to wait.' },
        },
        required: ['error', 'detail'],
      },
      SessionGrant: {
        type: 'object',
        properties: {
          token: { type: 'string', description: 'The session token: send it as Authorization: Bearer <token>.' },
          expiresAt: { type: 'string', format: 'date-time' },
          user: {
            type: 'object',
            properties: { id: { type: 'string' }, userName: { type: 'string' }, displayName: { type: 'string' } },
            required: ['id', 'userName', 'displayName'],
          },
        },
        required: ['token', 'expiresAt', 'user'],
      },
    },
  };
}

/** The version in the package.json two folders up (the repository root, from src/http or dist/http). */
function packageVersion(): string {
  try {
    const manifest = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json'), 'utf8')) as { version?: unknown };
    return typeof manifest.version === 'string' ? manifest.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** The whole description. Paths under /scim/v2 are case-insensitive and take one trailing slash; the document spells them canonically. */
export function openApiDocument(options: OpenApiOptions): Record<string, unknown> {
  return {
    openapi: '3.1.1',
    info: {
      title: 'Usher',
      version: options.version ?? packageVersion(),
      summary: 'SCIM 2.0 provisioning server for customer portals',
      description:
        'SCIM 2.0 (RFC 7643, RFC 7644) under /scim/v2 for identity providers and the admin console, the portal users\' own /auth API, and health checks. ' +
        'Endpoint names under /scim/v2 are matched ignoring case, and a trailing slash is ignored. A method a path does not serve answers 405 with Allow.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: options.serverUrl }],
    tags: [
      { name: 'Users' },
      { name: 'Groups' },
      { name: 'History', description: 'Read-only: written by the server with each change.' },
      { name: 'Search' },
      { name: 'Bulk' },
      { name: 'Me' },
      { name: 'Discovery' },
      { name: 'Auth', description: 'Portal users: sign in, passwords, second factor, sessions.' },
      { name: 'Event streams', description: 'SCIM events (RFC 9967) as signed SETs, configured as the OpenID Shared Signals Framework 1.0 says.' },
      { name: 'API tokens', description: "The tenant's API tokens, for the admin console." },
      { name: 'Operations' },
    ],
    paths: {
      ...discoveryPaths(),
      ...otherScimPaths(),
      ...resourcePaths('Users', 'User'),
      ...accountPaths(),
      ...resourcePaths('Groups', 'Group'),
      ...historyPaths(),
      ...authPaths(),
      ...ssfPaths(),
      ...ssfPollPaths(),
      ...tokenPaths(),
      ...operationsPaths(options),
    },
    components: components(),
  };
}

/** GET /openapi.json, open to all: the document is built once, when the app is. */
export function openApiRoutes(options: OpenApiOptions) {
  const app = new Hono<AppEnv>();
  const body = JSON.stringify(openApiDocument(options));
  app.get(OPENAPI_PATH, (c) => c.body(body, 200, { 'Content-Type': 'application/json; charset=utf-8' }));
  return app;
}
