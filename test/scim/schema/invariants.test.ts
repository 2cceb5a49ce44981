// Structural rules every definition must obey (RFC 7643 §2.2, §2.3, §7), checked over every attribute of every schema.

import { describe, expect, it } from 'vitest';
import {
  ALL_SCHEMAS,
  COMMON_ATTRIBUTES,
  GROUP_RESOURCE_TYPE,
  SCHEMA_SCHEMA,
  schemaById,
  toSchemaRepresentation,
  USER_RESOURCE_TYPE,
} from '../../../src/scim/schema/index.js';
import { HISTORY_RESOURCE_TYPE } from '../../../src/scim/schema/history-entry.js';
import type { AttributeDefinition, AttributeRepresentation } from '../../../src/scim/schema/index.js';

interface Located {
  where: string;
  attribute: AttributeDefinition;
  depth: number;
}

function walk(where: string, list: readonly AttributeDefinition[], depth = 0): Located[] {
  return list.flatMap((attribute) => [
    { where: `${where}:${attribute.name}`, attribute, depth },
    ...walk(`${where}:${attribute.name}`, attribute.subAttributes ?? [], depth + 1),
  ]);
}

const everything: Located[] = [
  ...ALL_SCHEMAS.flatMap((schema) => walk(schema.id, schema.attributes)),
  ...walk('common', COMMON_ATTRIBUTES),
];

const TYPES = ['string', 'boolean', 'decimal', 'integer', 'dateTime', 'reference', 'complex', 'binary'];
const MUTABILITY = ['readOnly', 'readWrite', 'immutable', 'writeOnly'];
const RETURNED = ['always', 'never', 'default', 'request'];
const UNIQUENESS = ['none', 'server', 'global'];

describe('every attribute of every schema', () => {
  it('covers a realistic number of attributes', () => {
    expect(everything.length).toBeGreaterThan(140);
  });

  it.each(everything)('$where has every characteristic set, within its domain', ({ attribute }) => {
    expect(attribute.name).toMatch(/^(\$ref|[A-Za-z][\w-]*)$/);
    expect(TYPES).toContain(attribute.type);
    expect(typeof attribute.multiValued).toBe('boolean');
    expect(attribute.description.length).toBeGreaterThan(0);
    expect(typeof attribute.required).toBe('boolean');
    expect(typeof attribute.caseExact).toBe('boolean');
    expect(MUTABILITY).toContain(attribute.mutability);
    expect(RETURNED).toContain(attribute.returned);
    expect(UNIQUENESS).toContain(attribute.uniqueness);
  });

  it.each(everything)('$where has sub-attributes exactly when it is complex', ({ attribute }) => {
    if (attribute.type === 'complex') {
      expect(attribute.subAttributes?.length).toBeGreaterThan(0);
    } else {
      expect(attribute.subAttributes).toBeUndefined();
    }
  });

  it.each(everything)('$where has referenceTypes exactly when it is a reference', ({ attribute }) => {
    if (attribute.type === 'reference') {
      expect(attribute.referenceTypes?.length).toBeGreaterThan(0);
    } else {
      expect(attribute.referenceTypes).toBeUndefined();
    }
  });

  it.each(everything)('$where lists canonical values only when it has some', ({ attribute }) => {
    if (attribute.canonicalValues !== undefined) {
      expect(attribute.canonicalValues.length).toBeGreaterThan(0);
      expect(attribute.type).toBe('string');
    }
  });

  it('nests a complex attribute in a complex one only where §8.7.2 does, for Schema subAttributes', () => {
    const nestedComplex = everything.filter(({ attribute, depth }) => depth > 0 && attribute.type === 'complex');
    expect(nestedComplex.map(({ where }) => where)).toEqual([
      'urn:ietf:params:scim:schemas:core:2.0:Schema:attributes:subAttributes',
    ]);
    expect(Math.max(...everything.map(({ depth }) => depth))).toBe(2);
  });

  it('never repeats a name on one level, ignoring case (§2.1)', () => {
    const levels = [
      COMMON_ATTRIBUTES,
      ...ALL_SCHEMAS.map((schema) => schema.attributes),
      ...everything.flatMap(({ attribute }) => (attribute.subAttributes ? [attribute.subAttributes] : [])),
    ];
    for (const level of levels) {
      const names = level.map((attribute) => attribute.name.toLowerCase());
      expect(new Set(names).size).toBe(names.length);
    }
  });

  it('keeps common attribute names out of the resource schemas', () => {
    for (const { schema } of [USER_RESOURCE_TYPE, GROUP_RESOURCE_TYPE, HISTORY_RESOURCE_TYPE]) {
      for (const common of COMMON_ATTRIBUTES) {
        expect(schema.attributes.map((a) => a.name.toLowerCase())).not.toContain(common.name.toLowerCase());
      }
    }
  });
});

describe('schemas and resource types', () => {
  it('has distinct schema ids, each found again by schemaById', () => {
    expect(new Set(ALL_SCHEMAS.map((schema) => schema.id.toLowerCase())).size).toBe(ALL_SCHEMAS.length);
    for (const schema of ALL_SCHEMAS) {
      expect(schemaById(schema.id)).toBe(schema);
    }
  });

  it('describes /Users and /Groups with schemas that GET /Schemas lists', () => {
    expect(USER_RESOURCE_TYPE).toMatchObject({ id: 'User', name: 'User', endpoint: '/Users' });
    expect(USER_RESOURCE_TYPE.schema.id).toBe('urn:ietf:params:scim:schemas:core:2.0:User');
    expect(
      USER_RESOURCE_TYPE.schemaExtensions.map(({ schema, required }) => ({ schema: schema.id, required })),
    ).toEqual([
      { schema: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', required: false },
      { schema: 'urn:usher:params:scim:schemas:extension:account:2.0:User', required: false },
    ]);
    expect(GROUP_RESOURCE_TYPE).toMatchObject({ id: 'Group', name: 'Group', endpoint: '/Groups' });
    expect(GROUP_RESOURCE_TYPE.schema.id).toBe('urn:ietf:params:scim:schemas:core:2.0:Group');
    expect(GROUP_RESOURCE_TYPE.schemaExtensions.map(({ schema, required }) => ({ schema: schema.id, required }))).toEqual([
      { schema: 'urn:usher:params:scim:schemas:extension:persona:2.0:Group', required: false },
    ]);
    for (const resourceType of [USER_RESOURCE_TYPE, GROUP_RESOURCE_TYPE]) {
      for (const schema of [resourceType.schema, ...resourceType.schemaExtensions.map((e) => e.schema)]) {
        expect(ALL_SCHEMAS).toContain(schema);
      }
    }
  });
});

describe('toSchemaRepresentation (RFC 7643 §7)', () => {
  const location = 'https://scim.example.com/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User';
  const user = toSchemaRepresentation(schemaById('urn:ietf:params:scim:schemas:core:2.0:User')!, location);

  it('wraps the schema as a Schema resource', () => {
    expect(user.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:Schema']);
    expect(user.id).toBe('urn:ietf:params:scim:schemas:core:2.0:User');
    expect(user.name).toBe('User');
    expect(user.description).toBe('User Account');
    expect(user.meta).toEqual({ resourceType: 'Schema', location });
    expect(Object.keys(user).sort()).toEqual(['attributes', 'description', 'id', 'meta', 'name', 'schemas']);
  });

  it('spells out every characteristic and omits the optional ones that are absent', () => {
    const userName = user.attributes.find((a) => a.name === 'userName')!;
    expect(Object.keys(userName).sort()).toEqual(
      ['caseExact', 'description', 'multiValued', 'mutability', 'name', 'required', 'returned', 'type', 'uniqueness'],
    );
  });

  it('returns fresh objects, so callers cannot damage the definitions', () => {
    const first = toSchemaRepresentation(SCHEMA_SCHEMA, location);
    first.attributes[0]!.name = 'changed';
    first.attributes[3]!.subAttributes![1]!.canonicalValues!.push('changed');
    const second = toSchemaRepresentation(SCHEMA_SCHEMA, location);
    expect(second.attributes[0]!.name).toBe('id');
    expect(second.attributes[3]!.subAttributes![1]!.canonicalValues).not.toContain('changed');
  });

  // The representation of each schema must itself be a valid instance of the Schema schema.
  const attributeSchema = SCHEMA_SCHEMA.attributes.find((a) => a.name === 'attributes')!.subAttributes!;
  function conforms(representation: AttributeRepresentation, definitions: readonly AttributeDefinition[]): string[] {
    const problems: string[] = [];
    const record = representation as unknown as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!definitions.some((d) => d.name === key)) problems.push(`${representation.name}: unknown ${key}`);
    }
    for (const definition of definitions) {
      const value = record[definition.name];
      if (value === undefined) {
        if (definition.required) problems.push(`${representation.name}: missing ${definition.name}`);
        continue;
      }
      if (definition.canonicalValues && !definition.canonicalValues.includes(value as string)) {
        problems.push(`${representation.name}: ${definition.name} ${String(value)}`);
      }
      // §8.7.2 can describe one level of nesting only, yet describes itself with two: check every
      // level against the full list of characteristics.
      if (definition.name === 'subAttributes') {
        for (const sub of value as AttributeRepresentation[]) problems.push(...conforms(sub, attributeSchema));
      }
    }
    return problems;
  }

  it.each(ALL_SCHEMAS.map((schema) => ({ id: schema.id, schema })))('$id conforms to the Schema schema', ({ schema }) => {
    const representation = toSchemaRepresentation(schema, location);
    expect(representation.attributes.flatMap((a) => conforms(a, attributeSchema))).toEqual([]);
    expect(JSON.parse(JSON.stringify(representation))).toEqual(representation);
  });
});
