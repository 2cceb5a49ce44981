// The limits of string attributes: docs/limits.md agrees with the schema definitions, and indexed values stay under PostgreSQL's B-tree limit.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BINARY_MAX_BYTES, DEFAULT_STRING_MAX_BYTES, maxBytesOf } from '../../../src/scim/schema/limits.js';
import { resolveAttributePath } from '../../../src/scim/schema/resolve.js';
import { ALL_SCHEMAS, COMMON_ATTRIBUTES, GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../../../src/scim/schema/index.js';
import type { AttributeDefinition } from '../../../src/scim/schema/types.js';

const doc = readFileSync(new URL('../../../docs/limits.md', import.meta.url), 'utf8');
/** Rows such as "| `User.emails.value` | 320 | ... |". */
const rows = [...doc.matchAll(/^\| `(User|Group)\.([^`]+)` \| (\d+) \|/gm)].map(([, type, path, limit]) => ({ type: type!, path: path!, limit: Number(limit) }));

function definitionOf(type: string, path: string): AttributeDefinition {
  const [name, subAttr] = path.split('.');
  const resolved = resolveAttributePath(type === 'User' ? USER_RESOURCE_TYPE : GROUP_RESOURCE_TYPE, { name: name!, ...(subAttr ? { subAttr } : {}) });
  if (!resolved) throw new Error(`docs/limits.md names ${type}.${path}, which is no attribute`);
  return resolved.subAttribute ?? resolved.attribute;
}

// PostgreSQL's B-tree entries hold at most about a third of an 8 KiB page (2,704 bytes); the tenant id, the attribute
// name (user_values) and the tuple headers share the entry with the value.
const BTREE_SAFE = 2048;

describe('docs/limits.md', () => {
  it('lists attributes with the limits the schemas give them', () => {
    expect(rows.length).toBeGreaterThan(10);
    for (const { type, path, limit } of rows) expect(maxBytesOf(definitionOf(type, path)), `${type}.${path}`).toBe(limit);
  });

  it('lists every attribute whose limit is not the default', () => {
    const walk = (prefix: string, list: readonly AttributeDefinition[]): string[] =>
      list.flatMap((a) => [...(a.maxBytes !== undefined ? [`${prefix}${a.name}`] : []), ...walk(`${prefix}${a.name}.`, a.subAttributes ?? [])]);
    const stated = [
      ...walk('User.', USER_RESOURCE_TYPE.schema.attributes),
      ...walk('Group.', GROUP_RESOURCE_TYPE.schema.attributes),
      ...walk('User.', COMMON_ATTRIBUTES),
      ...walk('Group.', COMMON_ATTRIBUTES),
      ...ALL_SCHEMAS.filter((s) => s !== USER_RESOURCE_TYPE.schema && s !== GROUP_RESOURCE_TYPE.schema).flatMap((s) => walk(`${s.name}.`, s.attributes)),
    ];
    const listed = rows.map((r) => `${r.type}.${r.path}`);
    expect(stated.filter((path) => !listed.includes(path))).toEqual([]);
  });

  it('states the defaults', () => {
    expect(doc).toContain(`| any other string or reference | ${DEFAULT_STRING_MAX_BYTES} |`);
    expect(doc).toContain(`| any other binary | ${BINARY_MAX_BYTES} |`);
  });
});

describe('indexed attributes', () => {
  it.each([
    ['User', 'userName'],
    ['User', 'externalId'],
    ['Group', 'externalId'],
    ['Group', 'displayName'],
    ['User', 'name.familyName'],
    // user_values holds the value of each element of these (sql/0001_init.sql, user_values_value_idx).
    ['User', 'emails.value'],
    ['User', 'phoneNumbers.value'],
    ['User', 'ims.value'],
    ['User', 'photos.value'],
    ['User', 'entitlements.value'],
    ['User', 'roles.value'],
  ])('%s.%s stays far under the B-tree entry limit', (type, path) => {
    expect(maxBytesOf(definitionOf(type, path))).toBeLessThanOrEqual(BTREE_SAFE);
  });
});
