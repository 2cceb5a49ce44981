// The permissions personas carry, in the words a customer uses ("View invoices", not billing:read).

/** Every permission the console knows, in the order the personas page lists them. */
export const PERMISSION_WORDS: ReadonlyArray<readonly [string, string]> = [
  ['users:read', 'View users'],
  ['users:write', 'Manage users and personas'],
  ['events:manage', 'Manage integrations (event streams and API tokens)'],
  ['billing:read', 'View invoices and statements'],
  ['billing:pay', 'Make payments'],
  ['bandwidth:manage', 'Change bandwidth on demand'],
  ['network:read', 'View network services'],
  ['network:manage', 'Manage network services'],
  ['orders:read', 'View orders'],
  ['orders:submit', 'Place orders'],
  ['reports:read', 'View reports'],
  ['sales:quote', 'Request quotes'],
  ['tickets:read', 'View trouble tickets'],
  ['tickets:submit', 'Open trouble tickets'],
];

const WORDS = new Map(PERMISSION_WORDS);

/** The words for a permission; one the console does not know is shown as it is. */
export function permissionWords(permission: string): string {
  return WORDS.get(permission) ?? permission;
}

/** A server message with every quoted permission ("billing:pay") said in words ("Make payments"). */
export function inWords(detail: string): string {
  return detail.replace(/"([a-z]+:[a-z]+)" permission/g, (whole, permission: string) =>
    WORDS.has(permission) ? `“${WORDS.get(permission)!}” permission` : whole,
  );
}

const ORDER = new Map(PERMISSION_WORDS.map(([permission], index) => [permission, index]));

/** Permissions in the table's order (users first, then integrations, then the portal's own); unknown ones last. */
export function inTableOrder(permissions: readonly string[]): string[] {
  return [...permissions].sort((a, b) => (ORDER.get(a) ?? ORDER.size) - (ORDER.get(b) ?? ORDER.size) || a.localeCompare(b));
}
