// The portal's password policy on the SCIM path: a refusal is 400 invalidValue naming the broken rule (RFC 7644 §3.12).
import type { PasswordOwner } from '../../auth/password-policy.js';
import { AuthError, type AuthService } from '../../auth/service.js';
import { ScimError } from '../../scim/errors.js';

/** `quick` checks only the cheap rules (lengths, names), as a transaction does again after the full check before it. */
export function checkScimPassword(auth: Pick<AuthService, 'checkPassword' | 'checkPasswordQuick'>, password: string, owner: PasswordOwner, quick = false): void {
  try {
    if (quick) auth.checkPasswordQuick(password, owner);
    else auth.checkPassword(password, owner);
  } catch (error) {
    if (error instanceof AuthError) throw ScimError.invalidValue(`Attribute 'password': ${error.message}`);
    throw error;
  }
}
