// bulkId references (RFC 7644 §3.7.2): found anywhere in data, replaced with ids, or left out while they have none (§3.7.1).
import { describe, expect, it } from 'vitest';
import { ScimError } from '../../../src/scim/errors.js';
import { collectReferences, resolveReferences } from '../../../src/scim/bulk/references.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const referencesIn = (data: unknown) => {
  const found = new Set<string>();
  collectReferences(data, found);
  return [...found];
};

describe('collectReferences', () => {
  it('finds members, managers and PATCH values, each once, in order', () => {
    const data = {
      members: [{ value: 'bulkId:qwerty', type: 'User' }, { value: '0e5f0f9c-0d7c-4ae8-8b6f-0d1f5d3c1f2a' }, { value: 'bulkId:ytrewq' }],
      [ENTERPRISE]: { manager: { value: 'bulkId:qwerty' } },
      Operations: [{ op: 'add', path: 'members', value: [{ value: 'bulkid:lower' }] }],
    };
    expect(referencesIn(data)).toEqual(['qwerty', 'ytrewq', 'lower']);
  });

  it('counts only whole values: text that mentions a bulkId is not a reference', () => {
    expect(referencesIn({ displayName: 'see bulkId:qwerty', nickName: 'bulkId:' })).toEqual([]);
  });

  it('refuses data nested deeper than any SCIM resource, before it can exhaust the stack', () => {
    let deep: unknown = 'bulkId:x';
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(() => referencesIn({ deep })).toThrow(ScimError);
  });
});

describe('resolveReferences', () => {
  const ids: Record<string, string> = { qwerty: 'id-q' };
  const idOf = (bulkId: string) => ids[bulkId];

  it('replaces every reference with its id, and copies rather than changes the data', () => {
    const data = { members: [{ value: 'bulkId:qwerty', type: 'User' }], [ENTERPRISE]: { manager: { value: 'bulkId:qwerty' } } };
    const resolved = resolveReferences(data, idOf);
    expect(resolved).toEqual({ data: { members: [{ value: 'id-q', type: 'User' }], [ENTERPRISE]: { manager: { value: 'id-q' } } }, dropped: false });
    expect(data.members[0]!.value).toBe('bulkId:qwerty');
  });

  it('leaves out a member or manager whose bulkId has no id yet, and says so', () => {
    const data = { displayName: 'A', members: [{ value: 'bulkId:later', type: 'Group' }, { value: 'bulkId:qwerty' }], [ENTERPRISE]: { manager: { value: 'bulkId:later' } } };
    expect(resolveReferences(data, idOf)).toEqual({ data: { displayName: 'A', members: [{ value: 'id-q' }], [ENTERPRISE]: {} }, dropped: true });
  });

  it('keeps an own "__proto__" key a plain property', () => {
    const data = JSON.parse('{"__proto__": {"polluted": true}, "value": "x"}') as Record<string, unknown>;
    const resolved = resolveReferences(data, idOf).data as Record<string, unknown>;
    expect(Object.getPrototypeOf(resolved)).toBe(Object.prototype);
    expect(Object.keys(resolved)).toEqual(['__proto__', 'value']);
  });
});
