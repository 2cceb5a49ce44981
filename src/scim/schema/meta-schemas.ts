// The schemas of the discovery resources themselves, ServiceProviderConfig, ResourceType and Schema (RFC 7643 §8.7.2; prose in §5, §6, §7).

import { attribute } from './types.js';
import type { AttributeDefinition, SchemaDefinition } from './types.js';

const SUPPORTED = attribute('supported', 'boolean', {
  description: 'A Boolean value specifying whether or not the operation is supported.',
  required: true,
  mutability: 'readOnly',
});

function feature(name: string, description: string, extra: readonly AttributeDefinition[] = []) {
  return attribute(name, 'complex', {
    description,
    required: true,
    mutability: 'readOnly',
    subAttributes: [SUPPORTED, ...extra],
  });
}

function readOnlyInteger(name: string, description: string) {
  return attribute(name, 'integer', { description, required: true, mutability: 'readOnly' });
}

export const SERVICE_PROVIDER_CONFIG_SCHEMA: SchemaDefinition = {
  id: 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
  name: 'Service Provider Configuration',
  description: "Schema for representing the service provider's configuration",
  attributes: [
    attribute('documentationUri', 'reference', {
      description: "An HTTP-addressable URL pointing to the service provider's human-consumable help documentation.",
      referenceTypes: ['external'],
      mutability: 'readOnly',
    }),
    feature('patch', 'A complex type that specifies PATCH configuration options.'),
    feature('bulk', 'A complex type that specifies bulk configuration options.', [
      readOnlyInteger('maxOperations', 'An integer value specifying the maximum number of operations.'),
      readOnlyInteger('maxPayloadSize', 'An integer value specifying the maximum payload size in bytes.'),
    ]),
    feature('filter', 'A complex type that specifies FILTER options.', [
      readOnlyInteger('maxResults', 'An integer value specifying the maximum number of resources returned in a response.'),
    ]),
    feature('changePassword', 'A complex type that specifies configuration options related to changing a password.'),
    feature('sort', 'A complex type that specifies sort result options.'),
    // §8.7.2 forgets "etag", which §5 makes REQUIRED and §8.5's example shows.
    feature('etag', 'A complex type that specifies ETag configuration options.'),
    attribute('authenticationSchemes', 'complex', {
      multiValued: true,
      description: 'A complex type that specifies supported authentication scheme properties.',
      required: true,
      mutability: 'readOnly',
      subAttributes: [
        // §8.7.2 forgets "type", which §5 makes REQUIRED; "primary" is §2.4's and §8.5's example uses it.
        attribute('type', 'string', {
          description:
            'The authentication scheme.  This specification defines the values "oauth", "oauth2", "oauthbearertoken", "httpbasic", and "httpdigest".',
          required: true,
          canonicalValues: ['oauth', 'oauth2', 'oauthbearertoken', 'httpbasic', 'httpdigest'],
          mutability: 'readOnly',
        }),
        attribute('name', 'string', {
          description: 'The common authentication scheme name, e.g., HTTP Basic.',
          required: true,
          mutability: 'readOnly',
        }),
        attribute('description', 'string', {
          description: 'A description of the authentication scheme.',
          required: true,
          mutability: 'readOnly',
        }),
        attribute('specUri', 'reference', {
          description: "An HTTP-addressable URL pointing to the authentication scheme's specification.",
          referenceTypes: ['external'],
          mutability: 'readOnly',
        }),
        attribute('documentationUri', 'reference', {
          description: "An HTTP-addressable URL pointing to the authentication scheme's usage documentation.",
          referenceTypes: ['external'],
          mutability: 'readOnly',
        }),
        attribute('primary', 'boolean', {
          description:
            "A Boolean value indicating the 'primary' or preferred authentication scheme.  The primary attribute value 'true' MUST appear no more than once.",
          mutability: 'readOnly',
        }),
      ],
    }),
  ],
};

export const RESOURCE_TYPE_SCHEMA: SchemaDefinition = {
  id: 'urn:ietf:params:scim:schemas:core:2.0:ResourceType',
  name: 'ResourceType',
  description: 'Specifies the schema that describes a SCIM resource type',
  attributes: [
    attribute('id', 'string', {
      description: "The resource type's server unique id. May be the same as the 'name' attribute.",
      mutability: 'readOnly',
    }),
    attribute('name', 'string', {
      description: "The resource type name.  When applicable, service providers MUST specify the name, e.g., 'User'.",
      required: true,
      mutability: 'readOnly',
    }),
    attribute('description', 'string', {
      description:
        "The resource type's human-readable description.  When applicable, service providers MUST specify the description.",
      mutability: 'readOnly',
    }),
    attribute('endpoint', 'reference', {
      description: "The resource type's HTTP-addressable endpoint relative to the Base URL, e.g., '/Users'.",
      required: true,
      referenceTypes: ['uri'],
      mutability: 'readOnly',
    }),
    attribute('schema', 'reference', {
      description: "The resource type's primary/base schema URI.",
      required: true,
      caseExact: true,
      referenceTypes: ['uri'],
      mutability: 'readOnly',
    }),
    // §8.7.2 says single-valued and required; §6 says "A list of URIs ... OPTIONAL" and §8.6's
    // examples send an array (and omit it for Group). The prose and examples are followed.
    attribute('schemaExtensions', 'complex', {
      multiValued: true,
      description: "A list of URIs of the resource type's schema extensions.",
      mutability: 'readOnly',
      subAttributes: [
        attribute('schema', 'reference', {
          description: 'The URI of a schema extension.',
          required: true,
          caseExact: true,
          referenceTypes: ['uri'],
          mutability: 'readOnly',
        }),
        attribute('required', 'boolean', {
          description:
            'A Boolean value that specifies whether or not the schema extension is required for the resource type.  If true, a resource of this type MUST include this schema extension and also include any attributes declared as required in this schema extension. If false, a resource of this type MAY omit this schema extension.',
          required: true,
          mutability: 'readOnly',
        }),
      ],
    }),
  ],
};

/**
 * The characteristics an attribute definition spells out (§7), shared by "attributes" and its
 * "subAttributes" as §8.7.2 repeats them.
 */
function characteristics(): AttributeDefinition[] {
  return [
    attribute('name', 'string', {
      description: "The attribute's name.",
      required: true,
      caseExact: true,
      mutability: 'readOnly',
    }),
    attribute('type', 'string', {
      description:
        "The attribute's data type.  Valid values include 'string', 'complex', 'boolean', 'decimal', 'integer', 'dateTime', 'reference'.",
      required: true,
      // §8.7.2 forgets "binary", a type of §2.3.6 that x509Certificates.value uses.
      canonicalValues: ['string', 'complex', 'boolean', 'decimal', 'integer', 'dateTime', 'reference', 'binary'],
      mutability: 'readOnly',
    }),
    attribute('multiValued', 'boolean', {
      description: "A Boolean value indicating an attribute's plurality.",
      required: true,
      mutability: 'readOnly',
    }),
    attribute('description', 'string', {
      description: 'A human-readable description of the attribute.',
      caseExact: true,
      mutability: 'readOnly',
    }),
    attribute('required', 'boolean', {
      description: 'A boolean value indicating whether or not the attribute is required.',
      mutability: 'readOnly',
    }),
    attribute('canonicalValues', 'string', {
      multiValued: true,
      description:
        "A collection of canonical values.  When applicable, service providers MUST specify the canonical types, e.g., 'work', 'home'.",
      caseExact: true,
      mutability: 'readOnly',
    }),
    attribute('caseExact', 'boolean', {
      description: 'A Boolean value indicating whether or not a string attribute is case sensitive.',
      mutability: 'readOnly',
    }),
    attribute('mutability', 'string', {
      description: 'Indicates whether or not an attribute is modifiable.',
      caseExact: true,
      canonicalValues: ['readOnly', 'readWrite', 'immutable', 'writeOnly'],
      mutability: 'readOnly',
    }),
    attribute('returned', 'string', {
      description: 'Indicates when an attribute is returned in a response (e.g., to a query).',
      caseExact: true,
      canonicalValues: ['always', 'never', 'default', 'request'],
      mutability: 'readOnly',
    }),
    attribute('uniqueness', 'string', {
      description: 'Indicates how unique a value must be.',
      caseExact: true,
      canonicalValues: ['none', 'server', 'global'],
      mutability: 'readOnly',
    }),
    // §8.7.2 marks the nested copy single-valued; it is a list in both places (§7).
    attribute('referenceTypes', 'string', {
      multiValued: true,
      description:
        "Used only with an attribute of type 'reference'.  Specifies a SCIM resourceType that a reference attribute MAY refer to, e.g., 'User'.",
      caseExact: true,
      mutability: 'readOnly',
    }),
  ];
}

export const SCHEMA_SCHEMA: SchemaDefinition = {
  id: 'urn:ietf:params:scim:schemas:core:2.0:Schema',
  name: 'Schema',
  description: 'Specifies the schema that describes a SCIM schema',
  attributes: [
    attribute('id', 'string', {
      description: 'The unique URI of the schema. When applicable, service providers MUST specify the URI.',
      required: true,
      mutability: 'readOnly',
    }),
    attribute('name', 'string', {
      description: "The schema's human-readable name.  When applicable, service providers MUST specify the name, e.g., 'User'.",
      required: true,
      mutability: 'readOnly',
    }),
    // §8.7.2 repeats the description of "name" here; §7's wording is used instead.
    attribute('description', 'string', {
      description:
        "The schema's human-readable description.  When applicable, service providers MUST specify the description.",
      mutability: 'readOnly',
    }),
    attribute('attributes', 'complex', {
      multiValued: true,
      description: 'A complex attribute that includes the attributes of a schema.',
      required: true,
      mutability: 'readOnly',
      subAttributes: [
        ...characteristics(),
        // The one complex attribute nested in a complex attribute in all of RFC 7643: a schema must be
        // able to describe sub-attributes, and those cannot nest further (§2.3.8).
        attribute('subAttributes', 'complex', {
          multiValued: true,
          description: 'Used to define the sub-attributes of a complex attribute.',
          mutability: 'readOnly',
          subAttributes: characteristics(),
        }),
      ],
    }),
  ],
};
