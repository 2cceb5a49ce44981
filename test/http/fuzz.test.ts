// Random and hostile requests at every endpoint through the real app: no answer is a 5xx, and a refused write changes nothing.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printFilter } from '../../src/scim/filter/print.js';
import { filterish, filterTree } from '../scim/filter/arbitraries.js';
import { ENTERPRISE_SCHEMA, GROUP_SCHEMA, USER_SCHEMA, createTestContext, groupBody, userBody, type TestContext } from '../helpers/app.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const SEARCH_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const ACCOUNT_SCHEMA = 'urn:usher:params:scim:schemas:extension:account:2.0:User';
const PASSWORD = 'correct horse battery staple';
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

let t: TestContext;
let session: string;

beforeAll(async () => {
  t = await createTestContext();
  for (const name of ['alice@example.com', 'bob@example.com', 'carol@example.com', 'dave@example.com']) {
    const created = await t.client.request('POST', '/Users', userBody(name, { emails: [{ value: name, type: 'work', primary: true }] }));
    expect(created.status).toBe(201);
  }
  const me = await t.client.request('POST', '/Users', userBody('me@example.com', { password: PASSWORD }));
  for (const name of ['Fuzzers', 'Testers', 'Breakers']) {
    const group = await t.client.request('POST', '/Groups', groupBody(name));
    expect(group.status).toBe(201);
  }
  const login = await t.app.request('/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ tenant: 'acme', userName: 'me@example.com', password: PASSWORD }),
  });
  session = ((await login.json()) as { token: string }).token;
  expect(me.status).toBe(201);
}, 60_000);
afterAll(() => t.close());

/** The tenant's resources, their versions and memberships: what a refused write must leave as it was. */
async function snapshot(): Promise<string> {
  const tenant = [t.client.tenantId];
  const rows = await Promise.all([
    t.store.query('select id, version::text, user_name from users where tenant_id = $1 order by id', tenant),
    t.store.query('select id, version::text, display_name from groups where tenant_id = $1 order by id', tenant),
    t.store.query('select group_id, user_id from group_members where tenant_id = $1 order by 1, 2', tenant),
    t.store.query('select group_id, member_group_id from group_subgroups where tenant_id = $1 order by 1, 2', tenant),
  ]);
  return JSON.stringify(rows);
}

// Strings as an attacker picks them: NUL, lone surrogates, long, binary, and ordinary ones.
const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom('99999999999999999999', '2147483648', '-1', '\u0000', 'a\u0000b', '\ud800', 'x\udfff', '\udc00\ud800', '😀', 'True', 'False', '', ' ', '%00', "'; drop table users; --"),
  fc.constantFrom(2000, 3000, 9000).chain((n) => fc.constantFrom('x', 'é', '😀').map((c) => c.repeat(n))),
  fc.constantFrom('work', 'home', 'User', 'Group'),
);

const ATTRIBUTE_NAMES = [
  'userName', 'name', 'familyName', 'givenName', 'displayName', 'nickName', 'title', 'active', 'emails', 'phoneNumbers',
  'value', 'type', 'primary', 'display', 'externalId', 'members', 'groups', 'roles', 'addresses', 'x509Certificates',
  'password', 'schemas', 'id', 'meta', 'photos', 'profileUrl', 'locale', 'employeeNumber', 'manager', '$ref',
  ENTERPRISE_SCHEMA, `${ENTERPRISE_SCHEMA}:department`, ACCOUNT_SCHEMA, 'permissions', 'description',
];
const key = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...ATTRIBUTE_NAMES) }, { weight: 1, arbitrary: hostileString });

/** A stand-in for one of the tenant's own ids, replaced when the request is sent (see withIds), since ids come and go. */
const ownId: fc.Arbitrary<string> = fc.tuple(fc.constantFrom('user', 'group'), fc.nat(99)).map(([kind, i]) => `@@${kind}${i}@@`);

/** One of the tenant's own ids, a stranger's, or junk. */
const idish: fc.Arbitrary<string> = fc.oneof({ weight: 4, arbitrary: ownId }, { weight: 1, arbitrary: fc.uuid() }, { weight: 1, arbitrary: hostileString });

const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    hostileString,
    fc.integer(),
    fc.constantFrom(1e20, -1e20, 2 ** 31, 2 ** 53 + 2, -1, 0, 1.5, 1e-300),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    idish,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 5, noNullPrototype: true }),
  ),
})).value;

/** Values of the types the schemas ask for, with hostile text: what gets past type checks to the limits and the database. */
const plausibleValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.boolean(),
  fc.constantFrom('True', 'False'),
  fc.record({ value: hostileString, type: fc.constantFrom('work', 'home'), primary: fc.boolean() }, { requiredKeys: ['value'], noNullPrototype: true }).map((v) => [v]),
  fc.record({ givenName: hostileString, familyName: hostileString }, { requiredKeys: [], noNullPrototype: true }),
  idish.map((value) => [{ value }]),
);

const resourceBody: fc.Arbitrary<unknown> = fc.oneof(
  fc.record(
    { schemas: fc.constant([USER_SCHEMA, ENTERPRISE_SCHEMA]), userName: hostileString, name: plausibleValue, emails: plausibleValue, active: plausibleValue, externalId: hostileString, [ENTERPRISE_SCHEMA]: fc.record({ department: plausibleValue, manager: idish.map((value) => ({ value })) }, { requiredKeys: [], noNullPrototype: true }) },
    { requiredKeys: ['schemas', 'userName'], noNullPrototype: true },
  ),
  fc
    .tuple(fc.constantFrom([USER_SCHEMA], [GROUP_SCHEMA], [USER_SCHEMA, ENTERPRISE_SCHEMA], [USER_SCHEMA, ACCOUNT_SCHEMA]), fc.dictionary(key, json, { maxKeys: 6, noNullPrototype: true }))
    .map(([schemas, attributes]) => ({ schemas, ...attributes })),
  fc.record({ schemas: fc.constant([USER_SCHEMA]), userName: hostileString }),
  fc.record({ schemas: fc.constant([GROUP_SCHEMA]), displayName: hostileString, members: fc.array(fc.record({ value: idish }), { maxLength: 3 }) }),
  json,
);

const pathText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...ATTRIBUTE_NAMES, 'name.familyName', 'emails[type eq "work"].value', 'members[value eq "x"]', 'emails[primary eq true]'),
  filterish,
  hostileString,
);

const plausiblePatch: fc.Arbitrary<unknown> = fc.record({
  schemas: fc.constant([PATCH_OP]),
  Operations: fc.array(
    fc.record(
      {
        op: fc.constantFrom('add', 'replace', 'remove', 'Replace', 'add', 'replace'),
        path: fc.constantFrom('userName', 'displayName', 'title', 'active', 'emails', 'name', 'name.familyName', 'externalId', 'members', 'emails[type eq "work"].value', `${ENTERPRISE_SCHEMA}:department`),
        value: plausibleValue,
      },
      { requiredKeys: ['op', 'value'], noNullPrototype: true },
    ),
    { minLength: 1, maxLength: 3 },
  ),
});

const patchBody: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 2, arbitrary: plausiblePatch },
  fc.record({
    schemas: fc.constant([PATCH_OP]),
    Operations: fc.array(
      fc.record(
        { op: fc.oneof(fc.constantFrom('add', 'replace', 'remove', 'Add', 'Replace'), hostileString), path: pathText, value: json },
        { requiredKeys: ['op'], noNullPrototype: true },
      ),
      { maxLength: 4 },
    ),
  }),
  { weight: 1, arbitrary: json },
);

const bulkBody: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.record({
    schemas: fc.constant([BULK_REQUEST]),
    failOnErrors: fc.option(fc.oneof(fc.integer(), json), { nil: undefined, freq: 4 }),
    Operations: fc.array(
      fc.record(
        {
          method: fc.oneof(fc.constantFrom('POST', 'PUT', 'PATCH', 'DELETE'), hostileString),
          path: fc.oneof(fc.constantFrom('/Users', '/Groups'), idish.map((id) => `/Users/${id}`), idish.map((id) => `/Groups/${id}`), hostileString),
          bulkId: fc.oneof(fc.constantFrom('a', 'b'), hostileString),
          version: fc.option(hostileString, { nil: undefined, freq: 4 }),
          data: fc.oneof(resourceBody, patchBody),
        },
        { requiredKeys: ['method', 'path'], noNullPrototype: true },
      ),
      { maxLength: 4 },
    ),
  }) },
  { weight: 1, arbitrary: json },
);

const DATE_TIME_ATTRIBUTES = ['meta.created', 'meta.lastModified', `${ACCOUNT_SCHEMA}:lastLogin`, `${ACCOUNT_SCHEMA}:lockedUntil`];
const edgeDateTime = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom('0000-01-01T00:00:00Z', '9999-12-31T23:59:59-14:00', '2026-02-30T00:00:00Z', '2026-01-01T24:00:00Z', '1970-01-01T00:00:00Z') },
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
);
const filterText: fc.Arbitrary<string> = fc.oneof(
  filterTree.map(printFilter),
  filterish,
  hostileString,
  fc.tuple(fc.constantFrom(...DATE_TIME_ATTRIBUTES), fc.constantFrom('eq', 'gt', 'le', 'ne'), edgeDateTime).map(([a, op, v]) => `${a} ${op} "${v}"`),
);

const searchBody: fc.Arbitrary<unknown> = fc.oneof(
  fc.record(
    {
      schemas: fc.constant([SEARCH_REQUEST]),
      filter: fc.oneof(filterText, json),
      attributes: fc.oneof(fc.array(pathText, { maxLength: 3 }), json),
      sortBy: fc.oneof(pathText, json),
      sortOrder: fc.oneof(fc.constantFrom('ascending', 'descending'), json),
      startIndex: json,
      count: json,
      cursor: fc.oneof(hostileString, json),
    },
    { requiredKeys: ['schemas'], noNullPrototype: true },
  ),
  json,
);

/** A query string by hand, so that hostile text reaches the server percent-encoded as a client would send it. */
function encode(text: string): string {
  // A lone surrogate has no UTF-8 form: send the bytes of its would-be encoding, as a broken client might.
  return Array.from(text, (c) => (/[\ud800-\udfff]/.test(c) ? '%ED%A0%80' : encodeURIComponent(c))).join('');
}

const query: fc.Arbitrary<string> = fc
  .tuple(
    fc.option(filterText, { nil: undefined }),
    fc.dictionary(
      fc.oneof(fc.constantFrom('attributes', 'excludedAttributes', 'sortBy', 'sortOrder', 'startIndex', 'count', 'cursor', 'Filter'), hostileString),
      fc.oneof(filterText, pathText, hostileString, fc.integer().map(String), fc.constantFrom('99999999999999999999', '2147483648', '-1', '0', '1e3', 'NaN', '1.5')),
      { maxKeys: 2, noNullPrototype: true },
    ),
  )
  .map(([filter, params]) => {
    const all = { ...(filter === undefined ? {} : { filter }), ...params };
    const text = Object.entries(all).map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&');
    return text ? `?${text}` : '';
  });

// Mostly none, so that most requests get past the headers to the body.
const headers: fc.Arbitrary<Record<string, string>> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({}) },
  {
    weight: 1,
    arbitrary: fc.record(
      {
        'If-Match': fc.oneof(fc.constantFrom('W/"1"', 'W/"2"', '*', '"1"', 'W/"x"', 'W/"99999999999999999999"'), fc.string()),
        'If-None-Match': fc.constantFrom('W/"1"', '*', 'nonsense'),
        'Content-Type': fc.constantFrom('application/scim+json', 'application/json', 'text/plain', 'application/scim+json; charset=utf-16', ''),
        'X-Request-Id': fc.string(),
      },
      { requiredKeys: [], noNullPrototype: true },
    ),
  },
);

type Req = { method: string; path: string; body?: unknown; raw?: string; auth: 'token' | 'session' | 'none' | 'garbage'; headers: Record<string, string> };

const base = fc.constantFrom('/Users', '/Groups');
/** A resource URL: mostly one of the tenant's own of that type. */
const resourceUrl: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom('Users', 'Groups'), fc.oneof({ weight: 4, arbitrary: fc.nat(99) }, { weight: 1, arbitrary: fc.constant(-1) }), idish)
  .map(([type, i, other]) => `/${type}/${i < 0 ? encode(other) : `@@${type === 'Users' ? 'user' : 'group'}${i}@@`}`);

const requests: fc.Arbitrary<Req> = fc.oneof(
  fc.record({ method: fc.constant('POST'), path: base, body: resourceBody }),
  fc.record({ method: fc.constantFrom('PUT', 'PATCH'), path: resourceUrl, body: fc.oneof(resourceBody, patchBody) }),
  { weight: 3, arbitrary: fc.record({ method: fc.constant('PATCH'), path: resourceUrl, body: patchBody }) },
  fc.record({ method: fc.constant('GET'), path: fc.tuple(resourceUrl, query).map(([url, q]) => `${url}${q}`) }),
  // Rare, so that the tenant keeps resources to change.
  { weight: 1, arbitrary: fc.record({ method: fc.constant('DELETE'), path: resourceUrl }) },
  fc.record({ method: fc.constant('GET'), path: fc.tuple(base, query).map(([b, q]) => `${b}${q}`) }),
  fc.record({ method: fc.constant('POST'), path: base.map((b) => `${b}/.search`), body: searchBody }),
  fc.record({ method: fc.constant('POST'), path: fc.constant('/Bulk'), body: bulkBody }),
  fc.record({ method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'), path: fc.tuple(fc.constant('/Me'), query).map(([b, q]) => `${b}${q}`), body: fc.option(json, { nil: undefined }) }),
  fc.record({ method: fc.constantFrom('GET', 'POST'), path: fc.tuple(fc.constantFrom('/Schemas', '/ResourceTypes', '/ServiceProviderConfig', '/Users/x/History', '/History'), query).map(([b, q]) => `${b}${q}`) }),
  fc.record({ method: fc.constantFrom('POST', 'PUT', 'PATCH'), path: fc.constantFrom('/Users', '/Groups', '/Bulk', '/Users/.search'), raw: fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('{', '[]', 'null', '"\\u0000"', '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"\\ud800"}', '['.repeat(5000))) }),
  fc.record({ method: fc.constant('POST'), path: fc.constant('/auth/login'), body: fc.oneof(fc.record({ tenant: fc.oneof(fc.constant('acme'), hostileString), userName: fc.oneof(fc.constant('alice@example.com'), hostileString), password: fc.oneof(hostileString, json) }, { requiredKeys: [], noNullPrototype: true }), json) }),
).chain((request) =>
  fc.record({
    auth:
      request.path === '/auth/login'
        ? fc.constant('none' as const)
        : request.path.startsWith('/Me')
          ? fc.constantFrom('session' as const, 'token' as const)
          : fc.oneof({ weight: 16, arbitrary: fc.constant('token' as const) }, fc.constantFrom('session' as const, 'garbage' as const, 'none' as const)),
    headers,
  }).map((extra) => ({ ...request, ...extra }) as Req),
);

const ids = { user: [] as string[], group: [] as string[] };

/** Puts the tenant's current ids in place of the stand-ins of ownId, in a URL or a JSON text. */
function withIds(text: string): string {
  return text.replace(/(?:@@|%40%40)(user|group)(\d+)(?:@@|%40%40)/g, (_, kind: 'user' | 'group', i: string) => {
    const pool = ids[kind];
    return pool.length === 0 ? '2819c223-7f76-453a-919d-413861904646' : pool[Number(i) % pool.length]!;
  });
}

let refills = 0;

/**
 * Reads the tenant's ids for withIds, first putting back a few users and groups if the requests before deleted them,
 * so that later requests find some to change.
 */
async function refreshIds(): Promise<void> {
  const read = async () => {
    const [row] = await t.store.query<{ users: string[] | null; groups: string[] | null }>(
      `select (select array_agg(id::text order by id) from users where tenant_id = $1) as users,
              (select array_agg(id::text order by id) from groups where tenant_id = $1) as groups`,
      [t.client.tenantId],
    );
    ids.user = row?.users ?? [];
    ids.group = row?.groups ?? [];
  };
  await read();
  if (ids.user.length >= 4 && ids.group.length >= 4) return;
  for (let i = ids.user.length; i < 4; i++) await t.client.request('POST', '/Users', userBody(`refill${refills++}@example.com`, { emails: [{ value: 'r@example.com' }] }));
  for (let i = ids.group.length; i < 4; i++) await t.client.request('POST', '/Groups', groupBody(`Refill ${refills++}`));
  await read();
}

async function send(request: Req): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = { 'Content-Type': 'application/scim+json', ...request.headers };
  if (headers['Content-Type'] === '') delete headers['Content-Type'];
  if (request.auth === 'token') headers.Authorization = `Bearer ${t.client.token}`;
  if (request.auth === 'session') headers.Authorization = `Bearer ${session}`;
  if (request.auth === 'garbage') headers.Authorization = 'Bearer usher_garbage';
  const json = request.raw ?? (request.body === undefined ? undefined : JSON.stringify(request.body));
  const body = json === undefined ? undefined : withIds(json);
  const url = withIds(request.path.startsWith('/auth') ? request.path : `/scim/v2${request.path}`);
  const response = await t.app.request(url, { method: request.method, headers, ...(body !== undefined && request.method !== 'GET' ? { body } : {}) });
  return { status: response.status, text: await response.text() };
}

const seen = new Map<string, number>();

describe('fuzzing every endpoint', () => {
  it(`no input gets a 5xx, and a refused write changes nothing (${RUNS} requests)`, async () => {
    await fc.assert(
      fc.asyncProperty(requests, async (request) => {
        await refreshIds();
        const write = request.method !== 'GET';
        const before = write ? await snapshot() : '';
        const { status, text } = await send(request);
        if (process.env.FUZZ_STATS) seen.set(`${request.method} ${request.path.split(/[/?]/)[1]} ${status}`, (seen.get(`${request.method} ${request.path.split(/[/?]/)[1]} ${status}`) ?? 0) + 1);
        // RFC 7644 §3.11: /Me for a subject that is no resource (an API token) is 501 by design, not a fault.
        const meForToken = request.path.startsWith('/Me') && request.auth === 'token' && status === 501;
        if (!meForToken) expect(status, `${request.method} ${request.path}: ${text.slice(0, 500)}`).toBeLessThan(500);
        if (request.path === '/Bulk' && status === 200) {
          const operations = (JSON.parse(text) as { Operations: { status: string }[] }).Operations;
          for (const operation of operations) expect(Number(operation.status), text.slice(0, 500)).toBeLessThan(500);
        }
        // A failed sign-in counts against the account; every other refusal leaves the tenant as it was.
        const refused = status >= 400 && !(request.path === '/auth/login' && status === 401);
        if (refused && write) expect(await snapshot(), `${request.method} ${request.path} ${status}: ${text.slice(0, 300)}`).toBe(before);
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
    if (process.env.FUZZ_STATS) console.log([...seen].sort().map(([k, v]) => `${k}: ${v}`).join('\n'));
  }, 120_000);
});
