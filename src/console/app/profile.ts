// The profile form (Add and "User Information") as values, its checks, and how it becomes SCIM: a new User, or the
// PATCH operations that change only what the form shows.
import { USER_SCHEMA, type PatchOperation, type User } from './scim-types';
import { fullName, looksLikeEmail, phoneNumbersWith, phonesOf } from './users';

export interface Profile {
  readonly userName: string;
  readonly salutation: string;
  readonly givenName: string;
  readonly middleName: string;
  readonly familyName: string;
  readonly title: string;
  readonly work: string;
  readonly extension: string;
  readonly mobile: string;
}

export type ProfileErrors = Partial<Record<keyof Profile | 'email' | 'confirmEmail', string>>;

export const EMPTY_PROFILE: Profile = {
  userName: '', salutation: '', givenName: '', middleName: '', familyName: '', title: '', work: '', extension: '', mobile: '',
};

export function profileOf(user: User): Profile {
  const phones = phonesOf(user);
  return {
    userName: user.userName,
    salutation: user.name?.honorificPrefix ?? '',
    givenName: user.name?.givenName ?? '',
    middleName: user.name?.middleName ?? '',
    familyName: user.name?.familyName ?? '',
    title: user.title ?? '',
    work: phones.work,
    extension: phones.extension,
    mobile: phones.mobile,
  };
}

/** The required fields, and a user name in email form when it is new or changed. */
export function checkProfile(profile: Profile, previousUserName?: string): ProfileErrors {
  const errors: { -readonly [K in keyof ProfileErrors]: string } = {};
  if (!profile.userName.trim()) errors.userName = 'Enter a user name.';
  else if (profile.userName.trim() !== previousUserName && !looksLikeEmail(profile.userName)) {
    errors.userName = 'Enter the user name as an email address, such as name@example.com.';
  }
  if (!profile.givenName.trim()) errors.givenName = 'Enter the first name.';
  if (!profile.familyName.trim()) errors.familyName = 'Enter the last name.';
  if (profile.extension.trim() && !profile.work.trim()) errors.extension = 'An extension needs a telephone number.';
  return errors;
}

export function checkEmail(email: string, confirm?: string): Pick<ProfileErrors, 'email' | 'confirmEmail'> {
  if (!email.trim()) return { email: 'Enter an email address.' };
  if (!looksLikeEmail(email)) return { email: 'Enter an email address such as name@example.com.' };
  if (confirm !== undefined && confirm.trim().toLowerCase() !== email.trim().toLowerCase()) {
    return { confirmEmail: 'The two email addresses are not the same.' };
  }
  return {};
}

function nameOf(profile: Profile) {
  const name: Record<string, string> = {};
  const put = (key: string, value: string) => value.trim() && (name[key] = value.trim());
  put('honorificPrefix', profile.salutation);
  put('givenName', profile.givenName);
  put('middleName', profile.middleName);
  put('familyName', profile.familyName);
  return name;
}

/** A new User: no password, so the server mails the welcome link. */
export function newUser(profile: Profile, email: string) {
  const phoneNumbers = phoneNumbersWith([], profile);
  return {
    schemas: [USER_SCHEMA],
    userName: profile.userName.trim(),
    name: nameOf(profile),
    displayName: fullName(profile.givenName, profile.familyName),
    ...(profile.title.trim() ? { title: profile.title.trim() } : {}),
    emails: [{ value: email.trim(), type: 'work', primary: true }],
    ...(phoneNumbers.length ? { phoneNumbers } : {}),
    active: true,
  };
}

const NAME_PARTS = [
  ['salutation', 'honorificPrefix'],
  ['givenName', 'givenName'],
  ['middleName', 'middleName'],
  ['familyName', 'familyName'],
] as const;

/** The operations from the user as read to the form's values; attributes the form does not show stay untouched. */
export function profileChanges(user: User, profile: Profile): PatchOperation[] {
  const before = profileOf(user);
  const ops: PatchOperation[] = [];
  const set = (path: string, value: string, old: string) => {
    if (value.trim() === old.trim()) return;
    ops.push(value.trim() ? { op: 'replace', path, value: value.trim() } : { op: 'remove', path });
  };
  set('userName', profile.userName, before.userName);
  for (const [field, attr] of NAME_PARTS) set(`name.${attr}`, profile[field], before[field]);
  set('title', profile.title, before.title);
  // A displayName the console wrote ("Given Family") follows the name; one set elsewhere is kept.
  const oldDisplay = fullName(before.givenName, before.familyName);
  const newDisplay = fullName(profile.givenName, profile.familyName);
  if ((!user.displayName || user.displayName === oldDisplay || user.displayName === user.userName) && newDisplay !== (user.displayName ?? '')) {
    ops.push({ op: 'replace', path: 'displayName', value: newDisplay });
  }
  if (profile.work.trim() !== before.work || profile.extension.trim() !== before.extension || profile.mobile.trim() !== before.mobile) {
    const phoneNumbers = phoneNumbersWith(user.phoneNumbers ?? [], profile);
    ops.push(phoneNumbers.length ? { op: 'replace', path: 'phoneNumbers', value: phoneNumbers } : { op: 'remove', path: 'phoneNumbers' });
  }
  return ops;
}

/** Which field a server error is about, from the attribute its detail names. */
export function fieldOfError(detail: string): 'userName' | 'email' | undefined {
  if (/\buser ?name\b/i.test(detail)) return 'userName';
  if (/\bemails?\b/i.test(detail)) return 'email';
  return undefined;
}
