// The edit dialog's requests: one function per button, each a single SCIM call on /Users/{id}.
import { scim } from '../../api';
import { patchBody, type PatchOperation, type User } from '../../scim-types';

const userPath = (id: string) => `/Users/${encodeURIComponent(id)}`;

export function getUser(id: string): Promise<User> {
  return scim<User>('GET', userPath(id));
}

/** Changes attributes; `version` (the ETag read) makes the server refuse when someone changed the user meanwhile. */
export function patchUser(id: string, operations: readonly PatchOperation[], version?: string): Promise<unknown> {
  return scim('PATCH', userPath(id), { body: patchBody(operations), headers: version ? { 'If-Match': version } : {} });
}

export function setActive(id: string, active: boolean): Promise<unknown> {
  return patchUser(id, [{ op: 'replace', path: 'active', value: active }]);
}

export function replaceEmail(id: string, email: string): Promise<unknown> {
  return patchUser(id, [{ op: 'replace', path: 'emails', value: [{ value: email, type: 'work', primary: true }] }]);
}

export function sendPasswordReset(id: string): Promise<unknown> {
  return scim('POST', `${userPath(id)}/password-reset`);
}

/** Sets the given temporary password, or lets the server generate one and returns it (shown once). */
export async function setTemporaryPassword(id: string, password: string): Promise<string | undefined> {
  const answer = await scim<{ password?: string } | undefined>('POST', `${userPath(id)}/temporary-password`, password ? { body: { password } } : {});
  return answer?.password;
}

export function sendWelcome(id: string): Promise<unknown> {
  return scim('POST', `${userPath(id)}/welcome-email`);
}

/** Removes the user's second factor and recovery codes; the user sets it up again. */
export function resetTwoStep(id: string): Promise<unknown> {
  return scim('POST', `${userPath(id)}/mfa-reset`);
}

export function deleteUser(id: string): Promise<unknown> {
  return scim('DELETE', userPath(id));
}
