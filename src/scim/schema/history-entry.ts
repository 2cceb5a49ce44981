// Usher's HistoryEntry schema and its read-only resource type /History: who changed what on a User or Group, and when.
import { HISTORY_ACTOR_TYPES, HISTORY_EVENTS } from '../history/events.js';
import { attribute } from './types.js';
import type { ResourceTypeDefinition, SchemaDefinition } from './types.js';

const readOnly = { mutability: 'readOnly' } as const;

export const HISTORY_ENTRY_SCHEMA: SchemaDefinition = {
  id: 'urn:usher:params:scim:schemas:core:2.0:HistoryEntry',
  name: 'HistoryEntry',
  description: 'One recorded change to a User or a Group. History is written by the server with each change and cannot be changed or deleted.',
  attributes: [
    attribute('resourceType', 'string', {
      ...readOnly,
      canonicalValues: ['User', 'Group'],
      description: 'The type of the resource that changed.',
    }),
    attribute('resourceId', 'string', {
      ...readOnly,
      caseExact: true,
      description: 'The id of the resource that changed. It may no longer exist: history outlives the resources it describes.',
    }),
    attribute('userName', 'string', {
      ...readOnly,
      description: "The user's userName, or the group's displayName, as it was when the entry was written.",
    }),
    attribute('event', 'string', {
      ...readOnly,
      caseExact: true,
      canonicalValues: HISTORY_EVENTS,
      description: 'What happened, as a fixed keyword.',
    }),
    attribute('eventDescription', 'string', {
      ...readOnly,
      description: 'What happened, in words, such as "Persona added".',
    }),
    attribute('attribute', 'string', {
      ...readOnly,
      description: 'The attribute that changed, such as "title", "name.givenName", "emails[work]" or "department".',
    }),
    attribute('oldValue', 'string', {
      ...readOnly,
      description: 'The value before the change, as text. Never a password or a token.',
    }),
    attribute('newValue', 'string', {
      ...readOnly,
      description: 'The value after the change, as text. Never a password or a token.',
    }),
    attribute('created', 'dateTime', { ...readOnly, description: 'When the change was made.' }),
    attribute('updatedBy', 'string', {
      ...readOnly,
      description:
        'Who made the change, as shown: the display name of a portal user, or the label of an API token such as "Okta". A user can choose its display name; actor says who it really was.',
    }),
    attribute('actor', 'complex', {
      ...readOnly,
      description: 'Who made the change, by kind and id: these cannot be chosen by a user or a token.',
      subAttributes: [
        attribute('type', 'string', {
          ...readOnly,
          canonicalValues: HISTORY_ACTOR_TYPES,
          description: '"user" (a portal user), "token" (an API token, such as an identity provider\'s) or "system" (Usher itself).',
        }),
        attribute('value', 'string', {
          ...readOnly,
          caseExact: true,
          description: 'The id of the user or the API token; for the system "usher" (the server) or "cli" (the command line).',
        }),
        attribute('display', 'string', { ...readOnly, description: 'The name shown for the actor: the same text as updatedBy.' }),
      ],
    }),
    attribute('requestId', 'string', {
      ...readOnly,
      caseExact: true,
      description: 'The id of the request that made the change, as the server logs it.',
    }),
  ],
};

export const HISTORY_RESOURCE_TYPE: ResourceTypeDefinition = {
  id: 'HistoryEntry',
  name: 'HistoryEntry',
  endpoint: '/History',
  description: 'History of changes to Users and Groups (read-only)',
  schema: HISTORY_ENTRY_SCHEMA,
  schemaExtensions: [],
};
