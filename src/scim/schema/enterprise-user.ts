// The Enterprise User extension schema as RFC 7643 §8.7.1 represents it (prose in §4.3).

import { attribute } from './types.js';
import type { SchemaDefinition } from './types.js';

export const ENTERPRISE_USER_SCHEMA: SchemaDefinition = {
  id: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: [
    attribute('employeeNumber', 'string', {
      description:
        'Numeric or alphanumeric identifier assigned to a person, typically based on order of hire or association with an organization.',
    }),
    attribute('costCenter', 'string', { description: 'Identifies the name of a cost center.' }),
    attribute('organization', 'string', { description: 'Identifies the name of an organization.' }),
    attribute('division', 'string', { description: 'Identifies the name of a division.' }),
    attribute('department', 'string', { description: 'Identifies the name of a department.' }),
    attribute('manager', 'complex', {
      description:
        "The User's manager.  A complex type that optionally allows service providers to represent organizational hierarchy by referencing the 'id' attribute of another User.",
      subAttributes: [
        // "REQUIRED." in the text but "required": false in §8.7.1's characteristics (and RECOMMENDED in
        // §4.3); clients send a manager with only $ref, or only value, so the characteristic wins.
        attribute('value', 'string', {
          description: "The id of the SCIM resource representing the User's manager.  REQUIRED.",
        }),
        attribute('$ref', 'reference', {
          description: "The URI of the SCIM resource representing the User's manager.  REQUIRED.",
          referenceTypes: ['User'],
        }),
        attribute('displayName', 'string', {
          description: "The displayName of the User's manager. OPTIONAL and READ-ONLY.",
          mutability: 'readOnly',
        }),
      ],
    }),
  ],
};
