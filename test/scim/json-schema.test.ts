// The JSON Schemas generated from the schema definitions say what the definitions say (RFC 7643 §2.2, §7).
import { describe, expect, it } from 'vitest';
import { componentName, scimJsonSchemas } from '../../src/scim/json-schema.js';
import { ALL_SCHEMAS } from '../../src/scim/schema/resolve.js';
import { USER_NAME_MAX_BYTES } from '../../src/scim/schema/limits.js';

const schemas = scimJsonSchemas((name) => `#/$defs/${name}`);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const props = (name: string): Record<string, any> => schemas[name]!.properties as Record<string, any>;

describe('scimJsonSchemas', () => {
  it('has one schema for every schema the server defines, with every attribute', () => {
    for (const definition of ALL_SCHEMAS) {
      const schema = schemas[componentName(definition)];
      expect(schema, definition.id).toBeDefined();
      const properties = schema!.properties as Record<string, unknown>;
      const patterns = (schema!.patternProperties ?? {}) as Record<string, unknown>;
      for (const attribute of definition.attributes) {
        expect(attribute.name in properties || `^\\$ref$` in patterns, `${definition.id}:${attribute.name}`).toBe(true);
      }
    }
  });

  it('carries types, limits and mutability into JSON Schema', () => {
    const user = props('User');
    expect(user.userName).toMatchObject({ type: 'string', maxLength: USER_NAME_MAX_BYTES });
    expect(user.password).toMatchObject({ type: 'string', writeOnly: true });
    expect(user.active).toMatchObject({ type: 'boolean' });
    expect(user.id).toMatchObject({ readOnly: true });
    expect(user.id.maxLength).toBeUndefined();
    expect(user.groups).toMatchObject({ type: 'array', readOnly: true });
    expect(user.emails.items.properties.type.examples).toEqual(['work']);
    expect(user['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User']).toEqual({ $ref: '#/$defs/EnterpriseUser' });
    expect(props('Account').lastLogin).toMatchObject({ type: 'string', format: 'date-time', readOnly: true });
    // A member's "$ref" sits in patternProperties, where no OpenAPI tool takes it for a reference.
    expect(props('Group').members.items.patternProperties['^\\$ref$']).toMatchObject({ type: 'string' });
  });

  it('requires of a request what the definitions require of a client, and only schemas of an answer', () => {
    expect(schemas.User!.required).toEqual(['schemas']);
    expect(schemas.UserRequest!.required).toEqual(['schemas', 'userName']);
    expect(schemas.GroupRequest!.required).toEqual(['schemas', 'displayName']);
    expect(schemas.HistoryEntryRequest).toBeUndefined();
  });

  it('lists every scimType of RFC 7644 §3.12 in the Error schema', () => {
    expect(props('Error').scimType.enum).toEqual(expect.arrayContaining(['invalidFilter', 'tooMany', 'uniqueness', 'mutability', 'invalidSyntax', 'invalidPath', 'noTarget', 'invalidValue', 'invalidVers', 'sensitive']));
  });
});
