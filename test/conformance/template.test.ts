// The conformance runner's templates: ${name} substitution, request URLs, and values read from responses.
import { describe, expect, it } from 'vitest';
import { buildUrl, MissingVariableError, readPath, substitute } from '../../conformance/template.js';

const BASE = 'http://127.0.0.1:8080/scim/v2';

describe('substitute', () => {
  const vars = new Map<string, unknown>([
    ['id', '2819c223'],
    ['count', 3],
  ]);

  it('replaces placeholders in every string, keys included, and keeps a whole placeholder typed', () => {
    expect(substitute({ path: 'members[value eq "${id}"]', n: '${count}', [`k-\${id}`]: ['${id}'] }, vars)).toEqual({
      path: 'members[value eq "2819c223"]',
      n: 3,
      'k-2819c223': ['2819c223'],
    });
  });

  it('leaves other dollar signs alone and refuses an unknown name', () => {
    expect(substitute({ $type: 'string', p: 't1meMa$heen', r: '^\\d{3}$' }, vars)).toEqual({ $type: 'string', p: 't1meMa$heen', r: '^\\d{3}$' });
    expect(() => substitute('${missing}', vars)).toThrow(MissingVariableError);
  });
});

describe('buildUrl', () => {
  it('percent-encodes the filter value, keeps the query structure', () => {
    const vars = new Map([['userName', 'test.user@okta.local']]);
    expect(buildUrl(BASE, '/Users?filter=userName eq "${userName}"&startIndex=1&count=100', vars)).toBe(
      `${BASE}/Users?filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100`,
    );
  });

  it('never lets a saved value add a path segment or a query parameter', () => {
    const vars = new Map([['id', '../Groups?x=1&y=2#z']]);
    expect(buildUrl(BASE, '/Users/${id}?attributes=userName', vars)).toBe(`${BASE}/Users/..%2FGroups%3Fx%3D1%26y%3D2%23z?attributes=userName`);
  });

  it('keeps ":" readable in a path segment (schema URNs)', () => {
    expect(buildUrl(BASE, '/Schemas/urn:ietf:params:scim:schemas:core:2.0:User', new Map())).toBe(`${BASE}/Schemas/urn:ietf:params:scim:schemas:core:2.0:User`);
  });
});

describe('readPath', () => {
  const body = {
    Resources: [{ id: 'a' }, { id: 'b' }],
    meta: { version: 'W/"1"' },
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { manager: { value: 'm' } },
  };

  it('reads dotted paths with indexes, bracketed names, and ignores case as a fallback', () => {
    expect(readPath(body, 'Resources.1.id')).toBe('b');
    expect(readPath(body, 'Meta.Version')).toBe('W/"1"');
    expect(readPath(body, '["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].manager.value')).toBe('m');
    expect(readPath(body, 'Resources.5.id')).toBeUndefined();
    expect(readPath(undefined, 'id')).toBeUndefined();
  });
});
