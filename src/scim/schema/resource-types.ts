// The resource types this server offers, /Users and /Groups, with their schemas and extensions (RFC 7643 §6, examples in §8.6).

import { ACCOUNT_SCHEMA } from './account.js';
import { ENTERPRISE_USER_SCHEMA } from './enterprise-user.js';
import { GROUP_SCHEMA } from './group.js';
import { PERSONA_SCHEMA } from './persona.js';
import type { ResourceTypeDefinition } from './types.js';
import { USER_SCHEMA } from './user.js';

export const USER_RESOURCE_TYPE: ResourceTypeDefinition = {
  id: 'User',
  name: 'User',
  endpoint: '/Users',
  description: 'User Account',
  schema: USER_SCHEMA,
  // Not required: most identity providers send plain core Users. The account extension is the server's own,
  // read-only sign-in state.
  schemaExtensions: [
    { schema: ENTERPRISE_USER_SCHEMA, required: false },
    { schema: ACCOUNT_SCHEMA, required: false },
  ],
};

export const GROUP_RESOURCE_TYPE: ResourceTypeDefinition = {
  id: 'Group',
  name: 'Group',
  endpoint: '/Groups',
  description: 'Group',
  schema: GROUP_SCHEMA,
  // A persona is a group with a description and permissions.
  schemaExtensions: [{ schema: PERSONA_SCHEMA, required: false }],
};
