// What every resource service is given: its dependencies once, and who is asking with each request.
import type { AccountMailer } from '../auth/account-mail.js';
import type { PasswordHasher } from '../auth/passwords.js';
import type { AuthService } from '../auth/service.js';
import { USERS_READ, USERS_WRITE } from '../auth/permissions.js';
import type { SecurityLog, RequestMeta } from '../auth/security-log.js';
import type { CursorCodec } from '../scim/cursor.js';
import type { HistoryActor } from '../scim/history/events.js';
import type { ListParams, ListResponse } from '../scim/list.js';
import type { ProjectionParams } from '../scim/resource/projection.js';
import type { Store } from '../store/index.js';
import type { FullFormHints } from '../events/recorder.js';

export interface Deps {
  readonly store: Store;
  readonly clock: () => Date;
  readonly newId: () => string;
  readonly passwords: PasswordHasher;
  /** Absolute URL of the SCIM root, e.g. http://127.0.0.1:8080/scim/v2, for meta.location and $ref. */
  readonly scimBaseUrl: string;
  readonly maxResults: number;
  /** Signs and checks RFC 9865 list cursors. */
  readonly cursors: CursorCodec;
  /** Sign-in state: link tokens, temporary passwords, the password policy. */
  readonly auth: AuthService;
  /** Queues the welcome, reset and e-mail-changed mails in a change's transaction. */
  readonly accountMail: AccountMailer;
  /** Where what the request cannot answer with (a token leaving the tenant without an administrator) is reported. */
  readonly securityLog: SecurityLog;
  /** Which SCIM event full forms each tenant's streams were last seen to want (see recordEvents); left out: none known. */
  readonly eventHints?: FullFormHints;
}

/**
 * Who made the request: an API token (a provisioning client such as Okta, allowed everything in its tenant) or a
 * signed-in portal user, allowed what its personas grant. `label` is what history shows as "Updated By".
 */
export type Actor =
  | { readonly kind: 'token'; readonly id: string; readonly label: string; readonly scopes?: ReadonlySet<string> | undefined }
  | { readonly kind: 'user'; readonly id: string; readonly sessionId: string; readonly label: string; readonly permissions: ReadonlySet<string> };

/**
 * Whether the actor may do what `permission` names. API tokens are tenant-wide provisioning credentials unless
 * created with scopes; a users:write scope includes reading.
 */
export function can(actor: Actor, permission: string): boolean {
  if (actor.kind === 'user') return actor.permissions.has(permission);
  if (!actor.scopes) return true;
  return actor.scopes.has(permission) || (permission === USERS_READ && actor.scopes.has(USERS_WRITE));
}

/** Who acted, for the security log: the kind of credential and its id (a user's or a token's). */
export function actorFields(actor: Actor): { readonly by: 'user' | 'token'; readonly actorId: string } {
  return { by: actor.kind, actorId: actor.id };
}

export interface RequestContext {
  readonly tenantId: string;
  readonly actor: Actor;
  readonly requestId: string;
  /** Who sent the request, for the security log; absent for the command line. */
  readonly meta?: RequestMeta;
  /** Who history names when not the actor itself: the command line acts with a token's power but is no token. */
  readonly historyActor?: HistoryActor;
  /**
   * The `txn` of the SCIM events this request's changes write, when not the request id: a Bulk operation's own,
   * `<request id>:<index>` (each operation commits on its own; RFC 9967 §2.5.1.2 numbers them so).
   */
  readonly txn?: string;
}

/** The operations every resource type with its own endpoint offers (RFC 7644 §3.3-§3.6). */
export interface ResourceResult {
  readonly resource: Record<string, unknown>;
  /** When present, the response body as JSON text in pieces (large groups), in place of `resource`. */
  readonly body?: AsyncIterable<string>;
  readonly version: number;
  readonly location: string;
}

export interface PatchResult {
  readonly version: number;
  readonly result: ResourceResult | undefined;
}

export interface ResourceService {
  create(ctx: RequestContext, body: unknown, projection: ProjectionParams): Promise<ResourceResult>;
  get(ctx: RequestContext, id: string, projection: ProjectionParams): Promise<ResourceResult>;
  replace(ctx: RequestContext, id: string, body: unknown, projection: ProjectionParams, ifMatch: string | undefined): Promise<ResourceResult>;
  /**
   * RFC 7644 §3.5.2. Users answer with the resource; Groups with only their new version (204), or with the resource
   * when the request names `attributes` or `excludedAttributes`.
   */
  patch(ctx: RequestContext, id: string, body: unknown, projection: ProjectionParams, ifMatch: string | undefined): Promise<PatchResult>;
  delete(ctx: RequestContext, id: string, ifMatch: string | undefined): Promise<void>;
  list(ctx: RequestContext, params: ListParams): Promise<ListResponse<Record<string, unknown>>>;
}
