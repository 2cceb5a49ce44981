// RFC 7643 §8.7.1 and §8.7.2 attribute representations as test vectors, checked against our definitions.
//
// `expected` is the RFC's JSON for the attribute. Where the RFC leaves a characteristic out (it does for
// booleans' caseExact and uniqueness, and for complex attributes'), the §2.2 default is written in, since
// our representation always spells every characteristic out. Where this server departs from the RFC on
// purpose, `ref` says so.

import { describe, expect, it } from 'vitest';
import {
  COMMON_ATTRIBUTES,
  ENTERPRISE_USER_SCHEMA,
  GROUP_SCHEMA,
  RESOURCE_TYPE_SCHEMA,
  SCHEMA_SCHEMA,
  SERVICE_PROVIDER_CONFIG_SCHEMA,
  toSchemaRepresentation,
  USER_SCHEMA,
} from '../../../src/scim/schema/index.js';
import type { AttributeRepresentation, SchemaDefinition } from '../../../src/scim/schema/index.js';

interface Vector {
  ref: string;
  input: { schema: SchemaDefinition; path: string };
  expected: AttributeRepresentation;
}

const COMMON: SchemaDefinition = {
  id: 'common',
  name: 'Common',
  description: 'RFC 7643 §3.1',
  attributes: COMMON_ATTRIBUTES,
};

function representationAt(schema: SchemaDefinition, path: string): AttributeRepresentation | undefined {
  const [name, subName] = path.split('.');
  const top = toSchemaRepresentation(schema, '/Schemas/x').attributes.find((a) => a.name === name);
  return subName === undefined ? top : top?.subAttributes?.find((a) => a.name === subName);
}

const rw = { required: false, caseExact: false, mutability: 'readWrite', returned: 'default', uniqueness: 'none' } as const;

const vectors: Vector[] = [
  {
    ref: 'RFC 7643 §8.7.1 User userName',
    input: { schema: USER_SCHEMA, path: 'userName' },
    expected: {
      name: 'userName',
      type: 'string',
      multiValued: false,
      description:
        "Unique identifier for the User, typically used by the user to directly authenticate to the service provider. Each User MUST include a non-empty userName value.  This identifier MUST be unique across the service provider's entire set of Users. REQUIRED.",
      required: true,
      caseExact: false,
      mutability: 'readWrite',
      returned: 'default',
      uniqueness: 'server',
    },
  },
  {
    ref: 'RFC 7643 §8.7.1 User name.formatted',
    input: { schema: USER_SCHEMA, path: 'name.formatted' },
    expected: {
      name: 'formatted',
      type: 'string',
      multiValued: false,
      description:
        "The full name, including all middle names, titles, and suffixes as appropriate, formatted for display (e.g., 'Ms. Barbara J Jensen, III').",
      ...rw,
    },
  },
  {
    ref: 'RFC 7643 §8.7.1 User name.givenName',
    input: { schema: USER_SCHEMA, path: 'name.givenName' },
    expected: {
      name: 'givenName',
      type: 'string',
      multiValued: false,
      description:
        "The given name of the User, or first name in most Western languages (e.g., 'Barbara' given the full name 'Ms. Barbara J Jensen, III').",
      ...rw,
    },
  },
  {
    ref: 'RFC 7643 §8.7.1 User profileUrl',
    input: { schema: USER_SCHEMA, path: 'profileUrl' },
    expected: {
      name: 'profileUrl',
      type: 'reference',
      referenceTypes: ['external'],
      multiValued: false,
      description: "A fully qualified URL pointing to a page representing the User's online profile.",
      ...rw,
    },
  },
  {
    ref: 'RFC 7643 §8.7.1 User active (caseExact and uniqueness are §2.2 defaults)',
    input: { schema: USER_SCHEMA, path: 'active' },
    expected: {
      name: 'active',
      type: 'boolean',
      multiValued: false,
      description: "A Boolean value indicating the User's administrative status.",
      ...rw,
    },
  },
  {
    ref: 'RFC 7643 §8.7.1 User password',
    input: { schema: USER_SCHEMA, path: 'password' },
    expected: {
      name: 'password',
      type: 'string',
      multiValued: false,
      description:
        "The User's cleartext password.  This attribute is intended to be used as a means to specify an initial password when creating a new User or to reset an existing User's password.",
      required: false,
      caseExact: false,
      mutability: 'writeOnly',
      returned: 'never',
      uniqueness: 'none',
    },
  },
  {
    ref: 'RFC 7643 §8.7.1 User emails.value',
    input: { schema: USER_SCHEMA, path: 'emails.value' },
    expected: {
      name: 'value',
      type: 'string',
      multiValued: false,
      description:
        "Email addresses for the user.  The value SHOULD be canonicalized by the service provider, e.g., 'bjensen@example.com' instead of 'bjensen@EXAMPLE.COM'. Canonical type values of 'work', 'home', and 'other'.",
      ...rw,
    },
  },
  {
    ref: 'RFC 7643 §8.7.1 User emails.type',
    input: { schema: USER_SCHEMA, path: 'emails.type' },
    expected: {
      name: 'type',
      type: 'string',
      multiValued: false,
      description: "A label indicating the attribute's function, e.g., 'work' or 'home'.",
      canonicalValues: ['work', 'home', 'other'],
      ...rw,
    },
  },
  {
    ref: 'RFC 7643 §8.7.1 User emails.primary',
    input: { schema: USER_SCHEMA, path: 'emails.primary' },
    expected: {
      name: 'primary',
      type: 'boolean',
      multiValued: false,
      description:
        "A Boolean value indicating the 'primary' or preferred attribute value for this attribute, e.g., the preferred mailing address or primary email address.  The primary attribute value 'true' MUST appear no more than once.",
      ...rw,
    },
  },
  {
    ref: 'RFC 7643 §8.7.1 User phoneNumbers.type',
    input: { schema: USER_SCHEMA, path: 'phoneNumbers.type' },
    expected: {
      name: 'type',
      type: 'string',
      multiValued: false,
      description: "A label indicating the attribute's function, e.g., 'work', 'home', 'mobile'.",
      canonicalValues: ['work', 'home', 'mobile', 'fax', 'pager', 'other'],
      ...rw,
    },
  },
  {
    ref: 'RFC 7643 §8.7.1 User ims.type',
    input: { schema: USER_SCHEMA, path: 'ims.type' },
    expected: {
      name: 'type',
      type: 'string',
      multiValued: false,
      description: "A label indicating the attribute's function, e.g., 'aim', 'gtalk', 'xmpp'.",
      canonicalValues: ['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo'],
      ...rw,
    },
  },
  {
    ref: 'RFC 7643 §8.7.1 User photos.value',
    input: { schema: USER_SCHEMA, path: 'photos.value' },
    expected: {
      name: 'value',
      type: 'reference',
      referenceTypes: ['external'],
      multiValued: false,
      description: 'URL of a photo of the User.',
      ...rw,
    },
  },
  {
    ref: 'RFC 7643 §8.7.1 User addresses.type',
    input: { schema: USER_SCHEMA, path: 'addresses.type' },
    expected: {
      name: 'type',
      type: 'string',
      multiValued: false,
      description: "A label indicating the attribute's function, e.g., 'work' or 'home'.",
      canonicalValues: ['work', 'home', 'other'],
      ...rw,
    },
  },
  {
    ref: 'RFC 7643 §4.1.2 and §2.4 User addresses.primary (absent from §8.7.1, added on purpose)',
    input: { schema: USER_SCHEMA, path: 'addresses.primary' },
    expected: {
      name: 'primary',
      type: 'boolean',
      multiValued: false,
      description:
        "A Boolean value indicating the 'primary' or preferred attribute value for this attribute, e.g., the preferred mailing address or primary address.  The primary attribute value 'true' MUST appear no more than once.",
      ...rw,
    },
  },
  {
    ref: 'RFC 7643 §8.7.1 User groups (uniqueness is the §2.2 default)',
    input: { schema: USER_SCHEMA, path: 'groups' },
    expected: {
      name: 'groups',
      type: 'complex',
      multiValued: true,
      description:
        'A list of groups to which the user belongs, either through direct membership, through nested groups, or dynamically calculated.',
      required: false,
      caseExact: false,
      mutability: 'readOnly',
      returned: 'default',
      uniqueness: 'none',
      subAttributes: [
        {
          name: 'value',
          type: 'string',
          multiValued: false,
          description: "The identifier of the User's group.",
          required: false,
          caseExact: false,
          mutability: 'readOnly',
          returned: 'default',
          uniqueness: 'none',
        },
        {
          name: '$ref',
          type: 'reference',
          referenceTypes: ['User', 'Group'],
          multiValued: false,
          description: "The URI of the corresponding 'Group' resource to which the user belongs.",
          required: false,
          caseExact: false,
          mutability: 'readOnly',
          returned: 'default',
          uniqueness: 'none',
        },
        {
          name: 'display',
          type: 'string',
          multiValued: false,
          description: 'A human-readable name, primarily used for display purposes.  READ-ONLY.',
          required: false,
          caseExact: false,
          mutability: 'readOnly',
          returned: 'default',
          uniqueness: 'none',
        },
        {
          name: 'type',
          type: 'string',
          multiValued: false,
          description: "A label indicating the attribute's function, e.g., 'direct' or 'indirect'.",
          required: false,
          caseExact: false,
          canonicalValues: ['direct', 'indirect'],
          mutability: 'readOnly',
          returned: 'default',
          uniqueness: 'none',
        },
      ],
    },
  },
  {
    ref: 'RFC 7643 §8.7.1 User entitlements.type',
    input: { schema: USER_SCHEMA, path: 'entitlements.type' },
    expected: {
      name: 'type',
      type: 'string',
      multiValued: false,
      description: "A label indicating the attribute's function.",
      ...rw,
    },
  },
  {
    ref: 'RFC 7643 §8.7.1 User roles.type (its "canonicalValues": [] says nothing and is left out)',
    input: { schema: USER_SCHEMA, path: 'roles.type' },
    expected: {
      name: 'type',
      type: 'string',
      multiValued: false,
      description: "A label indicating the attribute's function.",
      ...rw,
    },
  },
  {
    ref: 'RFC 7643 §8.7.1 User x509Certificates.value',
    input: { schema: USER_SCHEMA, path: 'x509Certificates.value' },
    expected: {
      name: 'value',
      type: 'binary',
      multiValued: false,
      description: 'The value of an X.509 certificate.',
      ...rw,
    },
  },
  {
    ref: 'RFC 7643 §8.7.1 Group displayName, made required and server-unique on purpose',
    input: { schema: GROUP_SCHEMA, path: 'displayName' },
    expected: {
      name: 'displayName',
      type: 'string',
      multiValued: false,
      description:
        'A human-readable name for the Group. REQUIRED.  This server keeps it unique among the Groups of a tenant.',
      required: true,
      caseExact: false,
      mutability: 'readWrite',
      returned: 'default',
      uniqueness: 'server',
    },
  },
  {
    ref: 'RFC 7643 §8.7.1 Group members, with §4.2\'s display sub-attribute added (readOnly)',
    input: { schema: GROUP_SCHEMA, path: 'members' },
    expected: {
      name: 'members',
      type: 'complex',
      multiValued: true,
      description: 'A list of members of the Group.',
      ...rw,
      subAttributes: [
        {
          name: 'value',
          type: 'string',
          multiValued: false,
          description: 'Identifier of the member of this Group.',
          required: false,
          caseExact: false,
          mutability: 'immutable',
          returned: 'default',
          uniqueness: 'none',
        },
        {
          name: '$ref',
          type: 'reference',
          referenceTypes: ['User', 'Group'],
          multiValued: false,
          description: 'The URI corresponding to a SCIM resource that is a member of this Group.',
          required: false,
          caseExact: false,
          mutability: 'immutable',
          returned: 'default',
          uniqueness: 'none',
        },
        {
          name: 'display',
          type: 'string',
          multiValued: false,
          description: 'A human-readable name for the member, primarily used for display purposes.  READ-ONLY.',
          required: false,
          caseExact: false,
          mutability: 'readOnly',
          returned: 'default',
          uniqueness: 'none',
        },
        {
          name: 'type',
          type: 'string',
          multiValued: false,
          description: "A label indicating the type of resource, e.g., 'User' or 'Group'.",
          required: false,
          caseExact: false,
          canonicalValues: ['User', 'Group'],
          mutability: 'immutable',
          returned: 'default',
          uniqueness: 'none',
        },
      ],
    },
  },
  {
    ref: 'RFC 7643 §8.7.1 EnterpriseUser employeeNumber',
    input: { schema: ENTERPRISE_USER_SCHEMA, path: 'employeeNumber' },
    expected: {
      name: 'employeeNumber',
      type: 'string',
      multiValued: false,
      description:
        'Numeric or alphanumeric identifier assigned to a person, typically based on order of hire or association with an organization.',
      ...rw,
    },
  },
  {
    ref: 'RFC 7643 §8.7.1 EnterpriseUser manager',
    input: { schema: ENTERPRISE_USER_SCHEMA, path: 'manager' },
    expected: {
      name: 'manager',
      type: 'complex',
      multiValued: false,
      description:
        "The User's manager.  A complex type that optionally allows service providers to represent organizational hierarchy by referencing the 'id' attribute of another User.",
      ...rw,
      subAttributes: [
        {
          name: 'value',
          type: 'string',
          multiValued: false,
          description: "The id of the SCIM resource representing the User's manager.  REQUIRED.",
          ...rw,
        },
        {
          name: '$ref',
          type: 'reference',
          referenceTypes: ['User'],
          multiValued: false,
          description: "The URI of the SCIM resource representing the User's manager.  REQUIRED.",
          ...rw,
        },
        {
          name: 'displayName',
          type: 'string',
          multiValued: false,
          description: "The displayName of the User's manager. OPTIONAL and READ-ONLY.",
          required: false,
          caseExact: false,
          mutability: 'readOnly',
          returned: 'default',
          uniqueness: 'none',
        },
      ],
    },
  },
  {
    ref: 'RFC 7643 §3.1 id',
    input: { schema: COMMON, path: 'id' },
    expected: expect.objectContaining({
      name: 'id',
      type: 'string',
      multiValued: false,
      required: false,
      caseExact: true,
      mutability: 'readOnly',
      returned: 'always',
      uniqueness: 'server',
    }) as AttributeRepresentation,
  },
  {
    ref: 'RFC 7643 §3.1 externalId',
    input: { schema: COMMON, path: 'externalId' },
    expected: expect.objectContaining({
      name: 'externalId',
      type: 'string',
      caseExact: true,
      mutability: 'readWrite',
      returned: 'default',
      uniqueness: 'none',
    }) as AttributeRepresentation,
  },
  {
    ref: 'RFC 7643 §3.1 meta.resourceType',
    input: { schema: COMMON, path: 'meta.resourceType' },
    expected: expect.objectContaining({ type: 'string', caseExact: true, mutability: 'readOnly' }) as AttributeRepresentation,
  },
  {
    ref: 'RFC 7643 §3.1 meta.lastModified',
    input: { schema: COMMON, path: 'meta.lastModified' },
    expected: expect.objectContaining({ type: 'dateTime', mutability: 'readOnly', returned: 'default' }) as AttributeRepresentation,
  },
  {
    ref: 'RFC 7643 §3.1 meta.location',
    input: { schema: COMMON, path: 'meta.location' },
    expected: expect.objectContaining({
      type: 'reference',
      referenceTypes: ['uri'],
      mutability: 'readOnly',
    }) as AttributeRepresentation,
  },
  {
    ref: 'RFC 7643 §3.1 meta.version',
    input: { schema: COMMON, path: 'meta.version' },
    expected: expect.objectContaining({ type: 'string', caseExact: true, mutability: 'readOnly' }) as AttributeRepresentation,
  },
  {
    ref: 'RFC 7643 §8.7.2 ServiceProviderConfig patch',
    input: { schema: SERVICE_PROVIDER_CONFIG_SCHEMA, path: 'patch' },
    expected: {
      name: 'patch',
      type: 'complex',
      multiValued: false,
      description: 'A complex type that specifies PATCH configuration options.',
      required: true,
      caseExact: false,
      mutability: 'readOnly',
      returned: 'default',
      uniqueness: 'none',
      subAttributes: [
        {
          name: 'supported',
          type: 'boolean',
          multiValued: false,
          description: 'A Boolean value specifying whether or not the operation is supported.',
          required: true,
          caseExact: false,
          mutability: 'readOnly',
          returned: 'default',
          uniqueness: 'none',
        },
      ],
    },
  },
  {
    ref: 'RFC 7643 §8.7.2 ServiceProviderConfig bulk.maxPayloadSize',
    input: { schema: SERVICE_PROVIDER_CONFIG_SCHEMA, path: 'bulk.maxPayloadSize' },
    expected: {
      name: 'maxPayloadSize',
      type: 'integer',
      multiValued: false,
      description: 'An integer value specifying the maximum payload size in bytes.',
      required: true,
      caseExact: false,
      mutability: 'readOnly',
      returned: 'default',
      uniqueness: 'none',
    },
  },
  {
    ref: 'RFC 7643 §8.7.2 ServiceProviderConfig authenticationSchemes.name',
    input: { schema: SERVICE_PROVIDER_CONFIG_SCHEMA, path: 'authenticationSchemes.name' },
    expected: {
      name: 'name',
      type: 'string',
      multiValued: false,
      description: 'The common authentication scheme name, e.g., HTTP Basic.',
      required: true,
      caseExact: false,
      mutability: 'readOnly',
      returned: 'default',
      uniqueness: 'none',
    },
  },
  {
    ref: 'RFC 7643 §5 ServiceProviderConfig etag (absent from §8.7.2, REQUIRED by §5)',
    input: { schema: SERVICE_PROVIDER_CONFIG_SCHEMA, path: 'etag.supported' },
    expected: expect.objectContaining({ type: 'boolean', required: true, mutability: 'readOnly' }) as AttributeRepresentation,
  },
  {
    ref: 'RFC 7643 §8.7.2 ResourceType endpoint',
    input: { schema: RESOURCE_TYPE_SCHEMA, path: 'endpoint' },
    expected: {
      name: 'endpoint',
      type: 'reference',
      referenceTypes: ['uri'],
      multiValued: false,
      description: "The resource type's HTTP-addressable endpoint relative to the Base URL, e.g., '/Users'.",
      required: true,
      caseExact: false,
      mutability: 'readOnly',
      returned: 'default',
      uniqueness: 'none',
    },
  },
  {
    ref: 'RFC 7643 §6 ResourceType schemaExtensions: a list and OPTIONAL, as §6 and §8.6 have it (§8.7.2 says otherwise)',
    input: { schema: RESOURCE_TYPE_SCHEMA, path: 'schemaExtensions' },
    expected: expect.objectContaining({
      type: 'complex',
      multiValued: true,
      required: false,
      mutability: 'readOnly',
    }) as AttributeRepresentation,
  },
  {
    ref: 'RFC 7643 §8.7.2 ResourceType schemaExtensions.schema',
    input: { schema: RESOURCE_TYPE_SCHEMA, path: 'schemaExtensions.schema' },
    expected: {
      name: 'schema',
      type: 'reference',
      referenceTypes: ['uri'],
      multiValued: false,
      description: 'The URI of a schema extension.',
      required: true,
      caseExact: true,
      mutability: 'readOnly',
      returned: 'default',
      uniqueness: 'none',
    },
  },
  {
    ref: 'RFC 7643 §8.7.2 Schema attributes.mutability',
    input: { schema: SCHEMA_SCHEMA, path: 'attributes.mutability' },
    expected: {
      name: 'mutability',
      type: 'string',
      multiValued: false,
      description: 'Indicates whether or not an attribute is modifiable.',
      required: false,
      caseExact: true,
      canonicalValues: ['readOnly', 'readWrite', 'immutable', 'writeOnly'],
      mutability: 'readOnly',
      returned: 'default',
      uniqueness: 'none',
    },
  },
  {
    ref: 'RFC 7643 §8.7.2 Schema attributes.type, with §2.3.6 binary added',
    input: { schema: SCHEMA_SCHEMA, path: 'attributes.type' },
    expected: expect.objectContaining({
      required: true,
      canonicalValues: ['string', 'complex', 'boolean', 'decimal', 'integer', 'dateTime', 'reference', 'binary'],
    }) as AttributeRepresentation,
  },
];

describe('schema definitions against RFC 7643 §8.7', () => {
  it.each(vectors)('$ref', ({ input, expected }) => {
    expect(representationAt(input.schema, input.path)).toEqual(expected);
  });

  it('lists the attributes of §8.7.1 in its order, plus none of its own', () => {
    expect(USER_SCHEMA.attributes.map((a) => a.name)).toEqual([
      'userName',
      'name',
      'displayName',
      'nickName',
      'profileUrl',
      'title',
      'userType',
      'preferredLanguage',
      'locale',
      'timezone',
      'active',
      'password',
      'emails',
      'phoneNumbers',
      'ims',
      'photos',
      'addresses',
      'groups',
      'entitlements',
      'roles',
      'x509Certificates',
    ]);
    expect(GROUP_SCHEMA.attributes.map((a) => a.name)).toEqual(['displayName', 'members']);
    expect(ENTERPRISE_USER_SCHEMA.attributes.map((a) => a.name)).toEqual([
      'employeeNumber',
      'costCenter',
      'organization',
      'division',
      'department',
      'manager',
    ]);
    expect(COMMON_ATTRIBUTES.map((a) => a.name)).toEqual(['id', 'externalId', 'meta']);
    expect(COMMON_ATTRIBUTES.find((a) => a.name === 'meta')?.subAttributes?.map((a) => a.name)).toEqual([
      'resourceType',
      'created',
      'lastModified',
      'location',
      'version',
    ]);
  });

  it('keeps the schema ids, names and descriptions of §8.7', () => {
    expect(
      [USER_SCHEMA, GROUP_SCHEMA, ENTERPRISE_USER_SCHEMA, SERVICE_PROVIDER_CONFIG_SCHEMA, RESOURCE_TYPE_SCHEMA, SCHEMA_SCHEMA].map(
        ({ id, name, description }) => ({ id, name, description }),
      ),
    ).toEqual([
      { id: 'urn:ietf:params:scim:schemas:core:2.0:User', name: 'User', description: 'User Account' },
      { id: 'urn:ietf:params:scim:schemas:core:2.0:Group', name: 'Group', description: 'Group' },
      {
        id: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
        name: 'EnterpriseUser',
        description: 'Enterprise User',
      },
      {
        id: 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
        name: 'Service Provider Configuration',
        description: "Schema for representing the service provider's configuration",
      },
      {
        id: 'urn:ietf:params:scim:schemas:core:2.0:ResourceType',
        name: 'ResourceType',
        description: 'Specifies the schema that describes a SCIM resource type',
      },
      {
        id: 'urn:ietf:params:scim:schemas:core:2.0:Schema',
        name: 'Schema',
        description: 'Specifies the schema that describes a SCIM schema',
      },
    ]);
  });
});
