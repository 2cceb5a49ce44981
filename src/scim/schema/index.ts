// The public face of the schema definitions (RFC 7643 §3, §4, §5-§7, §8.7): data, lookups and the §7 representation.

export { attribute } from './types.js';
export type {
  AttributeDefinition,
  AttributeType,
  Mutability,
  ResourceTypeDefinition,
  Returned,
  SchemaDefinition,
  SchemaExtensionRef,
  Uniqueness,
} from './types.js';
export { COMMON_ATTRIBUTES } from './common.js';
export { USER_SCHEMA } from './user.js';
export { GROUP_SCHEMA } from './group.js';
export { ENTERPRISE_USER_SCHEMA } from './enterprise-user.js';
export { RESOURCE_TYPE_SCHEMA, SCHEMA_SCHEMA, SERVICE_PROVIDER_CONFIG_SCHEMA } from './meta-schemas.js';
export { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from './resource-types.js';
export { ALL_SCHEMAS, findAttribute, resolveAttributePath, schemaById, toSchemaRepresentation } from './resolve.js';
export type {
  AttributePathInput,
  AttributeRepresentation,
  ResolvedAttribute,
  SchemaRepresentation,
} from './resolve.js';
