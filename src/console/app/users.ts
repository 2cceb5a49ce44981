// What the console shows of a User and how its forms become SCIM: names, status, phones, personas, filters.
import { ACCOUNT_EXT, quote, type MultiValue, type User } from './scim-types';

export type Status = 'Active' | 'Locked' | 'Deactivated';

/** The lockReasons of a deactivated account (turned off for good, not locked for a while); the rest are locks. */
export const DEACTIVATED_REASONS: readonly string[] = ['provisioning', 'deactivated'];
export const LOCKED_REASONS: readonly string[] = ['admin', 'failedLogins'];

/** Active, or Deactivated when the account was turned off (by the identity provider or a deactivation), else Locked. */
export function statusOf(user: User): Status {
  if (user.active !== false) return 'Active';
  return DEACTIVATED_REASONS.includes(user[ACCOUNT_EXT]?.lockReason ?? '') ? 'Deactivated' : 'Locked';
}

/** "Family, Given" as the portals list people; what there is when one part is missing. */
export function listName(user: User): string {
  const family = user.name?.familyName?.trim();
  const given = user.name?.givenName?.trim();
  if (family && given) return `${family}, ${given}`;
  return family || given || user.displayName || '';
}

/** "Given Family", the displayName the console writes for people it creates. */
export function fullName(given: string, family: string): string {
  return [given.trim(), family.trim()].filter(Boolean).join(' ');
}

export function primaryEmail(user: User): string | undefined {
  const emails = user.emails ?? [];
  return (emails.find((e) => e.primary) ?? emails[0])?.value;
}

function phone(user: User, type: string): string | undefined {
  return user.phoneNumbers?.find((p) => p.type === type)?.value;
}

/** A number with an RFC 3966 extension, `+1 555 0100;ext=42`, as its two parts. */
export function splitExtension(value: string | undefined): { number: string; extension: string } {
  const match = /^(.*?);ext=([^;]*)(.*)$/i.exec(value ?? '');
  if (!match) return { number: value ?? '', extension: '' };
  return { number: `${match[1] ?? ''}${match[3] ?? ''}`.trim(), extension: match[2] ?? '' };
}

export function joinExtension(number: string, extension: string): string {
  const n = number.trim();
  const x = extension.trim();
  return x ? `${n};ext=${x}` : n;
}

export interface Phones {
  readonly work: string;
  readonly extension: string;
  readonly mobile: string;
}

export function phonesOf(user: User): Phones {
  const { number, extension } = splitExtension(phone(user, 'work'));
  return { work: number, extension, mobile: phone(user, 'mobile') ?? '' };
}

/** The user's phone numbers with the work and mobile ones replaced; other types (home, fax) are kept. */
export function phoneNumbersWith(existing: readonly MultiValue[], phones: Phones): MultiValue[] {
  const kept = existing.filter((p) => p.type !== 'work' && p.type !== 'mobile');
  const work = joinExtension(phones.work, phones.extension);
  return [
    ...(work ? [{ value: work, type: 'work' }] : []),
    ...(phones.mobile.trim() ? [{ value: phones.mobile.trim(), type: 'mobile' }] : []),
    ...kept,
  ];
}

export function directGroupIds(user: User): Set<string> {
  return new Set((user.groups ?? []).filter((g) => g.type !== 'indirect' && g.value).map((g) => g.value!));
}

const SEARCHED = ['userName', 'name.givenName', 'name.familyName', 'emails.value'];

/**
 * Shorter searches match names from their start: a substring of one or two characters has no trigram for an index
 * to look up, so `co "an"` would read every user of the tenant, while `sw "an"` is served by the same indexes.
 */
const SHORT_SEARCH = 3;
const SEARCHED_BY_START = ['userName', 'name.givenName', 'name.familyName'];

/** One word's part of the filter: `userName co "x" or ...`, or `userName sw "x" or ...` for a short word. */
export function searchFilter(text: string): string {
  const short = [...text].length < SHORT_SEARCH;
  return (short ? SEARCHED_BY_START : SEARCHED).map((attr) => `${attr} ${short ? 'sw' : 'co'} ${quote(text)}`).join(' or ');
}

/** The words of a search, as a name is shown or typed: "Smith, John" and "John Smith" are both `John` and `Smith`. */
export function searchWords(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean);
}

/** Every word must match one of the searched attributes: `(w1 on any) and (w2 on any)`; one word is searchFilter. */
export function wordsFilter(text: string): string | undefined {
  const words = searchWords(text);
  if (words.length <= 1) return words[0] === undefined ? undefined : searchFilter(words[0]);
  return words.map((w) => `(${searchFilter(w)})`).join(' and ');
}

export type StatusFilter = '' | 'active' | 'locked' | 'deactivated';

/**
 * The status filter. Locked and Deactivated are both `active eq false`; the account extension's lockReason tells
 * them apart.
 */
export function statusFilter(status: StatusFilter): string | undefined {
  const reason = `${ACCOUNT_EXT}:lockReason`;
  if (status === 'active') return 'active eq true';
  const any = (reasons: readonly string[]) => reasons.map((r) => `${reason} eq ${quote(r)}`).join(' or ');
  if (status === 'deactivated') return `active eq false and (${any(DEACTIVATED_REASONS)})`;
  if (status === 'locked') return `active eq false and (${any(LOCKED_REASONS)})`;
  return undefined;
}

/** The list filter for a search text, a persona and a status, each part in parentheses when there are several. */
export function usersFilter(search: string, personaId: string, status: StatusFilter = ''): string | undefined {
  const parts: string[] = [];
  const words = wordsFilter(search.trim());
  if (words) parts.push(words);
  if (personaId) parts.push(`groups.value eq ${quote(personaId)}`);
  const state = statusFilter(status);
  if (state) parts.push(state);
  if (parts.length < 2) return parts[0];
  return parts.map((p) => `(${p})`).join(' and ');
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function looksLikeEmail(text: string): boolean {
  return EMAIL.test(text.trim());
}

/** The person as a sentence names them: "John Smith", else the display name, else the user name. */
export function displayNameOf(user: User): string {
  return fullName(user.name?.givenName ?? '', user.name?.familyName ?? '') || user.displayName?.trim() || user.userName;
}
