// The user page's requests: one function per action, each a single SCIM call on /Users/{id} (or /Groups for nesting).
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

/** Deactivation, for someone who no longer needs access: `active` false with its own lockReason ("deactivated"). */
export function deactivateUser(id: string): Promise<unknown> {
  return scim('POST', `${userPath(id)}/deactivate`);
}

/** Undoes a deactivation (by an administrator or by the identity provider); Unlock does not. */
export function reactivateUser(id: string): Promise<unknown> {
  return scim('POST', `${userPath(id)}/reactivate`);
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

/** The groups nested under a group: its members that are Groups (RFC 7643 §4.2, member type "Group"). */
export async function subgroupsOf(groupId: string): Promise<{ id: string; name: string }[]> {
  const group = await scim<{ members?: readonly { value?: string; display?: string; type?: string; $ref?: string }[] }>(
    'GET',
    `/Groups/${encodeURIComponent(groupId)}`,
    { query: { attributes: 'members' } },
  );
  return (group.members ?? [])
    .filter((m) => m.value && (m.type === 'Group' || /\/Groups\//.test(m.$ref ?? '')))
    .map((m) => ({ id: m.value!, name: m.display ?? m.value! }));
}
