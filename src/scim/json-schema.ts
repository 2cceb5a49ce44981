// JSON Schemas (2020-12, the dialect of OpenAPI 3.1) of the SCIM resources and messages, generated from the schema
// definitions that validate requests (RFC 7643 §2, §4, §8.7) and from RFC 7644's message formats (§3.4.2, §3.4.3,
// §3.5.2, §3.7, §3.12), so that a description of the API cannot say something the server does not do.
import { BULK_REQUEST_SCHEMA, BULK_RESPONSE_SCHEMA, MAX_BULK_OPERATIONS } from './bulk/request.js';
import { ERROR_SCHEMA, SCIM_TYPE_STATUS } from './errors.js';
import { LIST_RESPONSE_SCHEMA } from './list.js';
import { MAX_PATCH_OPERATIONS, PATCH_OP_SCHEMA } from './patch/parse.js';
import { COMMON_ATTRIBUTES } from './schema/common.js';
import { HISTORY_RESOURCE_TYPE } from './schema/history-entry.js';
import { maxBytesOf } from './schema/limits.js';
import { RESOURCE_TYPE_SCHEMA, SCHEMA_SCHEMA, SERVICE_PROVIDER_CONFIG_SCHEMA } from './schema/meta-schemas.js';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from './schema/resource-types.js';
import type { AttributeDefinition, ResourceTypeDefinition, SchemaDefinition } from './schema/types.js';

export type JsonSchema = Record<string, unknown>;

/** Where a named schema lives in the document that holds them all, e.g. `#/components/schemas/User`. */
export type RefOf = (name: string) => string;

export const SEARCH_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

/** The schema of a resource that may come with extensions, under a short name a document can refer to. */
interface Named {
  readonly name: string;
  readonly definition: SchemaDefinition;
}

/** A schema's short name: an extension's own name (EnterpriseUser), a core schema's the last part of its URN (ServiceProviderConfig). */
export const componentName = (definition: SchemaDefinition): string =>
  /:extension:/.test(definition.id) ? definition.name : definition.id.slice(definition.id.lastIndexOf(':') + 1);

/** What the text of an attribute's description adds to the RFC's: the characteristics JSON Schema has no word for. */
function describe(definition: AttributeDefinition): string {
  const notes: string[] = [];
  if (definition.mutability === 'immutable') notes.push('Immutable: set when the resource is created, never changed.');
  if (definition.uniqueness !== 'none') notes.push(`Unique (${definition.uniqueness}).`);
  if (definition.caseExact) notes.push('Case-exact.');
  if (definition.returned === 'always') notes.push('Always returned.');
  if (definition.returned === 'request') notes.push('Returned only when asked for with attributes.');
  if (definition.canonicalValues) notes.push(`Canonical values: ${definition.canonicalValues.join(', ')}.`);
  if (definition.referenceTypes) notes.push(`Reference to: ${definition.referenceTypes.join(', ')}.`);
  if (bounded(definition)) notes.push(`At most ${maxBytesOf(definition)} bytes (UTF-8).`);
  return [definition.description, ...notes].filter((text) => text !== '').join(' ');
}

/** Whether a client's value is held to a length (schema/limits.ts); the server's own (readOnly) values are not. */
function bounded(definition: AttributeDefinition): boolean {
  return ['string', 'reference', 'binary'].includes(definition.type) && definition.mutability !== 'readOnly';
}

/** One value of an attribute: what `normalize.ts` accepts for its type, in the canonical form clients send. */
function valueSchema(definition: AttributeDefinition): JsonSchema {
  // maxLength counts characters and every character is at least one byte: the byte limit bounds it from above.
  const length = bounded(definition) ? { maxLength: maxBytesOf(definition) } : {};
  switch (definition.type) {
    case 'string':
    case 'reference':
      return { type: 'string', ...length };
    case 'binary':
      return { type: 'string', contentEncoding: 'base64', ...length };
    case 'boolean':
      return { type: 'boolean' };
    case 'integer':
      return { type: 'integer' };
    case 'decimal':
      return { type: 'number' };
    case 'dateTime':
      return { type: 'string', format: 'date-time' };
    case 'complex':
      return objectSchema(definition.subAttributes ?? []);
  }
}

/** The JSON Schema of one attribute as it appears in a resource (RFC 7643 §2.2's characteristics as annotations). */
export function attributeJsonSchema(definition: AttributeDefinition): JsonSchema {
  const value = valueSchema(definition);
  const schema: JsonSchema = definition.multiValued ? { type: 'array', items: value } : { ...value };
  schema.description = describe(definition);
  if (definition.mutability === 'readOnly') schema.readOnly = true;
  if (definition.mutability === 'writeOnly' || definition.returned === 'never') schema.writeOnly = true;
  if (definition.canonicalValues && definition.canonicalValues.length > 0) schema.examples = [definition.multiValued ? [...definition.canonicalValues] : definition.canonicalValues[0]];
  return schema;
}

/**
 * An object of attributes. Unknown attributes are allowed: RFC 7644 §3.3 lets a server ignore what it does not
 * keep, and Usher does. Required attributes that the server sets itself (readOnly) are required only in answers,
 * as OpenAPI 3.1 reads `required` beside `readOnly`.
 */
function objectSchema(attributes: readonly AttributeDefinition[]): JsonSchema {
  const required = attributes.filter((a) => a.required).map((a) => a.name);
  // A property named "$ref" (members.$ref, manager.$ref) reads as a reference to OpenAPI tools that resolve them:
  // it goes in patternProperties, which says the same.
  const named = attributes.filter((a) => a.name !== '$ref');
  const ref = attributes.find((a) => a.name === '$ref');
  return {
    type: 'object',
    properties: Object.fromEntries(named.map((a) => [a.name, attributeJsonSchema(a)])),
    ...(ref ? { patternProperties: { '^\\$ref$': attributeJsonSchema(ref) } } : {}),
    ...(required.length > 0 ? { required } : {}),
  };
}

/** `schemas`: the URNs of the message or resource; `mustContain` is the one it is recognised by. */
function schemasAttribute(mustContain: string, others: readonly string[] = []): JsonSchema {
  return {
    type: 'array',
    items: { type: 'string', ...(others.length > 0 ? { examples: [mustContain, ...others] } : {}) },
    contains: { const: mustContain },
    minItems: 1,
    description: `The schema URNs of this body; must include "${mustContain}".`,
  };
}

/** An extension's attributes, as they sit under its URN in a resource. */
export function extensionJsonSchema(definition: SchemaDefinition): JsonSchema {
  return { title: definition.name, description: `${definition.description} (${definition.id})`, ...objectSchema(definition.attributes) };
}

/**
 * A resource type's resource as the server answers it: common attributes (RFC 7643 §3.1), its core schema, and each
 * extension under its URN. Only `schemas` is always there: `attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5)
 * can leave out any attribute not returned "always", so the answer of a projected request is described too.
 */
export function resourceJsonSchema(type: ResourceTypeDefinition, refOf: RefOf): JsonSchema {
  const { required: _required, ...core } = objectSchema([...COMMON_ATTRIBUTES, ...type.schema.attributes]);
  const extensions = type.schemaExtensions.map((e) => e.schema);
  return {
    ...core,
    title: type.name,
    description:
      `${type.description} (${type.schema.id}), served at ${type.endpoint}. An answer to a request with attributes or ` +
      'excludedAttributes holds only the attributes asked for and those always returned.',
    properties: {
      schemas: schemasAttribute(type.schema.id, extensions.map((e) => e.id)),
      ...(core.properties as JsonSchema),
      ...Object.fromEntries(extensions.map((e) => [e.id, { $ref: refOf(componentName(e)) }])),
    },
    required: ['schemas'],
  };
}

/** A resource as a client sends it (POST, PUT): the resource, with the attributes the schema requires of a client. */
export function resourceRequestJsonSchema(type: ResourceTypeDefinition, refOf: RefOf): JsonSchema {
  const required = [...COMMON_ATTRIBUTES, ...type.schema.attributes].filter((a) => a.required && a.mutability !== 'readOnly').map((a) => a.name);
  return {
    description: `A ${type.name} to create or to replace one with. Unknown and read-only attributes are ignored.`,
    allOf: [{ $ref: refOf(type.name) }],
    required: ['schemas', ...required],
  };
}

/** A discovery resource (RFC 7643 §5-§7): entirely the server's, so every attribute is readOnly. */
function discoveryJsonSchema(definition: SchemaDefinition): JsonSchema {
  const body = objectSchema([...definition.attributes, COMMON_ATTRIBUTES.find((a) => a.name === 'meta')!]);
  return {
    ...body,
    title: definition.name,
    description: `${definition.description} (${definition.id}).`,
    properties: { schemas: schemasAttribute(definition.id), ...(body.properties as JsonSchema) },
  };
}

/** RFC 7644 §3.4.2 with RFC 9865's cursors: a page of `items`. */
export function listResponseJsonSchema(items: JsonSchema): JsonSchema {
  return {
    type: 'object',
    description: 'A page of resources (RFC 7644 §3.4.2; cursors per RFC 9865).',
    properties: {
      schemas: schemasAttribute(LIST_RESPONSE_SCHEMA),
      totalResults: { type: 'integer', minimum: 0, description: 'How many resources match, over all pages.' },
      startIndex: { type: 'integer', minimum: 1, description: 'The 1-based index of the first resource of this page (index paging).' },
      itemsPerPage: { type: 'integer', minimum: 0, description: 'How many resources this page holds.' },
      nextCursor: { type: 'string', description: 'Where the next page starts (cursor paging); absent on the last page.' },
      previousCursor: { type: 'string', description: 'Where the previous page starts (cursor paging).' },
      Resources: { type: 'array', items },
    },
    required: ['schemas', 'itemsPerPage', 'Resources'],
  };
}

// An attribute list: RFC 7644 §3.4.3 sends arrays of names; a comma-separated string is accepted as in a query.
const attributeList = (what: string): JsonSchema => ({
  description: `${what}: attribute names, as an array or comma-separated.`,
  anyOf: [{ type: 'array', items: { type: 'string' } }, { type: 'string' }],
});

const searchRequest: JsonSchema = {
  type: 'object',
  description: 'A query in a POST body (RFC 7644 §3.4.3); parameter names are matched ignoring case.',
  properties: {
    schemas: schemasAttribute(SEARCH_REQUEST_SCHEMA),
    attributes: attributeList('The attributes to return'),
    excludedAttributes: attributeList('The attributes to leave out'),
    filter: { type: 'string', description: 'A filter expression (RFC 7644 §3.4.2.2), e.g. userName eq "bjensen".' },
    sortBy: { type: 'string', description: 'The attribute to sort by (RFC 7644 §3.4.2.3).' },
    sortOrder: { type: 'string', enum: ['ascending', 'descending'] },
    startIndex: { type: 'integer', description: '1-based index of the first result (index paging); not with cursor.' },
    count: { type: 'integer', description: 'The most results to return; capped at filter.maxResults of ServiceProviderConfig.' },
    cursor: { type: 'string', description: 'RFC 9865: "" for the first page of cursor paging, then a nextCursor.' },
  },
};

// Entra ID capitalises operation names ("Replace"); RFC 7644 §3.5.2 spells them in lower case. Both are accepted.
const PATCH_OP_NAMES = ['add', 'replace', 'remove'];

const patchOp: JsonSchema = {
  type: 'object',
  description: 'A PATCH request (RFC 7644 §3.5.2).',
  properties: {
    schemas: schemasAttribute(PATCH_OP_SCHEMA),
    Operations: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_PATCH_OPERATIONS,
      items: {
        type: 'object',
        properties: {
          op: { type: 'string', enum: [...PATCH_OP_NAMES, ...PATCH_OP_NAMES.map((n) => n[0]!.toUpperCase() + n.slice(1))] },
          path: { type: 'string', description: 'An attribute path (RFC 7644 §3.10), possibly with a value filter: emails[type eq "work"].value.' },
          value: { description: 'The value to add or replace with; without a path, an object of attributes.' },
        },
        required: ['op'],
        allOf: [
          { if: { properties: { op: { enum: ['remove', 'Remove'] } } }, then: { required: ['path'] }, else: { required: ['value'] } },
        ],
      },
    },
  },
  required: ['schemas', 'Operations'],
};

const bulkRequest: JsonSchema = {
  type: 'object',
  description: 'Several operations in one request (RFC 7644 §3.7).',
  properties: {
    schemas: schemasAttribute(BULK_REQUEST_SCHEMA),
    failOnErrors: { type: 'integer', minimum: 1, description: 'Stop after this many failed operations.' },
    Operations: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_BULK_OPERATIONS,
      items: {
        type: 'object',
        properties: {
          method: { type: 'string', enum: ['POST', 'PUT', 'PATCH', 'DELETE'] },
          bulkId: { type: 'string', minLength: 1, description: 'Required with POST; other operations refer to the new resource as "bulkId:<bulkId>".' },
          version: { type: 'string', description: 'The ETag the resource must have (If-Match).' },
          path: { type: 'string', description: '/Users or /Groups for POST; /Users/{id} or /Groups/{id} otherwise.' },
          data: { type: 'object', description: 'The resource (POST, PUT) or the PatchOp (PATCH).' },
        },
        required: ['method', 'path'],
        allOf: [
          { if: { properties: { method: { const: 'POST' } } }, then: { required: ['bulkId', 'data'] } },
          { if: { properties: { method: { enum: ['PUT', 'PATCH'] } } }, then: { required: ['data'] } },
        ],
      },
    },
  },
  required: ['schemas', 'Operations'],
};

const error: JsonSchema = {
  type: 'object',
  description: 'An error (RFC 7644 §3.12).',
  properties: {
    schemas: { type: 'array', items: { const: ERROR_SCHEMA }, minItems: 1 },
    status: { type: 'string', pattern: '^[1-5][0-9]{2}$', description: 'The HTTP status, as a string.' },
    scimType: {
      type: 'string',
      enum: Object.keys(SCIM_TYPE_STATUS),
      description: 'The kind of a 400 (or 409 uniqueness, 403 sensitive) error: RFC 7644 §3.12 Table 9, and RFC 9865 §4 for cursors.',
    },
    detail: { type: 'string', description: 'What went wrong, in words for a person.' },
  },
  required: ['schemas', 'status'],
};

function bulkResponse(refOf: RefOf): JsonSchema {
  return {
    type: 'object',
    description: 'What became of each operation of a BulkRequest (RFC 7644 §3.7); the answer is 200 whatever it holds.',
    properties: {
      schemas: schemasAttribute(BULK_RESPONSE_SCHEMA),
      Operations: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            method: { type: 'string' },
            bulkId: { type: 'string' },
            version: { type: 'string', description: 'The ETag of the resource after the operation.' },
            location: { type: 'string', description: 'The URL of the resource the operation created or changed.' },
            status: { type: 'string', pattern: '^[1-5][0-9]{2}$' },
            response: { $ref: refOf('Error'), description: 'Why the operation failed.' },
          },
          required: ['status'],
        },
      },
    },
    required: ['schemas', 'Operations'],
  };
}

/**
 * Every schema an API description needs, by name: the resources (User, Group, HistoryEntry and their extensions),
 * the discovery resources, and the messages. `refOf` says where a named schema lives, for the ones that refer to others.
 */
export function scimJsonSchemas(refOf: RefOf): Record<string, JsonSchema> {
  const resourceTypes = [USER_RESOURCE_TYPE, GROUP_RESOURCE_TYPE, HISTORY_RESOURCE_TYPE];
  const extensions: Named[] = resourceTypes.flatMap((type) => type.schemaExtensions.map((e) => ({ name: componentName(e.schema), definition: e.schema })));
  const discovery = [SERVICE_PROVIDER_CONFIG_SCHEMA, RESOURCE_TYPE_SCHEMA, SCHEMA_SCHEMA];
  const ref = (name: string) => ({ $ref: refOf(name) });
  return {
    ...Object.fromEntries(resourceTypes.map((type) => [type.name, resourceJsonSchema(type, refOf)])),
    // History is written by the server alone: no request carries a HistoryEntry.
    ...Object.fromEntries([USER_RESOURCE_TYPE, GROUP_RESOURCE_TYPE].map((type) => [`${type.name}Request`, resourceRequestJsonSchema(type, refOf)])),
    ...Object.fromEntries(extensions.map(({ name, definition }) => [name, extensionJsonSchema(definition)])),
    ...Object.fromEntries(discovery.map((definition) => [componentName(definition), discoveryJsonSchema(definition)])),
    ...Object.fromEntries(resourceTypes.map((type) => [`${type.name}ListResponse`, listResponseJsonSchema(ref(type.name))])),
    ResourceTypeListResponse: listResponseJsonSchema(ref(componentName(RESOURCE_TYPE_SCHEMA))),
    SchemaListResponse: listResponseJsonSchema(ref(componentName(SCHEMA_SCHEMA))),
    // POST /.search spans the resource types; each resource says which it is in schemas and meta.resourceType.
    SearchListResponse: listResponseJsonSchema({ anyOf: resourceTypes.map((type) => ref(type.name)) }),
    SearchRequest: searchRequest,
    PatchOp: patchOp,
    BulkRequest: bulkRequest,
    BulkResponse: bulkResponse(refOf),
    Error: error,
  };
}
