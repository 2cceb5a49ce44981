// Usher's account extension of User: read-only sign-in state that the portal lists, filters and sorts.
import { attribute } from './types.js';
import type { SchemaDefinition } from './types.js';

const readOnly = { mutability: 'readOnly' } as const;

export const ACCOUNT_SCHEMA: SchemaDefinition = {
  id: 'urn:usher:params:scim:schemas:extension:account:2.0:User',
  name: 'Account',
  description: 'Sign-in state of a portal user, kept by the server.',
  attributes: [
    attribute('lastLogin', 'dateTime', { ...readOnly, description: 'When the user last signed in.' }),
    attribute('lockReason', 'string', {
      ...readOnly,
      canonicalValues: ['admin', 'provisioning', 'failedLogins', 'deactivated'],
      description:
        'Why active is false: locked by an administrator (admin), deactivated by the identity provider (provisioning), ' +
        'locked out after failed logins (failedLogins), or deactivated by an administrator (deactivated: POST /Users/{id}/deactivate, undone by /reactivate).',
    }),
    attribute('lockedUntil', 'dateTime', { ...readOnly, description: 'When a lockout after failed logins ends by itself.' }),
    attribute('failedLogins', 'integer', { ...readOnly, description: 'Failed logins since the last successful one.' }),
    attribute('passwordChangeRequired', 'boolean', {
      ...readOnly,
      description: 'The password is temporary: the user must choose a new one at the next login.',
    }),
    attribute('passwordSetAt', 'dateTime', { ...readOnly, description: 'When the password was last set.' }),
    attribute('welcomeEmailSentAt', 'dateTime', { ...readOnly, description: 'When the welcome email was last sent.' }),
    attribute('mfaEnabled', 'boolean', {
      ...readOnly,
      description: 'Sign-in asks for a second factor, a code from an authenticator app (TOTP). An administrator can reset it (POST /Users/{id}/mfa-reset).',
    }),
  ],
};
