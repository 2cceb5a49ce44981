// The portal's words for what the server names in codes: attribute paths of the history, lock reasons, history values,
// and the server's error details, as the user guides say them.
import { formatDateTime } from './format.js';
import { permissionWords } from './permission-words.js';

const ATTRIBUTE_NAMES: Record<string, string> = {
  userName: 'User name',
  externalId: 'External ID',
  displayName: 'Display name',
  nickName: 'Nickname',
  profileUrl: 'Profile URL',
  title: 'Job title',
  userType: 'User type',
  preferredLanguage: 'Preferred language',
  locale: 'Locale',
  timezone: 'Time zone',
  active: 'Active',
  password: 'Password',
  'name.formatted': 'Full name',
  'name.familyName': 'Last name',
  'name.givenName': 'First name',
  'name.middleName': 'Middle name',
  'name.honorificPrefix': 'Title (prefix)',
  'name.honorificSuffix': 'Suffix',
  emails: 'Email',
  email: 'Email',
  phoneNumbers: 'Phone',
  ims: 'Instant messaging',
  photos: 'Photo',
  addresses: 'Address',
  entitlements: 'Entitlements',
  roles: 'Roles',
  x509Certificates: 'Certificates',
  employeeNumber: 'Employee number',
  costCenter: 'Cost center',
  organization: 'Organization',
  'EnterpriseUser:organization': 'Organization',
  division: 'Division',
  department: 'Department',
  manager: 'Manager',
  persona: 'Persona',
  groups: 'Group',
  members: 'Member',
  description: 'Description',
  permissions: 'Permissions',
  lockReason: 'Account status',
  lockedUntil: 'Locked until',
  mfaEnabled: 'Two-step verification',
  failedLogins: 'Failed sign-ins',
};

const TYPE_WORDS: Record<string, string> = {
  work: 'Work',
  home: 'Home',
  mobile: 'Mobile',
  fax: 'Fax',
  pager: 'Pager',
  other: 'Other',
};

const MULTI_NOUNS: Record<string, string> = {
  emails: 'email',
  phoneNumbers: 'phone',
  ims: 'instant messaging',
  photos: 'photo',
  addresses: 'address',
};

/** An attribute path as the history records it (`title`, `phoneNumbers[work]`, `name.givenName`), in words. */
export function attributeName(path: string): string {
  const known = ATTRIBUTE_NAMES[path];
  if (known) return known;
  const typed = /^(\w+)\[([^\]]*)\]$/.exec(path);
  if (typed) {
    const [, attribute, type] = typed as unknown as [string, string, string];
    const noun = MULTI_NOUNS[attribute];
    const kind = TYPE_WORDS[type.toLowerCase()] ?? type;
    if (noun) return `${kind} ${noun}`;
    return `${attributeName(attribute)} (${kind.toLowerCase()})`;
  }
  // An extension's attribute named with its schema (`EnterpriseUser:department`): the attribute's own words.
  const bare = path.includes(':') ? path.slice(path.lastIndexOf(':') + 1) : path;
  if (bare !== path) return attributeName(bare);
  // camelCase to words, as a last resort: `someThing` → "Some thing".
  const spaced = path.replace(/\./g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** Why an account is inactive (the account extension's lockReason), as the list and the user page say it. */
export const LOCK_REASON_WORDS: Record<string, string> = {
  admin: 'Locked',
  failedLogins: 'Locked after too many failed sign-ins',
  deactivated: 'Deactivated',
  provisioning: 'Deactivated (by the identity provider)',
};

/** The stored history labels of lock reasons (LOCK_REASON_LABELS on the server), in the console's words. */
const LOCK_LABEL_WORDS: Record<string, string> = {
  'Locked by an administrator': 'Locked by an administrator',
  'Deactivated by the identity provider': 'Deactivated (by the identity provider)',
  'Too many failed logins': 'Locked after too many failed sign-ins',
  'Deactivated by an administrator': 'Deactivated',
};

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** One value of a history entry in words: timestamps in the viewer's locale, extensions, "(primary)", yes/no. */
export function historyValue(attribute: string | undefined, value: string | undefined): string | undefined {
  if (value === undefined || value === '') return value;
  if (attribute === 'lockReason') return LOCK_LABEL_WORDS[value] ?? value;
  if (attribute === 'active' || attribute === 'mfaEnabled') {
    if (value === 'true') return attribute === 'active' ? 'Active' : 'On';
    if (value === 'false') return attribute === 'active' ? 'Inactive' : 'Off';
  }
  return value
    .split('; ')
    .map((part) => valuePart(part))
    .join('; ');
}

function valuePart(part: string): string {
  if (ISO_TIMESTAMP.test(part)) return formatDateTime(part) || part;
  return part
    .replace(/;ext=(\w+)/gi, ', ext. $1')
    .replace(/\s*\(primary\)/g, ' (preferred)')
    .replace(/^tel:/i, '');
}

const DEACTIVATIONS = new Set(['Deactivated by an administrator', 'Deactivated by the identity provider']);

/** How a history entry's event reads: a lock that is a deactivation says so, and its end is a reactivation. */
export function historyEvent(entry: { event: string; eventDescription?: string; oldValue?: string; newValue?: string }): string {
  if (entry.event === 'locked' && entry.newValue && DEACTIVATIONS.has(entry.newValue)) return 'Deactivated';
  if (entry.event === 'unlocked' && entry.oldValue && DEACTIVATIONS.has(entry.oldValue)) return 'Reactivated';
  return entry.eventDescription ?? entry.event;
}

// ---------------------------------------------------------------------------------------------------------------
// The server's errors in a portal user's words.

/** What each permission lets one do, as the end of "You cannot …" and of "permission to …". */
const PERMISSION_PHRASES: Record<string, string> = {
  'users:read': 'view users',
  'users:write': 'manage users',
  'events:manage': 'manage integrations',
};

/** The permission's own phrase, else its words on the personas page ("Make payments" -> "make payments"). */
function phraseOf(permission: string): string {
  const phrase = PERMISSION_PHRASES[permission];
  if (phrase) return phrase;
  const words = permissionWords(permission);
  return words === permission ? 'do this' : words.charAt(0).toLowerCase() + words.slice(1);
}

/** What a refused request is about: the sentence to show, and the field it concerns when there is one. */
export interface FriendlyError {
  readonly message: string;
  readonly field?: string;
}

const UUID_IN_TEXT = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;

/**
 * The server's detail (a SCIM error's `detail` and `scimType`, or an /auth error's) as a sentence for the portal:
 * no attribute codes, no quotes around permission names, no ids where a person's name belongs.
 */
export function friendlyError(status: number, code: string | undefined, detail: string, names: ReadonlyMap<string, string> = new Map()): FriendlyError {
  if (code === 'uniqueness') {
    if (/userName/i.test(detail)) return { message: 'This user name is already in use.', field: 'userName' };
    if (/displayName/i.test(detail)) return { message: 'This name is already in use.', field: 'displayName' };
    if (/externalId/i.test(detail)) return { message: 'This external ID is already in use.', field: 'externalId' };
    return { message: 'This value is already in use.' };
  }
  // `This needs the "users:write" permission, …` → "You cannot manage users: …"; elsewhere the permission in words.
  const needs = /^This needs the "([a-z]+:[a-z]+)" permission, which none of your personas grants\.?\s*(.*)$/s.exec(detail);
  if (needs) return { message: `You cannot ${phraseOf(needs[1]!)}: none of your personas allows it.${needs[2] ? ` ${needs[2]}` : ''}` };
  if (/"[a-z]+:[a-z]+" (permission|scope)/.test(detail)) {
    return { message: detail.replace(/the "([a-z]+:[a-z]+)" (permission|scope)/g, (_, permission: string) => `permission to ${phraseOf(permission)}`) };
  }
  const attribute = /^Attribute '([\w.:[\]]+)':?\s*(.*)$/s.exec(detail) ?? /^Attribute '([\w.:[\]]+)' (.*)$/s.exec(detail);
  if (attribute) {
    const [, path, rest] = attribute as unknown as [string, string, string];
    const field = path.split(/[.[:]/)[0]!;
    if (path === 'password') return { message: sentence(rest), field: 'password' };
    return { message: `${attributeName(path)}: ${rest.replace(/^must /, 'must ')}`, field };
  }
  if (code === 'weak_password') return { message: detail, field: 'password' };
  let message = detail.replace(/^userName "([^"]*)" is already taken\.?/, 'This user name is already in use.');
  // An id where the person's name belongs: the name when the page knows it, else no id at all.
  message = message.replace(/User ([0-9a-f-]{36})/gi, (_, id: string) => {
    const name = names.get(id.toLowerCase());
    return name ? `${name}` : 'This user';
  });
  message = message.replace(UUID_IN_TEXT, (id) => names.get(id.toLowerCase()) ?? 'it');
  message = message.replace(/\s*\(POST \/Users\/\{id\}\/\w+\)/g, '');
  return { message };
}

function sentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return trimmed;
  const first = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(first) ? first : `${first}.`;
}

/** A 429's wait (Retry-After, in seconds) in minutes, as the sign-in page says it. */
export function tooManyAttempts(retryAfterSeconds: number): string {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  return `Too many attempts; try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
}
