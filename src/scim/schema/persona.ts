// Usher's persona extension of Group: a persona is a group that carries a description and permissions.
import { attribute } from './types.js';
import type { SchemaDefinition } from './types.js';

export const PERSONA_SCHEMA: SchemaDefinition = {
  id: 'urn:usher:params:scim:schemas:extension:persona:2.0:Group',
  name: 'Persona',
  description: 'A persona: a group whose members are granted its permissions.',
  attributes: [
    attribute('description', 'string', { description: 'What the persona is for, as the admin console shows it on hover.' }),
    attribute('permissions', 'string', {
      multiValued: true,
      caseExact: true,
      description: 'Permissions granted to the members of the group, directly or through nested groups, such as "users:read".',
    }),
  ],
};
