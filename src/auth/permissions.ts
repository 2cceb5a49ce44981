// The permission vocabulary and the portals' eight personas every new tenant starts with.

/** Permissions Usher itself enforces on /scim/v2. Other permissions are carried for the portal's own screens. */
export const USERS_READ = 'users:read';
export const USERS_WRITE = 'users:write';
/** Configures the tenant's event streams and polls them (/ssf, RFC 8936 poll). */
export const EVENTS_MANAGE = 'events:manage';

/** What an API token can be limited to (`usher token create --scope`); users:write includes reading, not events. */
export const TOKEN_SCOPES: readonly string[] = [USERS_READ, USERS_WRITE, EVENTS_MANAGE];

export interface PersonaSeed {
  readonly displayName: string;
  readonly description: string;
  readonly permissions: readonly string[];
}

/** The personas besides Administrator, with what each lets its members do. */
const OTHER_PERSONAS: readonly PersonaSeed[] = [
  {
    displayName: 'Billing',
    description: 'Views invoices and statements and makes payments.',
    permissions: ['billing:read', 'billing:pay'],
  },
  {
    displayName: 'Bandwidth On Demand',
    description: 'Raises and lowers bandwidth on eligible services.',
    permissions: ['bandwidth:manage', 'network:read'],
  },
  {
    displayName: 'Network Admin',
    description: 'Views and manages network services and their configuration.',
    permissions: ['network:read', 'network:manage'],
  },
  {
    displayName: 'Order Management',
    description: 'Places orders and follows them to completion.',
    permissions: ['orders:read', 'orders:submit'],
  },
  {
    displayName: 'Reporting',
    description: 'Views usage and performance reports.',
    permissions: ['reports:read'],
  },
  {
    displayName: 'Sales',
    description: 'Requests quotes and follows orders.',
    permissions: ['sales:quote', 'orders:read'],
  },
  {
    displayName: 'Trouble Management and Repair',
    description: 'Opens trouble tickets and follows repairs.',
    permissions: ['tickets:read', 'tickets:submit'],
  },
];

/**
 * Every permission the default personas carry, sorted. A session may only act on users whose permissions it holds
 * all of (see resources/privilege.ts), so the Administrator carries them all, and holding them all is what makes a
 * user an administrator (see resources/last-administrator.ts).
 */
export const ALL_PERMISSIONS: readonly string[] = [...new Set([USERS_READ, USERS_WRITE, EVENTS_MANAGE, ...OTHER_PERSONAS.flatMap((p) => p.permissions)])].sort();

/** The personas of the portals' User Management guides, Administrator first. */
export const DEFAULT_PERSONAS: readonly PersonaSeed[] = [
  {
    displayName: 'Administrator',
    description: 'Manages the people on the account: adds, edits, locks and removes users and assigns personas.',
    permissions: ALL_PERMISSIONS,
  },
  ...OTHER_PERSONAS,
];
