// Finds attribute definitions by name and path, case-insensitively (RFC 7643 §2.1, RFC 7644 §3.10), and renders schemas as RFC 7643 §7 resources.

import { ACCOUNT_SCHEMA } from './account.js';
import { COMMON_ATTRIBUTES } from './common.js';
import { ENTERPRISE_USER_SCHEMA } from './enterprise-user.js';
import { GROUP_SCHEMA } from './group.js';
import { HISTORY_ENTRY_SCHEMA } from './history-entry.js';
import { RESOURCE_TYPE_SCHEMA, SCHEMA_SCHEMA, SERVICE_PROVIDER_CONFIG_SCHEMA } from './meta-schemas.js';
import { PERSONA_SCHEMA } from './persona.js';
import type {
  AttributeDefinition,
  AttributeType,
  Mutability,
  ResourceTypeDefinition,
  Returned,
  SchemaDefinition,
  Uniqueness,
} from './types.js';
import { USER_SCHEMA } from './user.js';

/** Every schema this server defines, in the order GET /Schemas lists them. */
export const ALL_SCHEMAS: readonly SchemaDefinition[] = [
  USER_SCHEMA,
  ENTERPRISE_USER_SCHEMA,
  ACCOUNT_SCHEMA,
  GROUP_SCHEMA,
  PERSONA_SCHEMA,
  HISTORY_ENTRY_SCHEMA,
  SERVICE_PROVIDER_CONFIG_SCHEMA,
  RESOURCE_TYPE_SCHEMA,
  SCHEMA_SCHEMA,
];

export interface AttributePathInput {
  readonly uri?: string;
  readonly name: string;
  readonly subAttr?: string;
}

export interface ResolvedAttribute {
  schema: SchemaDefinition;
  attribute: AttributeDefinition;
  subAttribute?: AttributeDefinition;
  /** True for RFC 7643 §3.1's id, externalId and meta; `schema` is then the resource type's core schema. */
  common: boolean;
}

// Attribute names and schema URNs are ASCII (RFC 7643 §2.1 ATTRNAME), so lower-casing is enough.
function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** The attribute called `name` in `list`, ignoring case as RFC 7643 §2.1 requires. */
export function findAttribute(list: readonly AttributeDefinition[], name: string): AttributeDefinition | undefined {
  // Stored resources and most requests spell names as the schema does: that match costs no lower-casing, and it is
  // the only match there is (a schema's names differ in more than case). Every resource rendered asks this per key.
  for (const candidate of list) if (candidate.name === name) return candidate;
  return list.find((candidate) => sameName(candidate.name, name));
}

/** A schema this server defines, by its URN in any case. */
export function schemaById(id: string): SchemaDefinition | undefined {
  return ALL_SCHEMAS.find((schema) => sameName(schema.id, id));
}

/**
 * Resolves an attribute path of a resource type to its definitions. With a `uri`, only that schema
 * (core or one of the resource type's extensions) is searched, plus the common attributes for the
 * core URN. Without one, the common attributes come first, then the core schema, then, because
 * clients often leave out an extension's URN, the one extension that defines the name, if only one
 * does. Returns undefined for unknown names, for a `subAttr` of a simple attribute and for paths
 * deeper than attribute.subAttribute.
 */
export function resolveAttributePath(
  resourceType: ResourceTypeDefinition,
  path: AttributePathInput,
): ResolvedAttribute | undefined {
  const core = resourceType.schema;
  const schemas = [core, ...resourceType.schemaExtensions.map((extension) => extension.schema)];
  const qualified = path.uri !== undefined || /^urn:/i.test(path.name);

  if (qualified) {
    // Rejoin the pieces and split again at a known URN: parsers disagree on where a URN ends
    // (its "2.0" has a dot), so "urn:...:User:name" + "givenName" and "urn:...:User" + "name.givenName"
    // must mean the same thing.
    const full = [path.uri === undefined ? path.name : `${path.uri}:${path.name}`, path.subAttr]
      .filter((part) => part !== undefined)
      .join('.');
    const schema = schemas
      .filter((candidate) => full.toLowerCase().startsWith(`${candidate.id.toLowerCase()}:`))
      .sort((a, b) => b.id.length - a.id.length)[0];
    if (schema === undefined) return undefined;
    const attrPath = splitAttrPath(full.slice(schema.id.length + 1), undefined);
    if (attrPath === undefined) return undefined;
    const attribute = findAttribute(schema.attributes, attrPath.name);
    if (attribute !== undefined) return withSubAttribute(schema, attribute, false, attrPath.subAttr);
    const common = schema === core ? findAttribute(COMMON_ATTRIBUTES, attrPath.name) : undefined;
    return common === undefined ? undefined : withSubAttribute(core, common, true, attrPath.subAttr);
  }

  const attrPath = splitAttrPath(path.name, path.subAttr);
  if (attrPath === undefined) return undefined;
  const common = findAttribute(COMMON_ATTRIBUTES, attrPath.name);
  if (common !== undefined) return withSubAttribute(core, common, true, attrPath.subAttr);
  const attribute = findAttribute(core.attributes, attrPath.name);
  if (attribute !== undefined) return withSubAttribute(core, attribute, false, attrPath.subAttr);
  const inExtensions = schemas
    .slice(1)
    .flatMap((schema) => {
      const found = findAttribute(schema.attributes, attrPath.name);
      return found === undefined ? [] : [{ schema, attribute: found }];
    });
  const only = inExtensions.length === 1 ? inExtensions[0] : undefined;
  return only === undefined ? undefined : withSubAttribute(only.schema, only.attribute, false, attrPath.subAttr);
}

/** "name.givenName" becomes name + subAttr; anything deeper or with empty parts is not a SCIM path. */
function splitAttrPath(name: string, subAttr: string | undefined): { name: string; subAttr?: string } | undefined {
  const parts = subAttr === undefined ? name.split('.') : [name, subAttr];
  if (parts.length > 2 || parts.some((part) => part === '')) return undefined;
  const [first, second] = parts;
  if (first === undefined) return undefined;
  return second === undefined ? { name: first } : { name: first, subAttr: second };
}

function withSubAttribute(
  schema: SchemaDefinition,
  attribute: AttributeDefinition,
  common: boolean,
  subAttr: string | undefined,
): ResolvedAttribute | undefined {
  if (subAttr === undefined) return { schema, attribute, common };
  if (attribute.type !== 'complex' || attribute.subAttributes === undefined) return undefined;
  const subAttribute = findAttribute(attribute.subAttributes, subAttr);
  return subAttribute === undefined ? undefined : { schema, attribute, subAttribute, common };
}

export interface AttributeRepresentation {
  name: string;
  type: AttributeType;
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: Mutability;
  returned: Returned;
  uniqueness: Uniqueness;
  canonicalValues?: string[];
  referenceTypes?: string[];
  subAttributes?: AttributeRepresentation[];
}

export interface SchemaRepresentation {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'];
  id: string;
  name: string;
  description: string;
  attributes: AttributeRepresentation[];
  meta: { resourceType: 'Schema'; location: string };
}

/** The RFC 7643 §7 resource for `schema`, every characteristic spelled out, as GET /Schemas serves it. */
export function toSchemaRepresentation(schema: SchemaDefinition, location: string): SchemaRepresentation {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
    id: schema.id,
    name: schema.name,
    description: schema.description,
    attributes: schema.attributes.map(toAttributeRepresentation),
    meta: { resourceType: 'Schema', location },
  };
}

// Fresh objects and arrays, so that callers may decorate the result without touching the definitions.
function toAttributeRepresentation(attribute: AttributeDefinition): AttributeRepresentation {
  return {
    name: attribute.name,
    type: attribute.type,
    multiValued: attribute.multiValued,
    description: attribute.description,
    required: attribute.required,
    caseExact: attribute.caseExact,
    mutability: attribute.mutability,
    returned: attribute.returned,
    uniqueness: attribute.uniqueness,
    ...(attribute.canonicalValues ? { canonicalValues: [...attribute.canonicalValues] } : {}),
    ...(attribute.referenceTypes ? { referenceTypes: [...attribute.referenceTypes] } : {}),
    ...(attribute.subAttributes ? { subAttributes: attribute.subAttributes.map(toAttributeRepresentation) } : {}),
  };
}
