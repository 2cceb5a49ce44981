// The core Group schema as RFC 7643 §8.7.1 represents it (prose in §4.2), with this server's uniqueness rule.

import { attribute } from './types.js';
import { IDENTIFIER_MAX_BYTES } from './limits.js';
import type { SchemaDefinition } from './types.js';

export const GROUP_SCHEMA: SchemaDefinition = {
  id: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  name: 'Group',
  description: 'Group',
  attributes: [
    // The RFC says REQUIRED in prose but "required": false and no uniqueness in §8.7.1. Identity
    // providers match groups by displayName, so this server requires one and keeps it unique.
    attribute('displayName', 'string', {
      description:
        'A human-readable name for the Group. REQUIRED.  This server keeps it unique among the Groups of a tenant.',
      required: true,
      uniqueness: 'server',
      maxBytes: IDENTIFIER_MAX_BYTES,
    }),
    attribute('members', 'complex', {
      multiValued: true,
      description: 'A list of members of the Group.',
      subAttributes: [
        attribute('value', 'string', {
          description: 'Identifier of the member of this Group.',
          mutability: 'immutable',
        }),
        attribute('$ref', 'reference', {
          description: 'The URI corresponding to a SCIM resource that is a member of this Group.',
          referenceTypes: ['User', 'Group'],
          mutability: 'immutable',
        }),
        // §8.7.1 omits "display"; §2.4 and §4.2's examples use it. The server fills it in from the
        // member's own name, so it is readOnly rather than immutable.
        attribute('display', 'string', {
          description: 'A human-readable name for the member, primarily used for display purposes.  READ-ONLY.',
          mutability: 'readOnly',
        }),
        attribute('type', 'string', {
          description: "A label indicating the type of resource, e.g., 'User' or 'Group'.",
          canonicalValues: ['User', 'Group'],
          mutability: 'immutable',
        }),
      ],
    }),
  ],
};
