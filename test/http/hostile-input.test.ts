// Inputs PostgreSQL cannot store or index, and values of the wrong JSON type: each is a 400 naming the attribute, never a 5xx.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ENTERPRISE_SCHEMA,
  createTestContext,
  groupBody,
  userBody,
  type ScimResponse,
  type TestContext,
} from '../helpers/app.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const NUL = '\u0000';
const LONE = '\ud800';

let t: TestContext;
let userId: string;
let groupId: string;

beforeAll(async () => {
  t = await createTestContext();
  const user = await t.client.request('POST', '/Users', userBody('base@example.com'));
  userId = user.body.id;
  const group = await t.client.request('POST', '/Groups', groupBody('Base'));
  groupId = group.body.id;
});
afterAll(() => t.close());

/** Users and groups of the tenant with their versions: what a refused write must leave as it was. */
async function snapshot(): Promise<string> {
  const users = await t.store.query<{ id: string; version: string }>(
    'select id, version::text from users where tenant_id = $1 order by id',
    [t.client.tenantId],
  );
  const groups = await t.store.query<{ id: string; version: string }>(
    'select id, version::text from groups where tenant_id = $1 order by id',
    [t.client.tenantId],
  );
  return JSON.stringify([users, groups]);
}

function expectInvalid(response: ScimResponse, scimType: string, ...words: string[]) {
  expect({ status: response.status, scimType: response.body?.scimType }).toEqual({ status: 400, scimType });
  for (const word of words) expect(response.body.detail).toContain(word);
}

function patch(operations: unknown[]) {
  return { schemas: [PATCH_OP], Operations: operations };
}

describe('NUL characters and lone surrogates', () => {
  const bad = [
    ['a NUL', NUL],
    ['a lone surrogate', LONE],
    ['a lone low surrogate', '\udc00'],
  ] as const;

  describe.each(bad)('%s', (_, char) => {
    it.each([
      ['userName', userBody(`a${char}b`), 'userName'],
      ['name.familyName', userBody('x1', { name: { familyName: `F${char}` } }), 'name.familyName'],
      ['emails[0].value', userBody('x2', { emails: [{ value: `x${char}@example.com` }] }), 'emails[0].value'],
      ['an extension attribute', userBody('x3', { schemas: undefined, [ENTERPRISE_SCHEMA]: { department: char } }), 'department'],
      ['an unknown attribute', userBody('x4', { nickname2: { deep: [char] } }), 'nickname2'],
      ['an object key', userBody('x5', { [`key${char}`]: 'v' }), 'key'],
    ])('in %s of a POST body: 400 invalidValue naming it', async (_, body, name) => {
      const before = await snapshot();
      const response = await t.client.request('POST', '/Users', { ...body, schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'] });
      expectInvalid(response, 'invalidValue', name);
      expect(await snapshot()).toBe(before);
    });

    it('in a PUT body', async () => {
      const before = await snapshot();
      expectInvalid(await t.client.request('PUT', `/Users/${userId}`, userBody('base@example.com', { title: char })), 'invalidValue', 'title');
      expectInvalid(await t.client.request('PUT', `/Groups/${groupId}`, groupBody(`B${char}`)), 'invalidValue', 'displayName');
      expect(await snapshot()).toBe(before);
    });

    it('in a PATCH value and a PATCH path', async () => {
      const before = await snapshot();
      expectInvalid(await t.client.request('PATCH', `/Users/${userId}`, patch([{ op: 'replace', path: 'title', value: char }])), 'invalidValue', 'value');
      expectInvalid(
        await t.client.request('PATCH', `/Users/${userId}`, patch([{ op: 'replace', value: { name: { givenName: char } } }])),
        'invalidValue',
        'givenName',
      );
      expectInvalid(
        await t.client.request('PATCH', `/Users/${userId}`, patch([{ op: 'replace', path: `emails[value eq "${char}"].type`, value: 'work' }])),
        'invalidValue',
        'path',
      );
      expectInvalid(await t.client.request('PATCH', `/Groups/${groupId}`, patch([{ op: 'add', path: 'members', value: [{ value: char }] }])), 'invalidValue', 'value');
      expect(await snapshot()).toBe(before);
    });

    it('in Bulk data', async () => {
      const before = await snapshot();
      const response = await t.client.request('POST', '/Bulk', {
        schemas: [BULK_REQUEST],
        Operations: [{ method: 'POST', path: '/Users', bulkId: 'b1', data: userBody(`bulk${char}`) }],
      });
      expectInvalid(response, 'invalidValue', 'userName');
      expect(await snapshot()).toBe(before);
    });

    it('in a filter, in a query or a search body', async () => {
      const filter = `userName eq "a${char}"`;
      expectInvalid(await t.client.request('POST', '/Users/.search', { filter }), 'invalidValue', 'filter');
      // A URL cannot carry a lone surrogate (encodeURIComponent refuses one; its UTF-8 bytes are no valid escape).
      if (char !== NUL) return;
      expectInvalid(await t.client.request('GET', `/Users?filter=${encodeURIComponent(filter)}`), 'invalidValue', 'filter');
      expectInvalid(await t.client.request('GET', `/Groups?filter=${encodeURIComponent(`displayName co "${char}"`)}`), 'invalidValue', 'filter');
    });

    it('written as a JSON escape inside a filter string, in a query or a search body: 400 invalidFilter', async () => {
      // "\u0000" is six plain characters on the wire; the filter's string rules decode it (RFC 7644 §3.4.2.2, JSON).
      const escape = char === NUL ? '\\u0000' : '\\ud800';
      for (const filter of [`userName eq "a${escape}"`, `emails[value co "${escape}"]`, `groups.display eq "${escape}"`]) {
        for (const response of [
          await t.client.request('GET', `/Users?filter=${encodeURIComponent(filter)}`),
          await t.client.request('POST', '/Users/.search', { filter }),
          await t.client.request('GET', `/History?filter=${encodeURIComponent(`oldValue eq "${escape}"`)}`),
        ]) {
          expect(response.status, JSON.stringify(response.body)).toBe(400);
          expect(response.body.scimType).toBe('invalidFilter');
        }
      }
    });

    it.each(['attributes', 'excludedAttributes', 'sortBy', 'cursor', 'sortOrder', 'startIndex', 'count'])('in the %s query parameter', async (name) => {
      // URLSearchParams writes a lone surrogate as U+FFFD, so it is percent-encoded by hand where it can be.
      const response = await t.client.request('GET', `/Users?${name}=${encodeURIComponent(`a${char === NUL ? NUL : ''}`)}${char === NUL ? '' : '%ED%A0%80'}`);
      expect(response.status).toBeLessThan(500);
      if (char === NUL) expectInvalid(response, 'invalidValue', name);
    });

    it('in the URL path', async () => {
      for (const path of [`/Users/${encodeURIComponent(`x${NUL}`)}`, `/Groups/${encodeURIComponent(NUL)}`, `/Users/${userId}${encodeURIComponent(NUL)}`]) {
        const response = await t.client.request('GET', path);
        expectInvalid(response, 'invalidValue', 'path');
      }
      const response = await t.client.request('DELETE', `/Users/%00`);
      expectInvalid(response, 'invalidValue', 'path');
    });
  });

  it('a body nested 100,000 levels deep: 400 invalidSyntax, nothing stored', async () => {
    const before = await snapshot();
    const nested = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"deep","x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    for (const [method, path] of [['POST', '/Users'], ['POST', '/Bulk'], ['PATCH', `/Users/${userId}`], ['POST', '/Users/.search']] as const) {
      expectInvalid(await t.client.request(method, path, nested), 'invalidSyntax', 'nests deeper than 32');
    }
    expect(await snapshot()).toBe(before);
  });

  it('/auth/login with a NUL or a lone surrogate in userName or tenant: 400 invalid_request naming it', async () => {
    for (const [field, value] of [
      ['userName', `a${NUL}`],
      ['userName', `a${LONE}`],
      ['tenant', `acme${NUL}`],
      ['tenant', `acme${LONE}`],
    ] as const) {
      const body = { tenant: 'acme', userName: 'base@example.com', password: 'whatever-secret', [field]: value };
      const response = await t.app.request('/auth/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(400);
      const json = (await response.json()) as { error: string; detail: string };
      expect(json.error).toBe('invalid_request');
      expect(json.detail).toContain(field);
    }
  });
});

describe('RFC 7643 §2.3.1: a value of another JSON type where a string belongs', () => {
  it.each([
    ['userName', { userName: 42 }, 'userName'],
    ['name.familyName', { userName: 'y1', name: { familyName: 7 } }, 'name.familyName'],
    ['emails[0].value', { userName: 'y2', emails: [{ value: 5 }] }, 'emails[0].value'],
    ['an object', { userName: 'y3', title: { a: 1 } }, 'title'],
    ['an array', { userName: 'y4', displayName: ['a'] }, 'displayName'],
    ['a boolean', { userName: 'y5', nickName: true }, 'nickName'],
    ['an extension attribute', { userName: 'y6', [ENTERPRISE_SCHEMA]: { employeeNumber: 42 } }, 'employeeNumber'],
  ])('%s: 400 invalidValue, nothing stored', async (_, extra, name) => {
    const before = await snapshot();
    const response = await t.client.request('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE_SCHEMA], ...extra });
    expectInvalid(response, 'invalidValue', name, 'must be a string');
    expect(await snapshot()).toBe(before);
  });

  it('in a PATCH value and in Bulk data', async () => {
    const before = await snapshot();
    expectInvalid(await t.client.request('PATCH', `/Users/${userId}`, patch([{ op: 'replace', path: 'title', value: 42 }])), 'invalidValue', 'title');
    expectInvalid(
      await t.client.request('PATCH', `/Users/${userId}`, patch([{ op: 'add', value: { emails: [{ value: 5 }] } }])),
      'invalidValue',
      'emails',
    );
    expectInvalid(await t.client.request('PATCH', `/Groups/${groupId}`, patch([{ op: 'replace', path: 'displayName', value: 9 }])), 'invalidValue', 'displayName');
    const bulk = await t.client.request('POST', '/Bulk', {
      schemas: [BULK_REQUEST],
      Operations: [{ method: 'POST', path: '/Users', bulkId: 'b1', data: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 42 } }],
    });
    expect(bulk.status).toBe(200);
    expect(bulk.body.Operations[0].status).toBe('400');
    expect(bulk.body.Operations[0].response.scimType).toBe('invalidValue');
    expect(await snapshot()).toBe(before);
  });

  it('booleans as the strings "True" and "False" stay accepted (Microsoft Entra ID sends them)', async () => {
    const created = await t.client.request('POST', '/Users', userBody('entra@example.com', { active: 'False', emails: [{ value: 'e@example.com', primary: 'True' }] }));
    expect(created.status).toBe(201);
    expect(created.body.active).toBe(false);
    expect(created.body.emails[0].primary).toBe(true);
    const patched = await t.client.request('PATCH', `/Users/${created.body.id}`, patch([{ op: 'Replace', path: 'active', value: 'True' }]));
    expect(patched.status).toBe(200);
    expect(patched.body.active).toBe(true);
  });
});

describe('bounded values', () => {
  const long = 'x'.repeat(3000);

  it.each([
    ['userName', userBody(long), 'userName', '256'],
    ['externalId', userBody('z1', { externalId: long }), 'externalId', '256'],
    ['emails[0].value', userBody('z2', { emails: [{ value: `${long}@example.com` }] }), 'emails[0].value', '320'],
    ['name.familyName', userBody('z3', { name: { familyName: long } }), 'name.familyName', '256'],
    ['roles[0].value', userBody('z4', { roles: [{ value: long }] }), 'roles[0].value', '256'],
    ['title', userBody('z5', { title: 'x'.repeat(1025) }), 'title', '1024'],
  ])('a %s over its limit: 400 invalidValue naming it and the limit', async (_, body, name, limit) => {
    const before = await snapshot();
    const response = await t.client.request('POST', '/Users', body);
    expectInvalid(response, 'invalidValue', name, limit);
    expect(await snapshot()).toBe(before);
  });

  it('a group displayName or externalId over its limit: 400 invalidValue', async () => {
    expectInvalid(await t.client.request('POST', '/Groups', groupBody(long)), 'invalidValue', 'displayName', '256');
    expectInvalid(await t.client.request('POST', '/Groups', groupBody('g', { externalId: long })), 'invalidValue', 'externalId', '256');
    expectInvalid(await t.client.request('PATCH', `/Groups/${groupId}`, patch([{ op: 'replace', path: 'displayName', value: long }])), 'invalidValue', 'displayName');
  });

  it('counts UTF-8 bytes, not characters', async () => {
    // 100 four-byte characters: 100 characters (200 UTF-16 code units), 400 bytes.
    expectInvalid(await t.client.request('POST', '/Users', userBody('😀'.repeat(100))), 'invalidValue', 'userName', '256');
    const atLimit = await t.client.request('POST', '/Users', userBody('😀'.repeat(64)));
    expect(atLimit.status).toBe(201);
  });

  it('a value exactly at its limit is stored', async () => {
    const response = await t.client.request('POST', '/Users', userBody('u'.repeat(256), { emails: [{ value: `${'e'.repeat(308)}@example.com` }] }));
    expect(response.status).toBe(201);
  });

  it('a PATCH over the limit changes nothing', async () => {
    const before = await snapshot();
    expectInvalid(await t.client.request('PATCH', `/Users/${userId}`, patch([{ op: 'replace', path: 'userName', value: long }])), 'invalidValue', 'userName', '256');
    expectInvalid(await t.client.request('PATCH', `/Users/${userId}`, patch([{ op: 'add', path: 'emails', value: [{ value: long }] }])), 'invalidValue', 'emails');
    expect(await snapshot()).toBe(before);
  });

  it('a filter value over the limit of its attribute: 400 invalidFilter', async () => {
    const response = await t.client.request('GET', `/Users?filter=${encodeURIComponent(`userName eq "${long}"`)}`);
    expectInvalid(response, 'invalidFilter', 'userName', '256');
  });

  it('a login userName over the limit: 400 invalid_request', async () => {
    const response = await t.app.request('/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ tenant: 'acme', userName: long, password: 'whatever-secret' }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { detail: string }).detail).toContain('userName');
  });
});
