// The rules of Users (RFC 7644 §3.3, §3.4, §3.5.1, §3.6): validation, passwords, transactions, projections.
import { emailValuesOf, mailAddressOf } from '../../auth/account-mail.js';
import { passwordProblem, type PasswordOwner } from '../../auth/password-policy.js';
import { ScimError } from '../../scim/errors.js';
import { applyPatch } from '../../scim/patch/apply.js';
import { parsePatchRequest, type PatchOperation } from '../../scim/patch/parse.js';
import { checkImmutable } from '../../scim/resource/immutable.js';
import { normalizeResource, sameJson, withSchemas, type ResourceData } from '../../scim/resource/normalize.js';
import { compileProjection, type Projection, type ProjectionParams } from '../../scim/resource/projection.js';
import { checkIfMatch, etagOf } from '../../scim/resource/version.js';
import { activationEvents, changeEvents, changedAttributeNames, createdAttributeNames, deleteEvent, type ChangeMethod } from '../../scim/events/index.js';
import { eventScope, recordEvents } from '../../events/recorder.js';
import { groupData, groupRef, once, userData, userRef, withData } from '../resource-events.js';
import { COMMON_ATTRIBUTES } from '../../scim/schema/common.js';
import { USER_RESOURCE_TYPE } from '../../scim/schema/resource-types.js';
import { endOtherSessionsOfUser, endSessionsOfUser, selectPasswordHash, voidAuthTokens, ALL_TOKEN_PURPOSES } from '../../auth/queries.js';
import { StoreError, type Queryable, type Transaction } from '../../store/index.js';
import { holdInserts } from '../../store/held-inserts.js';
import type { SecurityEvent, SecurityFields } from '../../auth/security-log.js';
import { actorFields, type Deps, type RequestContext, type ResourceResult, type ResourceService } from '../context.js';
import { byKey } from '../by-key.js';
import {
  historyForLock,
  historyForUnlock,
  historyForUserChange,
  historyForUserCreated,
  historyForUserDeleted,
  historyForUserEvent,
  historyScope,
  recordHistory,
  type HistoryScope,
  type LockReason,
} from '../history/recorder.js';
import { checkUserRemoval } from '../last-administrator.js';
import { runList, type ListSource, type SortKeyed } from '../list.js';
import { checkMayActOnUsers, checkNotOwnSignIn } from '../privilege.js';
import { checkScimPassword } from './password-check.js';
import { ENTERPRISE_USER, managerValueOf, userToResource } from './mapper.js';
import {
  INDEXED_MULTI_VALUED,
  countUsers,
  deleteUser,
  insertUser,
  pageUsers,
  searchPageUsers,
  lockUser,
  replaceUserValues,
  selectGroupsOfUsers,
  selectManagerNames,
  selectUser,
  selectUserNames,
  updateUser,
  userSqlModel,
  type PageUserRow,
  type UserGroupRow,
  type UserRow,
  type UserValue,
  type UserWrite,
} from './queries.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_PASSWORD_LENGTH = 1024;


/** The security events of a change, noted in its transaction and recorded once it has committed. */
type Audit = { event: SecurityEvent; fields: SecurityFields }[];
/**
 * What the console's Deactivate and Reactivate ask of a PATCH (POST /Users/{id}/deactivate, /reactivate): a
 * deactivation is no lock (its own reason, `deactivated`), and only a reactivation undoes it.
 */
export type ActivityChange = 'deactivate' | 'reactivate';

export interface UsersService extends ResourceService {
  /** Deactivates (active false, reason `deactivated`) or reactivates a user, as a PATCH of `active` would. */
  changeActivity(ctx: RequestContext, id: string, change: ActivityChange): Promise<void>;
}

/**
 * A portal administrator's Unlock (active: true) does not undo a deactivation: that takes Reactivate. An identity
 * provider's `active: true` still does (it owns the lifecycle of the users it provisions).
 */
function checkNotUnlockingDeactivated(ctx: RequestContext, current: UserRow, user: UserWrite, change: ActivityChange | undefined): void {
  if (current.active || !user.active || current.lock_reason !== 'deactivated' || change === 'reactivate' || ctx.actor.kind !== 'user') return;
  throw ScimError.conflict(`User ${current.user_name} is deactivated, not locked: reactivate it instead (POST /Users/{id}/reactivate).`);
}

/** An API token's request: the identity provider. The command line acts with a token's power but is an operator. */
function fromIdentityProvider(ctx: RequestContext): boolean {
  return ctx.actor.kind === 'token' && ctx.historyActor === undefined;
}

export function userNotFound(id: string): ScimError {
  return ScimError.notFound(`User ${id} not found.`);
}

/** Ids are UUIDs; anything else names no user, and must not reach a uuid cast in SQL. */
export function checkUserId(id: string): void {
  if (!UUID.test(id)) throw userNotFound(id);
}

/** Whether a PATCH names `active` itself (path `active`, or a path-less value with an `active` key). */
function mentionsActive(operations: readonly PatchOperation[]): boolean {
  return operations.some((operation) =>
    operation.path
      ? operation.path.attr.name.toLowerCase() === 'active' && !operation.path.attr.uri
      : typeof operation.value === 'object' && operation.value !== null && Object.keys(operation.value).some((key) => key.toLowerCase() === 'active'),
  );
}

function toWrite(data: ResourceData, ctx?: RequestContext, change?: ActivityChange): { user: UserWrite; password: string | undefined } {
  const { password, ...attributes } = data;
  if (password !== undefined) {
    if (typeof password !== 'string' || password.length === 0) throw ScimError.invalidValue("Attribute 'password' must be a non-empty string.");
    if (password.length > MAX_PASSWORD_LENGTH) throw ScimError.invalidValue(`Attribute 'password' must be at most ${MAX_PASSWORD_LENGTH} characters.`);
  }
  return {
    password: password as string | undefined,
    user: {
      userName: attributes.userName as string,
      externalId: attributes.externalId as string | undefined,
      displayName: attributes.displayName as string | undefined,
      active: (attributes.active as boolean | undefined) ?? true,
      attributes,
      // Who made the user inactive: a portal administrator, or a provisioning client (an identity provider).
      lockReason: change === 'deactivate' ? 'deactivated' : ctx?.actor.kind === 'user' ? 'admin' : 'provisioning',
    },
  };
}

/**
 * The password a User body sets, when it is one that can be stored; undefined otherwise (the service then
 * refuses the body, or sets no password). For work that must hash it before a transaction opens.
 */
export function passwordOfUser(body: unknown): string | undefined {
  try {
    return toWrite(normalizeResource(USER_RESOURCE_TYPE, body)).password;
  } catch {
    return undefined;
  }
}

/**
 * The password a PATCH most likely sets: the last string an operation gives `password` (path `password`, or a
 * path-less value with a `password` key). A guess made before the transaction, so the hash can be too; the
 * transaction checks it against what the operations really set (see patch).
 */
function likelyPatchPassword(operations: readonly PatchOperation[]): string | undefined {
  const isPassword = (key: string) => key.toLowerCase() === 'password' || key.toLowerCase() === `${USER_RESOURCE_TYPE.schema.id}:password`.toLowerCase();
  let found: string | undefined;
  for (const operation of operations) {
    if (operation.op === 'remove') continue;
    const { path, value } = operation;
    if (path) {
      if (isPassword(path.attr.name) && !path.filter && !path.subAttr && !path.attr.subAttr && typeof value === 'string') found = value;
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) if (isPassword(key) && typeof item === 'string') found = item;
    }
  }
  return found !== undefined && found.length > 0 && found.length <= MAX_PASSWORD_LENGTH ? found : undefined;
}

/**
 * A password a request sets, checked against the policy and hashed before its transaction. `hash` null: it is the
 * current password (verified against the stored hash `against`), which identity providers re-send with full
 * profiles: nothing changes, no session ends, no notice goes out. That answer tells only a caller that may set the
 * user's password anyway.
 */
interface PreparedPassword {
  readonly password: string;
  readonly hash: string | null;
  readonly against: string | null;
}

/** Thrown inside a PATCH's transaction that sets a password hashed for none: it is hashed outside and the PATCH run again. */
class PasswordToHash extends Error {
  constructor(readonly password: string) {
    super('A PATCH set a password that was not hashed before its transaction.');
  }
}

/** One user_values row per element of the indexed multi-valued attributes. */
function indexedValues(attributes: Record<string, unknown>): UserValue[] {
  const values: UserValue[] = [];
  for (const attribute of INDEXED_MULTI_VALUED) {
    const items = attributes[attribute];
    if (!Array.isArray(items)) continue;
    items.forEach((item: Record<string, unknown>, position) => {
      values.push({
        attribute,
        position,
        value: typeof item.value === 'string' ? item.value : null,
        type: typeof item.type === 'string' ? item.type : null,
        primary: item.primary === true,
      });
    });
  }
  return values;
}

function translateStoreError(error: unknown, userName: string): never {
  if (error instanceof StoreError && error.kind === 'unique' && error.constraint === 'users_user_name_key') {
    throw ScimError.uniqueness(`userName "${userName}" is already taken.`);
  }
  throw error;
}

/** How a list of users is read and rendered; shared with the search across resource types (../search/). */
export function userListSource(scimBaseUrl: string): ListSource<PageUserRow> {
  return {
    resourceType: USER_RESOURCE_TYPE,
    model: userSqlModel,
    createdColumn: 'u.created_at',
    count: countUsers,
    page: pageUsers,
    searchPage: searchPageUsers,
    async render(q, tenantId, rows, projection) {
      // A page read by pageUsers brought its groups and managers' names along; rows read otherwise (the search's)
      // have them read here, by one statement each for all of those rows.
      const unread = rows.filter((row) => row.groups === undefined);
      const groups =
        unread.length > 0 && projection.includes(USER_RESOURCE_TYPE.schema.id, 'groups')
          ? await selectGroupsOfUsers(q, tenantId, unread.map((r) => r.id))
          : [];
      const byUser = byKey(groups, (g) => g.user_id);
      const managers = await selectManagerNames(q, tenantId, unread.flatMap((row) => managerValueOf(row.attributes) ?? []));
      return rows.map((row) => {
        if (row.groups !== undefined) return projection.apply(userToResource(row, row.groups, scimBaseUrl));
        const value = managerValueOf(row.attributes);
        const managed = { ...row, manager_name: value === undefined ? null : (managers.get(value.toLowerCase()) ?? null) };
        return projection.apply(userToResource(managed, byUser.get(row.id) ?? [], scimBaseUrl));
      });
    },
  };
}

export function createUsersService(deps: Deps): UsersService {
  const { store, clock, newId, passwords, scimBaseUrl, accountMail, auth } = deps;

  /** The portal's password policy, on the SCIM path too: 400 invalidValue naming the rule. */
  const checkPolicy = (password: string, owner: PasswordOwner, quick = false) => checkScimPassword(auth, password, owner, quick);

  const ownerOf = (user: { userName: string; attributes: Record<string, unknown> }): PasswordOwner => ({
    userName: user.userName,
    emails: emailValuesOf(user.attributes),
  });

  /** Outside any transaction: Argon2id (and zxcvbn) take tens of milliseconds, and no row lock may wait for them. */
  async function preparePassword(tenantId: string, id: string | null, password: string, owner: PasswordOwner): Promise<PreparedPassword> {
    const against = id === null ? null : await selectPasswordHash(store, tenantId, id);
    if (against !== null && (await passwords.verify(against, password))) return { password, hash: null, against };
    checkPolicy(password, owner);
    return { password, hash: await passwords.hash(password), against };
  }

  /**
   * Inside the transaction, with the user's row locked: the hash to store (null keeps the current one). A password
   * found to be the current one is so no more when another was set meanwhile: it is prepared again (PasswordToHash).
   */
  async function passwordHashToStore(tx: Queryable, tenantId: string, id: string, prepared: PreparedPassword, owner: PasswordOwner): Promise<string | null> {
    if (prepared.hash === null) {
      if ((await selectPasswordHash(tx, tenantId, id)) !== prepared.against) throw new PasswordToHash(prepared.password);
      return null;
    }
    // The user may have been renamed meanwhile, or by this very request: the cheap rules again, on the names now.
    checkPolicy(prepared.password, owner, true);
    return prepared.hash;
  }

  /**
   * Runs a change; once it has committed, has the mail it queued, if any, go out at once, and writes the security
   * events it noted to the security log (a change rolled back, or tried again, did not happen as noted).
   */
  async function withMail<T>(ctx: RequestContext, fn: (tx: Transaction, audit: Audit) => Promise<{ value: T; mailed: boolean }>): Promise<T> {
    let audit: Audit = [];
    const { value, mailed } = await store.transaction((tx) => {
      audit = [];
      return fn(tx, audit);
    });
    if (mailed) accountMail.notify();
    for (const { event, fields } of audit) deps.securityLog.record(event, { ...ctx.meta, requestId: ctx.requestId }, { tenant: ctx.tenantId, ...fields });
    return value;
  }

  /**
   * The enterprise manager is kept as given, also when its value names no user of this tenant yet (Entra provisions
   * managers after their reports): the response resolves it when read (see MANAGER_NAME in queries.ts). A user
   * cannot be its own manager. The name copied here, when it resolves now, is what history shows; a manager the
   * change keeps keeps the name it was stored with, so that history records no change the request did not make.
   */
  async function resolveManager(
    q: Queryable,
    tenantId: string,
    userId: string,
    attributes: Record<string, unknown>,
    before?: Record<string, unknown>,
  ): Promise<void> {
    const enterprise = attributes[ENTERPRISE_USER] as Record<string, unknown> | undefined;
    const manager = enterprise?.manager as Record<string, unknown> | undefined;
    if (!enterprise || !manager) return;
    const value = manager.value;
    if (typeof value !== 'string') {
      throw ScimError.invalidValue(`Attribute '${ENTERPRISE_USER}:manager.value' is required when manager is given.`);
    }
    if (value.toLowerCase() === userId.toLowerCase()) {
      throw ScimError.invalidValue(`Attribute '${ENTERPRISE_USER}:manager.value': a User cannot be its own manager.`);
    }
    const { $ref: _ignored, displayName: _readOnly, ...rest } = manager;
    const kept = ((before?.[ENTERPRISE_USER] as Record<string, unknown> | undefined)?.manager ?? undefined) as Record<string, unknown> | undefined;
    if (kept && kept.value === value) {
      enterprise.manager = typeof kept.displayName === 'string' ? { ...rest, displayName: kept.displayName } : rest;
      return;
    }
    const names = UUID.test(value) ? await selectUserNames(q, tenantId, value) : undefined;
    enterprise.manager = names ? { ...rest, displayName: names.display_name ?? names.user_name } : rest;
  }

  const listSource = userListSource(scimBaseUrl);

  /** The user a request changes, locked: 404 when it is gone, 403 when the session may not act on it, 412 on a stale If-Match. */
  async function lockForChange(tx: Queryable, ctx: RequestContext, id: string, ifMatch: string | undefined): Promise<UserRow> {
    const current = await lockUser(tx, ctx.tenantId, id);
    if (!current) throw userNotFound(id);
    await checkMayActOnUsers(tx, ctx, [id]);
    checkIfMatch(ifMatch, current.version);
    return current;
  }

  /** Writes a locked user's new state with its indexed values, history, notices and security events. */
  async function writeChange(
    tx: Queryable,
    ctx: RequestContext,
    method: ChangeMethod,
    current: UserRow,
    user: UserWrite,
    passwordHash: string | null,
    audit: Audit,
  ): Promise<{ row: UserRow; mailed: boolean; groups: () => Promise<UserGroupRow[]> }> {
    if (passwordHash !== null) checkNotOwnSignIn(ctx, current.id, 'password');
    await resolveManager(tx, ctx.tenantId, current.id, user.attributes, current.attributes);
    const row = await updateUser(tx, ctx.tenantId, current.id, user, passwordHash, clock());
    if (!row) throw userNotFound(current.id);
    await replaceUserValues(tx, ctx.tenantId, current.id, indexedValues(user.attributes));
    // The user's groups, read once for its full event and its response, whichever asks first.
    const groups = once(() => selectGroupsOfUsers(tx, ctx.tenantId, [current.id]));
    return { row, mailed: await recordChange(tx, ctx, method, current, row, passwordHash !== null, audit, groups), groups };
  }

  /**
   * History of one change: each attribute that changed, and a lock or unlock in place of the bare `active` change;
   * and the notice of a changed e-mail address. Returns whether mail was queued.
   */
  async function recordChange(
    tx: Queryable,
    ctx: RequestContext,
    method: ChangeMethod,
    before: UserRow,
    after: UserRow,
    passwordChanged: boolean,
    audit: Audit,
    groups: () => Promise<UserGroupRow[]>,
  ): Promise<boolean> {
    const scope = historyScope(ctx, deps);
    // The SCIM events: an activation or deactivation when the user's `active` turned, and what changed (the
    // effective `active` too: an unlock ends a lockout the document never showed).
    const subject = userRef(after);
    const attributes = changedAttributeNames(USER_RESOURCE_TYPE, before.attributes, after.attributes, {
      password: passwordChanged,
      active: before.active !== after.active,
    });
    const events = [...activationEvents(subject, before.active, after.active), ...changeEvents({ method, resource: subject, attributes, version: etagOf(after.version) })];
    await recordEvents(tx, eventScope(scope, ctx.txn, deps.eventHints), withData(events, userData(tx, ctx.tenantId, scimBaseUrl, after.id, after, groups)));
    const entries = historyForUserChange(scope, before, after, { passwordChanged }).filter((entry) => entry.attribute !== 'active');
    const who = { userId: after.id, ...actorFields(ctx.actor) };
    if (passwordChanged) audit.push({ event: 'password.changed', fields: { ...who, how: 'scim' } });
    // Locked or deactivated now, or a lock turned into a deactivation: the reason the row now holds.
    if (!after.active && (before.active || before.lock_reason !== after.lock_reason) && after.lock_reason !== 'failedLogins') {
      const reason = (after.lock_reason ?? (ctx.actor.kind === 'user' ? 'admin' : 'provisioning')) as LockReason;
      entries.push(...historyForLock(scope, after, reason));
      audit.push({ event: 'account.locked', fields: { ...who, reason } });
    }
    if (!before.active && after.active) audit.push({ event: 'account.unlocked', fields: who });
    // A lock ends the user's sessions for good: unlocking lets the user sign in again, it revives none of them. A
    // lockout after failed sign-ins leaves them be, and so does not count as a lock here.
    if (!after.active && after.lock_reason !== 'failedLogins' && (before.active || before.lock_reason === 'failedLogins')) {
      await endSessionsOfUser(tx, scope.tenantId, after.id, scope.at);
    }
    if (!before.active && after.active) entries.push(...historyForUnlock(scope, after, before.lock_reason as LockReason | null));
    await recordHistory(tx, entries);
    const passwordNoticed = passwordChanged && (await endPasswordsPast(tx, ctx, scope, after));
    const emailNoticed = await noticeEmailChange(tx, scope, before, after);
    return passwordNoticed || emailNoticed;
  }

  /**
   * A new password set through SCIM does what one set at the portal does: the user's other sessions end, every
   * outstanding link stops working (an old reset link would otherwise override what the identity provider set),
   * and the user hears of it. Returns whether mail was queued.
   */
  async function endPasswordsPast(tx: Queryable, ctx: RequestContext, scope: HistoryScope, user: UserRow): Promise<boolean> {
    const keep = ctx.actor.kind === 'user' && ctx.actor.id === user.id ? ctx.actor.sessionId : null;
    await endOtherSessionsOfUser(tx, scope.tenantId, user.id, keep, scope.at);
    await voidAuthTokens(tx, scope.tenantId, user.id, ALL_TOKEN_PURPOSES, scope.at);
    const email = mailAddressOf(user.attributes);
    return email ? accountMail.sendPasswordNotice(tx, scope, { ...user, email }, 'changed') : false;
  }

  /**
   * When the address account mail goes to changes, the old address hears of it, and the reset and welcome links
   * sent there stop working. Returns whether mail was queued.
   */
  async function noticeEmailChange(tx: Queryable, scope: HistoryScope, before: UserRow, after: UserRow): Promise<boolean> {
    const oldEmail = mailAddressOf(before.attributes);
    const newEmail = mailAddressOf(after.attributes);
    if (!oldEmail || oldEmail.toLowerCase() === newEmail?.toLowerCase()) return false;
    await voidAuthTokens(tx, scope.tenantId, after.id, ['reset', 'welcome'], scope.at);
    if (!newEmail) return false;
    return accountMail.sendEmailChanged(tx, scope, { ...after, email: oldEmail }, newEmail);
  }


  async function render(
    q: Queryable,
    tenantId: string,
    row: UserRow,
    projection: Projection,
    known?: UserGroupRow[] | (() => Promise<UserGroupRow[]>),
  ): Promise<ResourceResult> {
    const wanted = projection.includes(USER_RESOURCE_TYPE.schema.id, 'groups');
    const groups = !wanted ? undefined : typeof known === 'function' ? await known() : (known ?? (await selectGroupsOfUsers(q, tenantId, [row.id])));
    return {
      resource: projection.apply(userToResource(row, groups, scimBaseUrl)),
      version: row.version,
      location: `${scimBaseUrl}/Users/${row.id}`,
    };
  }

  async function patchUser(
    ctx: RequestContext,
    id: string,
    body: unknown,
    projectionParams: ProjectionParams,
    ifMatch: string | undefined,
    change?: ActivityChange,
  ): ReturnType<ResourceService['patch']> {
    const projection = compileProjection(USER_RESOURCE_TYPE, projectionParams);
    checkUserId(id);
    const operations = parsePatchRequest(body);
    // Argon2id never runs inside the transaction: the password the operations most likely set is hashed before it;
    // should they set another (a path the guess does not read), the transaction stops, that one is hashed, and the
    // PATCH runs again. The password comes from the operations alone, so the second run sets the same one.
    const guess = likelyPatchPassword(operations);
    // Checked against the user's names before the PATCH; the transaction checks them again as the PATCH leaves them.
    const prepare = async (password: string) => {
      const before = await selectUser(store, ctx.tenantId, id);
      return preparePassword(ctx.tenantId, id, password, before ? ownerOf({ userName: before.user_name, attributes: before.attributes }) : { userName: '', emails: [] });
    };
    let hashed = guess === undefined ? undefined : await prepare(guess);
    let userName = '';
    for (let attempt = 1; ; attempt++) {
      try {
        return await withMail(ctx, async (tx, audit) => {
          const current = await lockForChange(tx, ctx, id, ifMatch);
          const { data } = applyPatch(USER_RESOURCE_TYPE, current.attributes, operations);
          const written = toWrite(normalizeResource(USER_RESOURCE_TYPE, withSchemas(USER_RESOURCE_TYPE, data)), ctx, change);
          const { password } = written;
          // An explicit `active: true` (the portal's Unlock, an IdP's reactivation) also ends a lockout after failed logins.
          const user: UserWrite = { ...written.user, unlock: written.user.active && mentionsActive(operations) };
          userName = user.userName;
          checkImmutable([...COMMON_ATTRIBUTES, ...USER_RESOURCE_TYPE.schema.attributes], current.attributes, user.attributes);
          // Nothing changes (IdPs often re-send what is there), or only the current password again: no new version.
          checkNotUnlockingDeactivated(ctx, current, user, change);
          // A deactivation of a locked user changes its reason only.
          const unchanged =
            sameJson(user.attributes, current.attributes) &&
            !(user.unlock && !current.active) &&
            !(change === 'deactivate' && current.lock_reason !== 'deactivated');
          const asItIs = async () => ({ value: { version: current.version, result: await render(tx, ctx.tenantId, current, projection) }, mailed: false });
          if (password === undefined && unchanged) return asItIs();
          if (password !== undefined && password !== hashed?.password) throw new PasswordToHash(password);
          if (current.active && !user.active) await checkUserRemoval(tx, deps, ctx, current, 'deactivate');
          const passwordHash = password === undefined ? null : await passwordHashToStore(tx, ctx.tenantId, id, hashed!, ownerOf(user));
          if (password !== undefined && passwordHash === null && unchanged) return asItIs();
          const { row, mailed, groups } = await writeChange(tx, ctx, 'patch', current, user, passwordHash, audit);
          return { value: { version: row.version, result: await render(tx, ctx.tenantId, row, projection, groups) }, mailed };
        });
      } catch (error) {
        if (error instanceof PasswordToHash && attempt < 3) {
          hashed = await prepare(error.password);
          continue;
        }
        translateStoreError(error, userName);
      }
    }
  }

  return {
    async create(ctx, body, projectionParams) {
      const projection = compileProjection(USER_RESOURCE_TYPE, projectionParams);
      const { user, password: given } = toWrite(normalizeResource(USER_RESOURCE_TYPE, body), ctx);
      // Identity providers send a password with every new user, even when they sync none: Okta's is a placeholder
      // made to its own policy ("1mz050nq") that no person knows. Refusing the user for it would stop provisioning,
      // and storing it would break the one password policy: the user is created without it (the welcome mail lets
      // the person choose one), and its history says so. A password set on an existing user is refused as ever.
      const placeholder = given !== undefined && fromIdentityProvider(ctx) && passwordProblem(auth.passwordPolicy, given, ownerOf(user)) !== undefined;
      const password = placeholder ? undefined : given;
      const passwordHash = password === undefined ? null : (await preparePassword(ctx.tenantId, null, password, ownerOf(user))).hash;
      const id = newId();
      try {
        return await withMail(ctx, async (tx, audit) => {
          await resolveManager(tx, ctx.tenantId, id, user.attributes);
          const scope = historyScope(ctx, deps);
          // Users created with an e-mail address and no password are sent the welcome mail, unless an identity
          // provider (an API token) created them in a tenant that turned it off: the insert reads that setting.
          const address = passwordHash === null ? mailAddressOf(user.attributes) : undefined;
          const welcomeAt = address === undefined ? null : { at: scope.at, unlessTurnedOff: fromIdentityProvider(ctx) };
          const row = await insertUser(tx, ctx.tenantId, id, user, passwordHash, indexedValues(user.attributes), scope.at, welcomeAt);
          const welcome = row.welcome_email_sent_at !== null ? address : undefined;
          const history = historyForUserCreated(scope, row);
          if (placeholder) {
            history.push(...historyForUserEvent(scope, row, 'passwordNotSet', { attribute: 'password' }));
            audit.push({ event: 'password.notSet', fields: { userId: row.id, ...actorFields(ctx.actor), reason: 'policy' } });
          }
          // The rest of the create writes rows nobody reads back (the history, the welcome link, its outbox row):
          // sent as one statement, they cost a Bulk of creates one round trip a user instead of four.
          const held = holdInserts(tx);
          if (welcome) await accountMail.sendWelcome(held, scope, { ...row, email: welcome }, { newUser: true, history });
          else await recordHistory(held, history);
          await held.send();
          const attributes = createdAttributeNames(USER_RESOURCE_TYPE, row.attributes, { password: passwordHash !== null });
          const created = changeEvents({ method: 'create', resource: userRef(row), attributes, version: etagOf(row.version) });
          await recordEvents(tx, eventScope(scope, ctx.txn, deps.eventHints), withData(created, userData(tx, ctx.tenantId, scimBaseUrl, row.id, row, async () => [])));
          // A user just created belongs to no group yet.
          return { value: await render(tx, ctx.tenantId, row, projection, []), mailed: welcome !== undefined };
        });
      } catch (error) {
        translateStoreError(error, user.userName);
      }
    },

    async get(ctx, id, projectionParams) {
      const projection = compileProjection(USER_RESOURCE_TYPE, projectionParams);
      checkUserId(id);
      const row = await selectUser(store, ctx.tenantId, id);
      if (!row) throw userNotFound(id);
      return render(store, ctx.tenantId, row, projection);
    },

    async replace(ctx, id, body, projectionParams, ifMatch) {
      const projection = compileProjection(USER_RESOURCE_TYPE, projectionParams);
      checkUserId(id);
      const { user, password } = toWrite(normalizeResource(USER_RESOURCE_TYPE, body), ctx);
      // A PUT without a password keeps the current one (Okta sends full profiles without it).
      for (let attempt = 1; ; attempt++) {
        const prepared = password === undefined ? undefined : await preparePassword(ctx.tenantId, id, password, ownerOf(user));
        try {
          return await withMail(ctx, async (tx, audit) => {
            const current = await lockForChange(tx, ctx, id, ifMatch);
            checkImmutable([...COMMON_ATTRIBUTES, ...USER_RESOURCE_TYPE.schema.attributes], current.attributes, user.attributes);
            if (current.active && !user.active) await checkUserRemoval(tx, deps, ctx, current, 'deactivate');
            checkNotUnlockingDeactivated(ctx, current, user, undefined);
            const passwordHash = prepared ? await passwordHashToStore(tx, ctx.tenantId, id, prepared, ownerOf(user)) : null;
            const { row, mailed, groups } = await writeChange(tx, ctx, 'put', current, user, passwordHash, audit);
            return { value: await render(tx, ctx.tenantId, row, projection, groups), mailed };
          });
        } catch (error) {
          if (error instanceof PasswordToHash && attempt < 3) continue;
          translateStoreError(error, user.userName);
        }
      }
    },

    async changeActivity(ctx, id, change) {
      const body = { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: change === 'reactivate' }] };
      await patchUser(ctx, id, body, {}, undefined, change);
    },

    patch: (ctx, id, body, projectionParams, ifMatch) => patchUser(ctx, id, body, projectionParams, ifMatch),

    async delete(ctx, id, ifMatch) {
      checkUserId(id);
      await store.transaction(async (tx) => {
        const current = await lockForChange(tx, ctx, id, ifMatch);
        await checkUserRemoval(tx, deps, ctx, current, 'delete');
        const groups = (await deleteUser(tx, ctx.tenantId, id, clock())) ?? [];
        const scope = historyScope(ctx, deps);
        await recordHistory(tx, historyForUserDeleted(scope, current, groups));
        // The groups it was a direct member of lost a member (and have a new version): each says so, as a PATCH of
        // `members` would have.
        const onGroups = groups.flatMap((group) =>
          withData(
            changeEvents({ method: 'patch', resource: groupRef(group), attributes: ['members'], version: etagOf(group.version) }),
            groupData(tx, ctx.tenantId, scimBaseUrl, group.id),
          ),
        );
        await recordEvents(tx, eventScope(scope, ctx.txn, deps.eventHints), [deleteEvent(userRef(current)), ...onGroups]);
      });
    },

    list(ctx, params) {
      return runList(store, deps.cursors, ctx.tenantId, params, listSource);
    },
  };
}
