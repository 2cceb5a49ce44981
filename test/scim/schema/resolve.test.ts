// Resolving attribute names and paths (RFC 7643 §2.1 case-insensitivity, RFC 7644 §3.10 attribute notation).

import { describe, expect, it } from 'vitest';
import {
  attribute,
  ENTERPRISE_USER_SCHEMA,
  findAttribute,
  GROUP_RESOURCE_TYPE,
  GROUP_SCHEMA,
  resolveAttributePath,
  schemaById,
  USER_RESOURCE_TYPE,
  USER_SCHEMA,
} from '../../../src/scim/schema/index.js';
import type { AttributePathInput, ResolvedAttribute, ResourceTypeDefinition } from '../../../src/scim/schema/index.js';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** What a resolution found, by name, so that vectors stay readable. */
function summary(resolved: ResolvedAttribute | undefined) {
  return (
    resolved && {
      schema: resolved.schema.id,
      attribute: resolved.attribute.name,
      subAttribute: resolved.subAttribute?.name,
      common: resolved.common,
    }
  );
}

interface Vector {
  ref: string;
  input: { resourceType: ResourceTypeDefinition; path: AttributePathInput };
  expected: ReturnType<typeof summary>;
}

const users = USER_RESOURCE_TYPE;
const groups = GROUP_RESOURCE_TYPE;
const core = (attribute: string, subAttribute?: string) => ({ schema: CORE, attribute, subAttribute, common: false });
const enterprise = (attribute: string, subAttribute?: string) => ({
  schema: ENTERPRISE,
  attribute,
  subAttribute,
  common: false,
});
const common = (attribute: string, subAttribute?: string) => ({ schema: CORE, attribute, subAttribute, common: true });

const vectors: Vector[] = [
  { ref: 'exact name', input: { resourceType: users, path: { name: 'userName' } }, expected: core('userName') },
  { ref: 'RFC 7643 §2.1 lower case', input: { resourceType: users, path: { name: 'username' } }, expected: core('userName') },
  { ref: 'RFC 7643 §2.1 upper case', input: { resourceType: users, path: { name: 'USERNAME' } }, expected: core('userName') },
  {
    ref: 'sub-attribute',
    input: { resourceType: users, path: { name: 'name', subAttr: 'givenName' } },
    expected: core('name', 'givenName'),
  },
  {
    ref: 'RFC 7644 §3.4.2.2 emails.Value, sub-attribute in another case',
    input: { resourceType: users, path: { name: 'emails', subAttr: 'Value' } },
    expected: core('emails', 'value'),
  },
  {
    ref: 'dotted path left in the name',
    input: { resourceType: users, path: { name: 'EMAILS.value' } },
    expected: core('emails', 'value'),
  },
  {
    ref: 'RFC 7644 §3.10 URN-qualified core attribute',
    input: { resourceType: users, path: { uri: CORE, name: 'userName' } },
    expected: core('userName'),
  },
  {
    ref: 'URN in another case',
    input: { resourceType: users, path: { uri: CORE.toUpperCase(), name: 'userName' } },
    expected: core('userName'),
  },
  {
    ref: 'RFC 7644 §3.10 URN-qualified core sub-attribute',
    input: { resourceType: users, path: { uri: CORE, name: 'name', subAttr: 'givenName' } },
    expected: core('name', 'givenName'),
  },
  {
    ref: 'URN with the dotted path in the name',
    input: { resourceType: users, path: { uri: CORE, name: 'name.givenName' } },
    expected: core('name', 'givenName'),
  },
  {
    ref: 'whole URN-qualified path in the name',
    input: { resourceType: users, path: { name: `${CORE}:name.familyName` } },
    expected: core('name', 'familyName'),
  },
  {
    ref: 'RFC 7644 §3.10 URN-qualified extension attribute',
    input: { resourceType: users, path: { uri: ENTERPRISE, name: 'employeeNumber' } },
    expected: enterprise('employeeNumber'),
  },
  {
    ref: 'RFC 7644 §3.5.2 URN-qualified extension sub-attribute',
    input: { resourceType: users, path: { uri: ENTERPRISE.toLowerCase(), name: 'manager', subAttr: 'VALUE' } },
    expected: enterprise('manager', 'value'),
  },
  {
    ref: 'whole extension path in the name',
    input: { resourceType: users, path: { name: `${ENTERPRISE}:manager.displayName` } },
    expected: enterprise('manager', 'displayName'),
  },
  {
    ref: 'extension attribute without its URN, defined by one extension only',
    input: { resourceType: users, path: { name: 'department' } },
    expected: enterprise('department'),
  },
  {
    ref: 'extension sub-attribute without its URN',
    input: { resourceType: users, path: { name: 'manager', subAttr: 'value' } },
    expected: enterprise('manager', 'value'),
  },
  { ref: 'RFC 7643 §3.1 id', input: { resourceType: users, path: { name: 'ID' } }, expected: common('id') },
  {
    ref: 'RFC 7643 §3.1 externalId',
    input: { resourceType: groups, path: { name: 'externalid' } },
    expected: { ...common('externalId'), schema: GROUP_SCHEMA.id },
  },
  {
    ref: 'RFC 7643 §3.1 meta.lastModified',
    input: { resourceType: users, path: { name: 'meta', subAttr: 'LastModified' } },
    expected: common('meta', 'lastModified'),
  },
  {
    ref: 'common attribute under the core URN',
    input: { resourceType: users, path: { uri: CORE, name: 'meta', subAttr: 'created' } },
    expected: common('meta', 'created'),
  },
  {
    ref: 'Group members.value',
    input: { resourceType: groups, path: { name: 'members', subAttr: 'value' } },
    expected: { schema: GROUP_SCHEMA.id, attribute: 'members', subAttribute: 'value', common: false },
  },
  {
    ref: 'Group displayName',
    input: { resourceType: groups, path: { name: 'DisplayName' } },
    expected: { schema: GROUP_SCHEMA.id, attribute: 'displayName', subAttribute: undefined, common: false },
  },
  // Nothing to resolve:
  { ref: 'unknown name', input: { resourceType: users, path: { name: 'nickname2' } }, expected: undefined },
  {
    ref: 'unknown sub-attribute',
    input: { resourceType: users, path: { name: 'name', subAttr: 'nickName' } },
    expected: undefined,
  },
  {
    ref: 'sub-attribute of a simple attribute',
    input: { resourceType: users, path: { name: 'userName', subAttr: 'value' } },
    expected: undefined,
  },
  {
    ref: 'dotted sub-attribute of a simple attribute',
    input: { resourceType: users, path: { name: 'active.value' } },
    expected: undefined,
  },
  {
    ref: 'path deeper than attribute.subAttribute',
    input: { resourceType: users, path: { name: 'name.givenName.first' } },
    expected: undefined,
  },
  { ref: 'empty name', input: { resourceType: users, path: { name: '' } }, expected: undefined },
  { ref: 'empty sub-attribute', input: { resourceType: users, path: { name: 'name.' } }, expected: undefined },
  {
    ref: 'unknown URN',
    input: { resourceType: users, path: { uri: 'urn:example:unknown:2.0:User', name: 'userName' } },
    expected: undefined,
  },
  {
    ref: 'URN alone, without an attribute',
    input: { resourceType: users, path: { name: ENTERPRISE } },
    expected: undefined,
  },
  {
    ref: 'a URN picks the schema: extension attribute under the core URN',
    input: { resourceType: users, path: { uri: CORE, name: 'employeeNumber' } },
    expected: undefined,
  },
  {
    ref: 'a URN picks the schema: core attribute under the extension URN',
    input: { resourceType: users, path: { uri: ENTERPRISE, name: 'userName' } },
    expected: undefined,
  },
  {
    ref: 'common attributes do not belong to extensions',
    input: { resourceType: users, path: { uri: ENTERPRISE, name: 'id' } },
    expected: undefined,
  },
  {
    ref: 'an extension the resource type does not have',
    input: { resourceType: groups, path: { uri: ENTERPRISE, name: 'employeeNumber' } },
    expected: undefined,
  },
  {
    ref: 'an extension attribute on a resource type without extensions',
    input: { resourceType: groups, path: { name: 'employeeNumber' } },
    expected: undefined,
  },
  {
    ref: 'a User attribute on a Group',
    input: { resourceType: groups, path: { name: 'userName' } },
    expected: undefined,
  },
];

describe('resolveAttributePath', () => {
  it.each(vectors)('$ref', ({ input, expected }) => {
    expect(summary(resolveAttributePath(input.resourceType, input.path))).toEqual(expected);
  });

  it('returns the definitions themselves, and no subAttribute key without one', () => {
    const resolved = resolveAttributePath(users, { name: 'userName' });
    expect(resolved?.attribute).toBe(USER_SCHEMA.attributes[0]);
    expect(resolved?.schema).toBe(USER_SCHEMA);
    expect(resolved).not.toHaveProperty('subAttribute');
  });

  it('asks for the URN when two extensions define the same name', () => {
    const other = {
      id: 'urn:example:params:scim:schemas:extension:acme:2.0:User',
      name: 'AcmeUser',
      description: 'Acme',
      attributes: [attribute('department', 'string', { description: 'Acme department.' })],
    };
    const twice: ResourceTypeDefinition = {
      ...USER_RESOURCE_TYPE,
      schemaExtensions: [...USER_RESOURCE_TYPE.schemaExtensions, { schema: other, required: false }],
    };
    expect(resolveAttributePath(twice, { name: 'department' })).toBeUndefined();
    expect(summary(resolveAttributePath(twice, { uri: other.id, name: 'Department' }))).toEqual({
      schema: other.id,
      attribute: 'department',
      subAttribute: undefined,
      common: false,
    });
    expect(summary(resolveAttributePath(twice, { name: 'employeeNumber' }))).toEqual(enterprise('employeeNumber'));
  });
});

describe('findAttribute', () => {
  it('ignores case (RFC 7643 §2.1)', () => {
    expect(findAttribute(USER_SCHEMA.attributes, 'PHONENUMBERS')?.name).toBe('phoneNumbers');
    expect(findAttribute(ENTERPRISE_USER_SCHEMA.attributes, 'costcenter')?.name).toBe('costCenter');
  });

  it('finds nothing for unknown names', () => {
    expect(findAttribute(USER_SCHEMA.attributes, 'phoneNumber')).toBeUndefined();
    expect(findAttribute([], 'userName')).toBeUndefined();
  });
});

describe('schemaById', () => {
  it.each([
    'urn:ietf:params:scim:schemas:core:2.0:User',
    'urn:ietf:params:scim:schemas:core:2.0:Group',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
    'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
    'urn:ietf:params:scim:schemas:core:2.0:ResourceType',
    'urn:ietf:params:scim:schemas:core:2.0:Schema',
  ])('finds %s in any case', (id) => {
    expect(schemaById(id)?.id).toBe(id);
    expect(schemaById(id.toUpperCase())?.id).toBe(id);
  });

  it('finds nothing for unknown ids', () => {
    expect(schemaById('urn:ietf:params:scim:schemas:core:2.0:Users')).toBeUndefined();
    expect(schemaById('User')).toBeUndefined();
  });
});
