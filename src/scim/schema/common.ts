// The attributes every SCIM resource carries whatever its schema (RFC 7643 §3.1): id, externalId and meta.

import { attribute } from './types.js';
import { IDENTIFIER_MAX_BYTES } from './limits.js';
import type { AttributeDefinition } from './types.js';

/**
 * RFC 7643 §3.1's common attributes. They belong to no schema's `attributes` list (the RFC's own
 * §8.7.1 representation leaves them out), so resolvers consult this list before the core schema.
 * `schemas` is deliberately absent: it is a structural member of every message, not an attribute.
 */
export const COMMON_ATTRIBUTES: readonly AttributeDefinition[] = [
  attribute('id', 'string', {
    description:
      'A unique identifier for a SCIM resource as defined by the service provider.  Each representation of the resource MUST include a non-empty "id" value.  This identifier MUST be unique across the SCIM service provider\'s entire set of resources.  It MUST be a stable, non-reassignable identifier that does not change when the same resource is returned in subsequent requests.  The value of the "id" attribute is always issued by the service provider and MUST NOT be specified by the client.',
    // Not `required`: §2.2 "required" constrains what clients send, and clients never send an id.
    caseExact: true,
    mutability: 'readOnly',
    returned: 'always',
    uniqueness: 'server',
  }),
  attribute('externalId', 'string', {
    description:
      'A String that is an identifier for the resource as defined by the provisioning client.  Each resource MAY include a non-empty "externalId" value.  The value of the "externalId" attribute is always issued by the provisioning client and MUST NOT be specified by the service provider.',
    caseExact: true,
    maxBytes: IDENTIFIER_MAX_BYTES,
  }),
  attribute('meta', 'complex', {
    description:
      'A complex attribute containing resource metadata.  All "meta" sub-attributes are assigned by the service provider (have a "mutability" of "readOnly"), and all of these sub-attributes have a "returned" characteristic of "default".  This attribute SHALL be ignored when provided by clients.',
    mutability: 'readOnly',
    subAttributes: [
      attribute('resourceType', 'string', {
        description:
          'The name of the resource type of the resource.  This attribute has a mutability of "readOnly" and "caseExact" as "true".',
        caseExact: true,
        mutability: 'readOnly',
      }),
      attribute('created', 'dateTime', {
        description:
          'The "DateTime" that the resource was added to the service provider.  This attribute MUST be a DateTime.',
        mutability: 'readOnly',
      }),
      attribute('lastModified', 'dateTime', {
        description:
          'The most recent DateTime that the details of this resource were updated at the service provider.  If this resource has never been modified since its initial creation, the value MUST be the same as the value of "created".',
        mutability: 'readOnly',
      }),
      attribute('location', 'reference', {
        description:
          'The URI of the resource being returned.  This value MUST be the same as the "Content-Location" HTTP response header (see Section 3.1.4.2 of RFC 7231).',
        referenceTypes: ['uri'],
        mutability: 'readOnly',
      }),
      attribute('version', 'string', {
        description:
          'The version of the resource being returned.  This value must be the same as the entity-tag (ETag) HTTP response header (see Sections 2.1 and 2.3 of RFC 7232).  This attribute has "caseExact" as "true".',
        caseExact: true,
        mutability: 'readOnly',
      }),
    ],
  }),
];
