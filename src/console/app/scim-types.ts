// The SCIM resources the console reads and writes (RFC 7643 §4.1 User, §4.2 Group) and Usher's extensions.

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const ACCOUNT_EXT = 'urn:usher:params:scim:schemas:extension:account:2.0:User';
export const PERSONA_EXT = 'urn:usher:params:scim:schemas:extension:persona:2.0:Group';

export interface MultiValue {
  readonly value?: string;
  readonly type?: string;
  readonly primary?: boolean;
  readonly display?: string;
}

export interface Name {
  readonly givenName?: string;
  readonly middleName?: string;
  readonly familyName?: string;
  readonly honorificPrefix?: string;
  readonly formatted?: string;
}

export interface Account {
  readonly lastLogin?: string;
  readonly lockReason?: 'admin' | 'provisioning' | 'failedLogins';
  readonly lockedUntil?: string;
  readonly failedLogins?: number;
  readonly passwordChangeRequired?: boolean;
  readonly passwordSetAt?: string;
  readonly welcomeEmailSentAt?: string;
  /** The user has a confirmed second factor (two-step verification). */
  readonly mfaEnabled?: boolean;
}

export interface User {
  readonly id: string;
  readonly userName: string;
  readonly name?: Name;
  readonly displayName?: string;
  readonly title?: string;
  readonly emails?: readonly MultiValue[];
  readonly phoneNumbers?: readonly MultiValue[];
  readonly active?: boolean;
  readonly groups?: readonly (MultiValue & { readonly type?: 'direct' | 'indirect' })[];
  readonly [ACCOUNT_EXT]?: Account;
  readonly meta?: { readonly created?: string; readonly lastModified?: string; readonly version?: string };
}

export interface Group {
  readonly id: string;
  readonly displayName: string;
  readonly [PERSONA_EXT]?: { readonly description?: string; readonly permissions?: readonly string[] };
}

export interface ListResponse<T> {
  readonly totalResults?: number;
  readonly itemsPerPage?: number;
  readonly nextCursor?: string;
  readonly previousCursor?: string;
  readonly Resources?: readonly T[];
}

export interface HistoryEntry {
  readonly id: string;
  readonly userName?: string;
  readonly event: string;
  readonly eventDescription?: string;
  readonly attribute?: string;
  readonly oldValue?: string;
  readonly newValue?: string;
  readonly created: string;
  readonly updatedBy?: string;
  /** Who by kind and id (a display name can be chosen by a user; these cannot). Only `display` on old entries. */
  readonly actor?: { readonly type?: 'user' | 'token' | 'system'; readonly value?: string; readonly display: string };
  readonly requestId?: string;
}

export interface PatchOperation {
  readonly op: 'add' | 'remove' | 'replace';
  readonly path?: string;
  readonly value?: unknown;
}

export function patchBody(operations: readonly PatchOperation[]) {
  return { schemas: [PATCH_OP], Operations: operations };
}

/** A string as a SCIM filter literal (RFC 7644 §3.4.2.2: JSON string rules), quotes included. */
export function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
