// GET /openapi.json through the real app: a valid OpenAPI 3.1 document that lists exactly the routes the app serves,
// and whose schemas accept the bodies the app accepts (and refuse some it refuses).
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BULK_REQUEST_SCHEMA } from '../../src/scim/bulk/request.js';
import { PATCH_OP_SCHEMA } from '../../src/scim/patch/parse.js';
import { ENTERPRISE_SCHEMA, createTestContext, groupBody, postJson, userBody, type TestContext } from '../helpers/app.js';

type Doc = { openapi: string; paths: Record<string, Record<string, any>>; components: { schemas: Record<string, unknown> } };

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/**
 * Entries of `app.routes` that are not API operations, each left out on purpose:
 * - method ALL: middleware (`use`: request id, access log, bearer auth, body limits, discovery's filter refusal) and the
 *   405 refusals of /Me and /History, which answer every method the path does not serve;
 * - the admin console (GET /admin, /admin/*, /admin/assets/:name) and the pages behind the reset and welcome links
 *   (GET /reset, /welcome): HTML and static files for a browser, a client of the API rather than part of it;
 * - GET /: a redirect to /admin.
 */
const NOT_API = new Set(['GET /', 'GET /admin', 'GET /admin/*', 'GET /admin/assets/:name', 'GET /reset', 'GET /welcome']);

/** The operations `app.routes` registers, as `METHOD /path/{param}`. */
function servedOperations(ctx: TestContext): Set<string> {
  const served = new Set<string>();
  for (const route of ctx.app.routes) {
    if (route.method === 'ALL') continue;
    const key = `${route.method} ${route.path}`;
    if (NOT_API.has(key)) continue;
    served.add(`${route.method} ${route.path.replace(/:(\w+)/g, '{$1}')}`);
  }
  return served;
}

function documentedOperations(doc: Doc): Set<string> {
  const documented = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of Object.keys(item)) if (METHODS.includes(method)) documented.add(`${method.toUpperCase()} ${path}`);
  }
  return documented;
}

async function fetchDocument(ctx: TestContext): Promise<Doc> {
  const response = await ctx.app.request('/openapi.json');
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json\b/);
  return (await response.json()) as Doc;
}

const ROOT = 'urn:usher:openapi';

/** Ajv over the document's schemas, in JSON Schema 2020-12 (OpenAPI 3.1's dialect), strict about unknown keywords. */
function schemaValidator(doc: Doc) {
  // `#/components/schemas/X` becomes an absolute reference into one schema holding them all as $defs.
  const rewritten = JSON.parse(JSON.stringify(doc).replaceAll('"#/components/schemas/', `"${ROOT}#/$defs/`)) as Doc;
  // Formats are annotations here: Ajv would otherwise need ajv-formats to know date-time.
  const ajv = new Ajv2020({ strict: true, strictTypes: false, strictRequired: false, validateFormats: false, allErrors: true });
  ajv.addSchema({ $id: ROOT, $defs: rewritten.components.schemas });
  return {
    named: (name: string): ValidateFunction => ajv.getSchema(`${ROOT}#/$defs/${name}`)!,
    requestBody: (method: string, path: string): ValidateFunction => {
      const content = rewritten.paths[path]![method]!.requestBody.content as Record<string, { schema: object }>;
      return ajv.compile(Object.values(content)[0]!.schema);
    },
    compileAll: () => Object.keys(rewritten.components.schemas).map((name) => ajv.getSchema(`${ROOT}#/$defs/${name}`)),
  };
}

function expectValid(validate: ValidateFunction, data: unknown): void {
  const valid = validate(data);
  expect(valid, JSON.stringify(validate.errors, null, 1)).toBe(true);
}

describe('GET /openapi.json', () => {
  let ctx: TestContext;
  let doc: Doc;
  beforeAll(async () => {
    ctx = await createTestContext();
    doc = await fetchDocument(ctx);
  });
  afterAll(() => ctx.close());

  it('answers without a token, as a valid OpenAPI 3.1 document whose references all resolve', async () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors, JSON.stringify(result.errors, null, 1)).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    // resolveRefs throws on a $ref that points nowhere.
    expect(() => validator.resolveRefs()).not.toThrow();
  });

  it('holds schemas that are valid JSON Schema 2020-12', () => {
    const compiled = schemaValidator(doc).compileAll();
    expect(compiled.length).toBeGreaterThan(15);
    expect(compiled.every((validate) => typeof validate === 'function')).toBe(true);
  });

  it('documents every route the app serves, and nothing else', () => {
    const served = servedOperations(ctx);
    const documented = documentedOperations(doc);
    expect([...served].filter((op) => !documented.has(op)), 'served but not documented').toEqual([]);
    expect([...documented].filter((op) => !served.has(op)), 'documented but not served').toEqual([]);
    // Without METRICS_TOKEN there is no /metrics, so the document has none either.
    expect(served.has('GET /metrics')).toBe(false);
    expect(served.size).toBeGreaterThan(40);
  });

  it('describes SCIM errors with the RFC 7644 §3.12 Error schema, and /auth errors with the JSON error', async () => {
    const { named } = schemaValidator(doc);
    const missing = await ctx.client.request('GET', '/Users/no-such-id');
    expect(missing.status).toBe(404);
    expect(doc.paths['/scim/v2/Users/{id}']!.get.responses['404']).toEqual({ $ref: '#/components/responses/ScimNotFound' });
    expectValid(named('Error'), missing.body);
    const badFilter = await ctx.client.request('GET', '/Users?filter=userName%20zz%20%22x%22');
    expect(badFilter.body.scimType).toBe('invalidFilter');
    expectValid(named('Error'), badFilter.body);

    const refused = await postJson(ctx.app, '/auth/login', { tenant: 'acme', userName: 'nobody', password: 'wrong password here' });
    expect(refused.status).toBe(401);
    expectValid(named('JsonError'), refused.body);
  });
});

describe('request and answer bodies against their documented schemas', () => {
  let ctx: TestContext;
  let validators: ReturnType<typeof schemaValidator>;
  const password = 'Quartz-lantern 93 drifting Over Fjords';
  beforeAll(async () => {
    ctx = await createTestContext();
    validators = schemaValidator(await fetchDocument(ctx));
  });
  afterAll(() => ctx.close());

  it('POST /scim/v2/Users: a body the app accepts is a valid User, and so is the answer', async () => {
    const body = userBody('ada.lovelace', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE_SCHEMA],
      externalId: 'okta-00u1',
      name: { givenName: 'Ada', familyName: 'Lovelace' },
      displayName: 'Ada Lovelace',
      active: true,
      password,
      emails: [{ value: 'ada@example.com', type: 'work', primary: true }],
      [ENTERPRISE_SCHEMA]: { department: 'Engines', manager: { value: 'x' } },
    });
    const validate = validators.requestBody('post', '/scim/v2/Users');
    expectValid(validate, body);
    const created = await ctx.client.request('POST', '/Users', body);
    expect(created.status).toBe(201);
    expectValid(validators.named('User'), created.body);

    // What the app refuses for want of userName, the schema refuses too: the check can fail.
    const { userName: _userName, ...nameless } = body;
    expect((await ctx.client.request('POST', '/Users', nameless)).status).toBe(400);
    expect(validate(nameless)).toBe(false);
  });

  it('POST /auth/login: a body the app accepts matches the schema zod gave, and so does the grant', async () => {
    const created = await ctx.client.request('POST', '/Users', userBody('grace', { password }));
    expect(created.status).toBe(201);
    const body = { tenant: 'acme', userName: 'grace', password };
    const validate = validators.requestBody('post', '/auth/login');
    expectValid(validate, body);
    const login = await postJson(ctx.app, '/auth/login', body);
    expect(login.status).toBe(200);
    expectValid(validators.named('SessionGrant'), login.body);

    const { password: _password, ...withoutPassword } = body;
    expect((await postJson(ctx.app, '/auth/login', withoutPassword)).status).toBe(400);
    expect(validate(withoutPassword)).toBe(false);
  });

  it('PATCH, Bulk, .search and temporary-password bodies the app accepts match theirs', async () => {
    const group = await ctx.client.request('POST', '/Groups', groupBody('Pilots'));
    expect(group.status).toBe(201);
    expectValid(validators.named('Group'), group.body);

    const patch = { schemas: [PATCH_OP_SCHEMA], Operations: [{ op: 'Replace', path: 'displayName', value: 'Navigators' }] };
    expectValid(validators.requestBody('patch', '/scim/v2/Groups/{id}'), patch);
    expect((await ctx.client.request('PATCH', `/Groups/${group.body.id}`, patch)).status).toBe(204);

    const bulk = {
      schemas: [BULK_REQUEST_SCHEMA],
      Operations: [
        { method: 'POST', path: '/Users', bulkId: 'u1', data: userBody('bulk.one') },
        { method: 'PATCH', path: `/Groups/${group.body.id}`, data: { schemas: [PATCH_OP_SCHEMA], Operations: [{ op: 'add', path: 'members', value: [{ value: 'bulkId:u1' }] }] } },
      ],
    };
    expectValid(validators.requestBody('post', '/scim/v2/Bulk'), bulk);
    const bulkAnswer = await ctx.client.request('POST', '/Bulk', bulk);
    expect(bulkAnswer.status).toBe(200);
    expect(bulkAnswer.body.Operations.map((op: { status: string }) => op.status)).toEqual(['201', '204']);
    expectValid(validators.named('BulkResponse'), bulkAnswer.body);

    const search = { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'userName sw "bulk"', attributes: ['userName'], count: 5 };
    expectValid(validators.requestBody('post', '/scim/v2/Users/.search'), search);
    const found = await ctx.client.request('POST', '/Users/.search', search);
    expect(found.status).toBe(200);
    expectValid(validators.named('UserListResponse'), found.body);
    expectValid(validators.requestBody('post', '/scim/v2/.search'), search);
    const everything = await ctx.client.request('POST', '/.search', { ...search, filter: undefined });
    expect(everything.status).toBe(200);
    expectValid(validators.named('SearchListResponse'), everything.body);

    const user = await ctx.client.request('GET', '/Users?filter=userName%20eq%20%22bulk.one%22');
    const temporary = { password };
    expectValid(validators.requestBody('post', '/scim/v2/Users/{id}/temporary-password'), temporary);
    expect((await ctx.client.request('POST', `/Users/${user.body.Resources[0].id}/temporary-password`, temporary)).status).toBe(204);
    const stray = { password, note: 'x' };
    expect((await ctx.client.request('POST', `/Users/${user.body.Resources[0].id}/temporary-password`, stray)).status).toBe(400);
    expect(validators.requestBody('post', '/scim/v2/Users/{id}/temporary-password')(stray)).toBe(false);
  });

  it('SSF stream bodies the app accepts match theirs, and so do its answers', async () => {
    const body = { delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: 'http://127.0.0.1:9/events', authorization_header: 'Bearer x' }, events_requested: ['urn:ietf:params:scim:event:prov:create:full'] };
    expectValid(validators.requestBody('post', '/ssf/streams'), body);
    const created = await postJson(ctx.app, '/ssf/streams', body, ctx.client.token);
    expect(created.status).toBe(201);
    expectValid(validators.named('StreamConfiguration'), created.body);
    const configuration = await (await ctx.app.request('/.well-known/ssf-configuration')).json();
    expectValid(validators.named('TransmitterConfiguration'), configuration);
    const status = await postJson(ctx.app, '/ssf/status', { stream_id: created.body.stream_id, status: 'paused' }, ctx.client.token);
    expect(status.status).toBe(200);
    expectValid(validators.named('StreamStatus'), status.body);
    // What the app refuses (a number for events_requested), the schema refuses too.
    const bad = { ...body, events_requested: 7 };
    expect((await postJson(ctx.app, '/ssf/streams', bad, ctx.client.token)).status).toBe(400);
    expect(validators.requestBody('post', '/ssf/streams')(bad)).toBe(false);
  });

  it('discovery answers match their schemas', async () => {
    for (const [path, name] of [
      ['/ServiceProviderConfig', 'ServiceProviderConfig'],
      ['/ResourceTypes', 'ResourceTypeListResponse'],
      ['/Schemas', 'SchemaListResponse'],
      ['/History', 'HistoryEntryListResponse'],
    ] as const) {
      const answer = await ctx.client.request('GET', path);
      expect(answer.status, path).toBe(200);
      expectValid(validators.named(name), answer.body);
    }
  });
});

describe('with METRICS_TOKEN', () => {
  let ctx: TestContext;
  beforeAll(async () => (ctx = await createTestContext({ metricsToken: 'm'.repeat(43) })));
  afterAll(() => ctx.close());

  it('documents GET /metrics, which the app then serves', async () => {
    const doc = await fetchDocument(ctx);
    expect(servedOperations(ctx).has('GET /metrics')).toBe(true);
    expect(documentedOperations(doc)).toEqual(servedOperations(ctx));
    expect(doc.paths['/metrics']!.get.security).toEqual([{ metricsToken: [] }]);
  });
});
