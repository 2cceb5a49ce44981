// The password policy for portal users: length bounds, and no password that contains the user's own name.

export interface PasswordPolicy {
  readonly minLength: number;
  readonly maxLength: number;
}

export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = { minLength: 12, maxLength: 256 };

/** The first rule the password breaks, as a sentence for the user, or undefined when it is acceptable. */
export function passwordProblem(
  policy: PasswordPolicy,
  password: string,
  user: { readonly userName: string; readonly emails: readonly string[] },
): string | undefined {
  const length = [...password].length;
  if (length < policy.minLength) return `The password must be at least ${policy.minLength} characters long.`;
  if (length > policy.maxLength) return `The password must be at most ${policy.maxLength} characters long.`;
  const lower = password.toLowerCase();
  const names = [user.userName, user.userName.split('@')[0] ?? '', ...user.emails.map((email) => email.split('@')[0] ?? '')]
    .map((name) => name.toLowerCase())
    // A name of one or two letters would forbid too much to be useful.
    .filter((name) => name.length >= 3);
  if (names.some((name) => lower.includes(name))) return 'The password must not contain the user name or the email address.';
  return undefined;
}
