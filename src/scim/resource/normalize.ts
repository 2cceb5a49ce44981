// Turns a client's resource body into its canonical form, checked against the schema (RFC 7643 §2, §3; RFC 7644 §3.3, §3.5.1).
import { ScimError } from '../errors.js';
import { COMMON_ATTRIBUTES } from '../schema/common.js';
import { maxBytesOf } from '../schema/limits.js';
import { findAttribute } from '../schema/resolve.js';
import { utf8Length } from '../text.js';
import type { AttributeDefinition, ResourceTypeDefinition, SchemaDefinition } from '../schema/types.js';

/** A resource in canonical form: attribute names as the schema spells them, extensions keyed by their schema id. */
export type ResourceData = Record<string, unknown>;

/**
 * Schema URNs that clients add to bodies without defining attributes we keep. Microsoft Entra ID puts
 * this one on every Group it creates (learn.microsoft.com, "Tutorial: Develop and plan provisioning
 * for a SCIM endpoint", Group creation request).
 */
const IGNORED_SCHEMA_URNS = ['http://schemas.microsoft.com/2006/11/resourcemanagement/adscim/2.0/group'];

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}$/;

/** Whether a parsed instant lies in years 1 to 9999: filters cast dateTimes to timestamptz, which refuses year 0000. */
function inYears(time: number): boolean {
  if (Number.isNaN(time)) return false;
  const year = new Date(time).getUTCFullYear();
  return year >= 1 && year <= 9999;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

/** The text if it fits the attribute's limit (schema/limits.ts); indexed attributes must stay under PostgreSQL's B-tree limit. */
function bounded(definition: AttributeDefinition, value: string, path: string): string {
  const max = maxBytesOf(definition);
  // Every character takes at most 3 UTF-8 bytes per UTF-16 code unit, so most values need no count.
  if (value.length * 3 <= max) return value;
  const bytes = utf8Length(value);
  if (bytes > max) {
    throw ScimError.invalidValue(`Attribute '${path}' is ${bytes} bytes long (UTF-8); it holds at most ${max} bytes.`);
  }
  return value;
}

function coerceScalar(definition: AttributeDefinition, value: unknown, path: string): unknown {
  const wrongType = (expected: string) =>
    ScimError.invalidValue(`Attribute '${path}' must be ${expected}, got ${describe(value)}.`);
  switch (definition.type) {
    case 'string':
    case 'reference':
      // RFC 7643 §2.3.1: a string is a JSON string. A number (employeeNumber: 42) is refused rather than turned into text,
      // so that what a client reads back is what it sent.
      if (typeof value !== 'string') throw wrongType('a string');
      return bounded(definition, value, path);
    case 'boolean':
      if (typeof value === 'boolean') return value;
      // Microsoft Entra ID sends booleans as strings ("True", "False").
      if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
      throw wrongType('a boolean');
    case 'integer':
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      throw wrongType('an integer');
    case 'decimal':
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      throw wrongType('a number');
    case 'dateTime':
      if (typeof value !== 'string' || !DATE_TIME.test(value) || !inYears(Date.parse(value))) {
        throw wrongType('an xsd:dateTime such as "2026-01-01T00:00:00Z"');
      }
      return value;
    case 'binary':
      if (typeof value !== 'string' || !BASE64.test(value)) throw wrongType('base64-encoded binary');
      return bounded(definition, value, path);
    case 'complex':
      throw new Error('complex attributes are not scalars');
  }
}

function normalizeComplex(
  definition: AttributeDefinition,
  value: unknown,
  path: string,
): Record<string, unknown> | undefined {
  if (!isObject(value)) {
    throw ScimError.invalidValue(`Attribute '${path}' must be an object, got ${describe(value)}.`);
  }
  const result = normalizeAttributes(definition.subAttributes ?? [], value, path);
  return Object.keys(result).length > 0 ? result : undefined;
}

function normalizeValue(
  definition: AttributeDefinition,
  value: unknown,
  path: string,
): unknown {
  if (definition.type === 'complex') return normalizeComplex(definition, value, path);
  return coerceScalar(definition, value, path);
}

function normalizeMultiValued(
  definition: AttributeDefinition,
  value: unknown,
  path: string,
): unknown[] | undefined {
  // One value where a list belongs is unambiguous: treat it as a list of one.
  const items = Array.isArray(value) ? value : [value];
  const result: unknown[] = [];
  items.forEach((item, index) => {
    if (item === null || item === undefined) return;
    const normalized = normalizeValue(definition, item, `${path}[${index}]`);
    if (normalized !== undefined) result.push(normalized);
  });
  if (definition.type === 'complex') {
    const primaries = result.filter((item) => (item as Record<string, unknown>).primary === true).length;
    if (primaries > 1) {
      throw ScimError.invalidValue(`Attribute '${path}' has ${primaries} values with "primary": true; at most one may be primary.`);
    }
  }
  return result.length > 0 ? result : undefined;
}

/**
 * Checks and canonicalises the value of one attribute (or sub-attribute) as it would appear in a body: a list
 * for a multi-valued attribute, an object for a complex one. Undefined when nothing is left of it.
 */
export function normalizeAttributeValue(definition: AttributeDefinition, value: unknown, path: string): unknown {
  if (value === null || value === undefined) return undefined;
  return definition.multiValued ? normalizeMultiValued(definition, value, path) : normalizeValue(definition, value, path);
}

function normalizeAttributes(
  definitions: readonly AttributeDefinition[],
  input: Record<string, unknown>,
  parentPath: string,
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    const definition = findAttribute(definitions, key);
    // Unknown attributes are ignored (RFC 7644 §3.3 lets the service provider drop what it does not support);
    // readOnly ones are the server's to set (RFC 7643 §2.2), so a client's copy is ignored too.
    if (!definition || definition.mutability === 'readOnly') continue;
    // null is the same as unassigned (RFC 7643 §2.5).
    if (value === null || value === undefined) continue;
    const path = parentPath ? `${parentPath}.${definition.name}` : definition.name;
    if (definition.name in result) {
      throw ScimError.invalidSyntax(`Attribute '${path}' appears more than once (attribute names are case-insensitive).`);
    }
    const normalized = definition.multiValued
      ? normalizeMultiValued(definition, value, path)
      : normalizeValue(definition, value, path);
    if (normalized !== undefined) result[definition.name] = normalized;
  }
  return result;
}

function checkRequired(
  definitions: readonly AttributeDefinition[],
  data: Record<string, unknown>,
  parentPath: string,
): void {
  for (const definition of definitions) {
    const path = parentPath ? `${parentPath}.${definition.name}` : definition.name;
    const value = data[definition.name];
    if (definition.required && definition.mutability !== 'readOnly' && value === undefined) {
      throw ScimError.invalidValue(`Attribute '${path}' is required.`);
    }
    // A required string must be non-empty (RFC 7643 §4.1.1: "Each User MUST include a non-empty userName value").
    if (definition.required && value === '') {
      throw ScimError.invalidValue(`Attribute '${path}' is required and must not be empty.`);
    }
    if (definition.type === 'complex' && value !== undefined) {
      const items = definition.multiValued ? (value as unknown[]) : [value];
      for (const item of items) checkRequired(definition.subAttributes ?? [], item as Record<string, unknown>, path);
    }
  }
}

function schemaKey(resourceType: ResourceTypeDefinition, key: string): SchemaDefinition | undefined {
  const lower = key.toLowerCase();
  return resourceType.schemaExtensions.find((extension) => extension.schema.id.toLowerCase() === lower)?.schema;
}

/**
 * Splits a body key of the form `<extension urn>:<attribute>` (as some clients write extension attributes
 * at the top level) into the extension and the attribute name.
 */
function splitQualifiedKey(
  resourceType: ResourceTypeDefinition,
  key: string,
): { schema: SchemaDefinition; attribute: string } | undefined {
  const lower = key.toLowerCase();
  for (const schema of [resourceType.schema, ...resourceType.schemaExtensions.map((e) => e.schema)]) {
    const prefix = `${schema.id.toLowerCase()}:`;
    if (lower.startsWith(prefix) && key.length > prefix.length) return { schema, attribute: key.slice(prefix.length) };
  }
  return undefined;
}

function checkSchemas(resourceType: ResourceTypeDefinition, schemas: unknown): void {
  if (schemas === undefined) {
    throw ScimError.invalidSyntax(`The "schemas" attribute is required and must include "${resourceType.schema.id}".`);
  }
  if (!Array.isArray(schemas) || schemas.some((urn) => typeof urn !== 'string')) {
    throw ScimError.invalidSyntax('The "schemas" attribute must be an array of schema URNs.');
  }
  const known = new Set([resourceType.schema.id, ...resourceType.schemaExtensions.map((e) => e.schema.id)].map((id) => id.toLowerCase()));
  let hasCore = false;
  for (const urn of schemas as string[]) {
    const lower = urn.toLowerCase();
    if (lower === resourceType.schema.id.toLowerCase()) hasCore = true;
    else if (!known.has(lower) && !IGNORED_SCHEMA_URNS.includes(lower)) {
      throw ScimError.invalidValue(`Unknown schema "${urn}" for resource type ${resourceType.name}.`);
    }
  }
  if (!hasCore) {
    throw ScimError.invalidSyntax(`The "schemas" attribute must include "${resourceType.schema.id}".`);
  }
}

/**
 * Validates and canonicalises a POST or PUT body. Unknown and readOnly attributes are dropped, names take
 * the schema's spelling, values take the schema's types, and required attributes must be present.
 */
export function normalizeResource(
  resourceType: ResourceTypeDefinition,
  body: unknown,
): ResourceData {
  if (!isObject(body)) throw ScimError.invalidSyntax(`The request body must be a JSON object, got ${describe(body)}.`);
  const core: Record<string, unknown> = {};
  const extensions = new Map<SchemaDefinition, Record<string, unknown>>();
  const addToExtension = (schema: SchemaDefinition, values: Record<string, unknown>) => {
    extensions.set(schema, { ...(extensions.get(schema) ?? {}), ...values });
  };

  for (const [key, value] of Object.entries(body)) {
    if (key.toLowerCase() === 'schemas') continue;
    const extension = schemaKey(resourceType, key);
    if (extension) {
      if (value === null) continue;
      if (!isObject(value)) throw ScimError.invalidValue(`Extension '${extension.id}' must be an object, got ${describe(value)}.`);
      addToExtension(extension, value);
      continue;
    }
    const qualified = splitQualifiedKey(resourceType, key);
    if (qualified && qualified.schema !== resourceType.schema) {
      addToExtension(qualified.schema, { [qualified.attribute]: value });
    } else {
      core[qualified ? qualified.attribute : key] = value;
    }
  }
  checkSchemas(resourceType, (body as Record<string, unknown>).schemas ?? findCaseInsensitive(body, 'schemas'));

  // The common attributes (RFC 7643 §3.1) sit beside the core schema's: externalId is the client's to set.
  const coreDefinitions = [...COMMON_ATTRIBUTES, ...resourceType.schema.attributes];
  const data: ResourceData = normalizeAttributes(coreDefinitions, core, '');
  checkRequired(coreDefinitions, data, '');
  for (const { schema, required } of resourceType.schemaExtensions) {
    const values = extensions.get(schema);
    const normalized = values ? normalizeAttributes(schema.attributes, values, schema.id) : {};
    if (Object.keys(normalized).length > 0) {
      checkRequired(schema.attributes, normalized, schema.id);
      data[schema.id] = normalized;
    } else if (required) {
      throw ScimError.invalidValue(`Extension '${schema.id}' is required.`);
    }
  }
  return data;
}

function findCaseInsensitive(body: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(body).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : body[key];
}

/** A document as a body again: `schemas` lists the core schema and each extension the document holds. */
export function withSchemas(resourceType: ResourceTypeDefinition, data: ResourceData): Record<string, unknown> {
  const extensions = resourceType.schemaExtensions.map((e) => e.schema.id).filter((id) => id in data);
  return { schemas: [resourceType.schema.id, ...extensions], ...data };
}

/** Deep equality of two canonical documents, ignoring the order of object keys (JSONB does not keep it). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => sameJson(item, b[i]));
  }
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => key in b && sameJson(a[key], b[key]));
}
