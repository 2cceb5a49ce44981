// The rules of Groups (RFC 7644 §3.3-§3.6; RFC 7643 §4.2): members of the same tenant only, no nesting loops.
import { ScimError } from '../../scim/errors.js';
import type { Filter } from '../../scim/filter/ast.js';
import { applyPatch, type ExternalChange } from '../../scim/patch/apply.js';
import { inOperation, parsePatchRequest } from '../../scim/patch/parse.js';
import { checkImmutable } from '../../scim/resource/immutable.js';
import { normalizeResource, sameJson, withSchemas, type ResourceData } from '../../scim/resource/normalize.js';
import { compileProjection, type Projection, type ProjectionParams } from '../../scim/resource/projection.js';
import { streamWithList } from '../../scim/resource/stream-json.js';
import { checkIfMatch, etagOf } from '../../scim/resource/version.js';
import { changeEvents, changedAttributeNames, createdAttributeNames, deleteEvent, type ChangeMethod } from '../../scim/events/index.js';
import { eventScope, recordEvents } from '../../events/recorder.js';
import type { HistoryScope } from '../history/recorder.js';
import { groupData, groupRef, withData } from '../resource-events.js';
import { COMMON_ATTRIBUTES } from '../../scim/schema/common.js';
import { PERSONA_SCHEMA } from '../../scim/schema/persona.js';
import { GROUP_RESOURCE_TYPE } from '../../scim/schema/resource-types.js';
import { StoreError, type Queryable } from '../../store/index.js';
import type { Deps, RequestContext, ResourceResult, ResourceService } from '../context.js';
import { byKey } from '../by-key.js';
import { historyForGroupChange, historyForGroupCreated, historyForGroupDeleted, historyForMembers, historyScope, recordHistory } from '../history/recorder.js';
import { guardGroupChange } from '../last-administrator.js';
import { runList, type ListSource, type SortKeyed } from '../list.js';
import { carriedPermissions, checkMayActOnUsers, checkMayGrant } from '../privilege.js';
import { groupLocation, groupToResource } from './mapper.js';
import {
  addMembers,
  countGroups,
  deleteGroup,
  groupSqlModel,
  insertGroup,
  pageGroups,
  lockGroup,
  lockNesting,
  removeMembers,
  selectGroup,
  selectMemberTypes,
  selectMemberBatch,
  selectMembers,
  setMembers,
  updateGroup,
  wouldCreateCycle,
  type ChangedMember,
  type GroupRow,
  type GroupWrite,
  type MemberRow,
  type MembershipChange,
} from './queries.js';

const MEMBER_BATCH = 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type GroupsService = ResourceService;

/** A member as a request names it, not yet checked. */
interface RequestedMember {
  readonly value: string;
  readonly type: string | undefined;
}

function notFound(id: string): ScimError {
  return ScimError.notFound(`Group ${id} not found.`);
}

function checkId(id: string): void {
  if (!UUID.test(id)) throw notFound(id);
}

function toRequestedMembers(members: readonly Record<string, unknown>[]): RequestedMember[] {
  return members.map((member, index) => {
    if (typeof member.value !== 'string') throw ScimError.invalidValue(`Attribute 'members[${index}].value' is required.`);
    return { value: member.value, type: typeof member.type === 'string' ? member.type : undefined };
  });
}

/** The member ids a filter such as `value eq "a" or value eq "b"` names; undefined for any other filter. */
function memberIdsOf(filter: Filter): string[] | undefined {
  if (filter.kind === 'or') {
    const left = memberIdsOf(filter.left);
    const right = memberIdsOf(filter.right);
    return left && right ? [...left, ...right] : undefined;
  }
  if (filter.kind === 'compare' && filter.op === 'eq' && typeof filter.value === 'string' && !filter.attr.subAttr && filter.attr.name.toLowerCase() === 'value') {
    return [filter.value.toLowerCase()];
  }
  return undefined;
}

function toWrite(data: ResourceData): { group: GroupWrite; members: RequestedMember[] } {
  const { members, ...attributes } = data;
  return {
    members: toRequestedMembers((members as Record<string, unknown>[] | undefined) ?? []),
    group: {
      displayName: attributes.displayName as string,
      externalId: attributes.externalId as string | undefined,
      attributes,
    },
  };
}

/** The permissions a group's own persona extension names (not those of the groups it is nested in). */
function ownPermissions(attributes: Record<string, unknown>): string[] {
  const persona = attributes[PERSONA_SCHEMA.id] as Record<string, unknown> | undefined;
  const permissions = persona?.permissions;
  return Array.isArray(permissions) ? permissions.filter((p): p is string => typeof p === 'string') : [];
}

/** The users and groups whose membership changed, for the privilege check on the people they stand for. */
function changedIds(changed: readonly ChangedMember[]): { userIds: string[]; groupIds: string[] } {
  return {
    userIds: changed.filter((m) => m.type === 'User').map((m) => m.id),
    groupIds: changed.filter((m) => m.type === 'Group').map((m) => m.id),
  };
}

function translateStoreError(error: unknown, displayName: string): never {
  if (error instanceof StoreError && error.kind === 'unique' && error.constraint === 'groups_display_name_key') {
    throw ScimError.uniqueness(`A group named "${displayName}" already exists.`);
  }
  // A member deleted between our check and the insert: same answer as a member that never existed.
  if (error instanceof StoreError && error.kind === 'foreignKey') {
    throw ScimError.invalidValue('A member is not a User or Group of this tenant.');
  }
  throw error;
}

/** How a list of groups is read and rendered; shared with the search across resource types (../search/). */
export function groupListSource(scimBaseUrl: string): ListSource<GroupRow & SortKeyed> {
  return {
    resourceType: GROUP_RESOURCE_TYPE,
    model: groupSqlModel,
    createdColumn: 'g.created_at',
    count: countGroups,
    page: pageGroups,
    async render(q, tenantId, rows, projection) {
      const members = projection.includes(GROUP_RESOURCE_TYPE.schema.id, 'members')
        ? await selectMembers(q, tenantId, rows.map((r) => r.id))
        : [];
      const byGroup = byKey(members, (m) => m.group_id);
      return rows.map((row) => projection.apply(groupToResource(row, byGroup.get(row.id) ?? [], scimBaseUrl)));
    },
  };
}

export function createGroupsService(deps: Deps): GroupsService {
  const { store, clock, newId, scimBaseUrl } = deps;

  /** Checks every member and splits them by kind; the whole request fails on the first bad one. */
  async function resolveMembers(tx: Queryable, tenantId: string, groupId: string, refs: readonly RequestedMember[]) {
    for (const ref of refs) {
      if (!UUID.test(ref.value)) throw ScimError.invalidValue(`Member "${ref.value}" is not a User or Group of this tenant.`);
    }
    const ids = [...new Set(refs.map((ref) => ref.value.toLowerCase()))];
    const types = await selectMemberTypes(tx, tenantId, ids);
    for (const ref of refs) {
      const actual = types.get(ref.value.toLowerCase());
      if (!actual) throw ScimError.invalidValue(`Member "${ref.value}" is not a User or Group of this tenant.`);
      if (ref.type !== undefined && ref.type.toLowerCase() !== actual.toLowerCase()) {
        throw ScimError.invalidValue(`Member "${ref.value}" is a ${actual}, not a ${ref.type}.`);
      }
    }
    const userIds = ids.filter((id) => types.get(id) === 'User');
    const groupIds = ids.filter((id) => types.get(id) === 'Group');
    if (groupIds.length > 0) {
      await lockNesting(tx, tenantId);
      if (await wouldCreateCycle(tx, tenantId, groupId, groupIds)) {
        throw ScimError.invalidValue('A group cannot be a member of itself, directly or through nested groups.');
      }
    }
    return { userIds, groupIds };
  }

  /** One PATCH operation on members, as SQL. Returns the memberships that changed. */
  async function applyMemberChange(tx: Queryable, tenantId: string, groupId: string, change: ExternalChange): Promise<MembershipChange> {
    if (change.subAttr) throw ScimError.mutability(`Sub-attributes of members cannot be changed; remove the member and add it again.`);
    const refs = (change.value as Record<string, unknown>[] | undefined) ?? [];
    if (change.op === 'remove') {
      if (change.filter) {
        const ids = memberIdsOf(change.filter);
        if (!ids) throw ScimError.invalidFilter('A members filter may only compare "value" with eq, joined by or.');
        return removeMembers(tx, tenantId, groupId, ids.filter((v) => UUID.test(v)));
      }
      // Microsoft Entra ID removes members as {"op":"Remove","path":"members","value":[{"value":"<id>"}]}.
      if (change.value !== undefined) {
        const ids = refs.map((ref) => ref.value).filter((v): v is string => typeof v === 'string' && UUID.test(v));
        return removeMembers(tx, tenantId, groupId, ids);
      }
      return setMembers(tx, tenantId, groupId, [], []);
    }
    if (change.filter) throw ScimError.invalidPath('A member cannot be replaced in place; remove it and add the new one.');
    const { userIds, groupIds } = await resolveMembers(tx, tenantId, groupId, toRequestedMembers(refs));
    return change.op === 'add' ? addMembers(tx, tenantId, groupId, userIds, groupIds) : setMembers(tx, tenantId, groupId, userIds, groupIds);
  }

  const listSource = groupListSource(scimBaseUrl);

  /**
   * The SCIM events of a group's change: its attributes that changed, and `members` when any member came or went.
   * A member's own resource is not changed (its `groups` is read-only and derived, its version stays): no event.
   */
  async function recordGroupEvents(
    tx: Queryable,
    ctx: RequestContext,
    scope: HistoryScope,
    method: ChangeMethod,
    before: GroupRow | undefined,
    after: GroupRow,
    membersChanged: boolean,
  ): Promise<void> {
    const options = { members: membersChanged };
    const attributes = before
      ? changedAttributeNames(GROUP_RESOURCE_TYPE, before.attributes, after.attributes, options)
      : createdAttributeNames(GROUP_RESOURCE_TYPE, after.attributes, options);
    const events = changeEvents({ method, resource: groupRef(after), attributes, version: etagOf(after.version) });
    await recordEvents(tx, eventScope(scope, ctx.txn, deps.eventHints), withData(events, groupData(tx, ctx.tenantId, scimBaseUrl, after.id, after)));
  }

  async function render(q: Queryable, tenantId: string, row: GroupRow, projection: Projection): Promise<ResourceResult> {
    const members: MemberRow[] | undefined = projection.includes(GROUP_RESOURCE_TYPE.schema.id, 'members')
      ? await selectMembers(q, tenantId, [row.id])
      : undefined;
    return {
      resource: projection.apply(groupToResource(row, members, scimBaseUrl)),
      version: row.version,
      location: `${scimBaseUrl}/Groups/${row.id}`,
    };
  }

  /** A group as GET answers it: with its members streamed in batches, so a group of 100k members never sits in memory whole. */
  async function represent(tenantId: string, row: GroupRow, projection: Projection): Promise<ResourceResult> {
    if (!projection.includes(GROUP_RESOURCE_TYPE.schema.id, 'members')) return render(store, tenantId, row, projection);
    const head = projection.apply(groupToResource(row, undefined, scimBaseUrl));
    const projectMember = (member: MemberRow) =>
      (projection.apply(groupToResource(row, [member], scimBaseUrl)).members as unknown[] | undefined)?.[0] ?? {};
    async function* batches() {
      for (const type of ['User', 'Group'] as const) {
        let after: string | null = null;
        for (;;) {
          const batch = await selectMemberBatch(store, tenantId, row.id, type, after, MEMBER_BATCH);
          if (batch.length > 0) yield batch.map(projectMember);
          if (batch.length < MEMBER_BATCH) break;
          after = batch[batch.length - 1]!.value;
        }
      }
    }
    return { resource: head, body: streamWithList(head, 'members', batches()), version: row.version, location: groupLocation(scimBaseUrl, row.id) };
  }

  return {
    async create(ctx, body, projectionParams) {
      const projection = compileProjection(GROUP_RESOURCE_TYPE, projectionParams);
      const { group, members } = toWrite(normalizeResource(GROUP_RESOURCE_TYPE, body));
      const id = newId();
      try {
        return await store.transaction(async (tx) => {
          checkMayGrant(ctx, ownPermissions(group.attributes));
          const row = await insertGroup(tx, ctx.tenantId, id, group, clock());
          const { userIds, groupIds } = await resolveMembers(tx, ctx.tenantId, id, members);
          const { added, removed } = await setMembers(tx, ctx.tenantId, id, userIds, groupIds);
          const changed = changedIds(added);
          await checkMayActOnUsers(tx, ctx, changed.userIds, changed.groupIds);
          const scope = historyScope(ctx, deps);
          await recordHistory(tx, [...historyForGroupCreated(scope, row), ...historyForMembers(scope, row, added, removed)]);
          await recordGroupEvents(tx, ctx, scope, 'create', undefined, row, added.length > 0);
          return render(tx, ctx.tenantId, row, projection);
        });
      } catch (error) {
        translateStoreError(error, group.displayName);
      }
    },

    async get(ctx, id, projectionParams) {
      const projection = compileProjection(GROUP_RESOURCE_TYPE, projectionParams);
      checkId(id);
      const row = await selectGroup(store, ctx.tenantId, id);
      if (!row) throw notFound(id);
      return represent(ctx.tenantId, row, projection);
    },

    async replace(ctx, id, body, projectionParams, ifMatch) {
      const projection = compileProjection(GROUP_RESOURCE_TYPE, projectionParams);
      checkId(id);
      const { group, members } = toWrite(normalizeResource(GROUP_RESOURCE_TYPE, body));
      try {
        return await store.transaction(async (tx) => {
          const current = await lockGroup(tx, ctx.tenantId, id);
          if (!current) throw notFound(id);
          checkIfMatch(ifMatch, current.version);
          checkImmutable([...COMMON_ATTRIBUTES, ...GROUP_RESOURCE_TYPE.schema.attributes], current.attributes, group.attributes);
          const carried = await carriedPermissions(tx, ctx, id);
          checkMayGrant(ctx, [...carried, ...ownPermissions(group.attributes)]);
          const administrators = await guardGroupChange(tx, deps, ctx, id, carried);
          const { userIds, groupIds } = await resolveMembers(tx, ctx.tenantId, id, members);
          const { added, removed } = await setMembers(tx, ctx.tenantId, id, userIds, groupIds);
          const row = await updateGroup(tx, ctx.tenantId, id, group, clock());
          if (!row) throw notFound(id);
          const changed = changedIds([...added, ...removed]);
          await checkMayActOnUsers(tx, ctx, changed.userIds, changed.groupIds);
          await administrators();
          const scope = historyScope(ctx, deps);
          await recordHistory(tx, [...historyForGroupChange(scope, current, row), ...historyForMembers(scope, row, added, removed)]);
          await recordGroupEvents(tx, ctx, scope, 'put', current, row, added.length + removed.length > 0);
          return render(tx, ctx.tenantId, row, projection);
        });
      } catch (error) {
        translateStoreError(error, group.displayName);
      }
    },

    async patch(ctx, id, body, projectionParams, ifMatch) {
      // RFC 7644 §3.5.2 lets a PATCH answer 204 or 200 with the resource "subject to the attributes query parameter":
      // 204 unless the client names attributes or excludedAttributes, so a large group is not sent back on every change.
      const answered = projectionParams.attributes !== undefined || projectionParams.excludedAttributes !== undefined;
      const projection = answered ? compileProjection(GROUP_RESOURCE_TYPE, projectionParams) : undefined;
      checkId(id);
      const operations = parsePatchRequest(body);
      let displayName = '';
      let patched: GroupRow;
      try {
        patched = await store.transaction(async (tx) => {
          const current = await lockGroup(tx, ctx.tenantId, id);
          if (!current) throw notFound(id);
          checkIfMatch(ifMatch, current.version);
          // Members never enter the document: each change to them becomes SQL on the membership tables.
          const { data, external } = applyPatch(GROUP_RESOURCE_TYPE, current.attributes, operations, { external: ['members'] });
          const { group } = toWrite(normalizeResource(GROUP_RESOURCE_TYPE, withSchemas(GROUP_RESOURCE_TYPE, data)));
          displayName = group.displayName;
          checkImmutable([...COMMON_ATTRIBUTES, ...GROUP_RESOURCE_TYPE.schema.attributes], current.attributes, group.attributes);
          const carried = await carriedPermissions(tx, ctx, id);
          checkMayGrant(ctx, [...carried, ...ownPermissions(group.attributes)]);
          const administrators = await guardGroupChange(tx, deps, ctx, id, carried);
          // A member added by one operation and removed by a later one shows both: both happened.
          // concat, not push(...): removing every member of a large group returns more rows than a call has arguments.
          let added: readonly ChangedMember[] = [];
          let removed: readonly ChangedMember[] = [];
          for (const change of external) {
            try {
              const changed = await applyMemberChange(tx, ctx.tenantId, id, change);
              added = added.concat(changed.added);
              removed = removed.concat(changed.removed);
            } catch (error) {
              throw inOperation(change.index, error);
            }
          }
          const membersChanged = added.length + removed.length;
          if (membersChanged === 0 && sameJson(group.attributes, current.attributes)) return current;
          const row = await updateGroup(tx, ctx.tenantId, id, group, clock());
          if (!row) throw notFound(id);
          const changed = changedIds(added.concat(removed));
          await checkMayActOnUsers(tx, ctx, changed.userIds, changed.groupIds);
          await administrators();
          const scope = historyScope(ctx, deps);
          await recordHistory(tx, [...historyForGroupChange(scope, current, row), ...historyForMembers(scope, row, added, removed)]);
          await recordGroupEvents(tx, ctx, scope, 'patch', current, row, membersChanged > 0);
          return row;
        });
      } catch (error) {
        translateStoreError(error, displayName);
      }
      // Members are read after the commit, in batches as GET reads them: the group as the change left it, unless
      // another change came in between, as with any GET.
      return { version: patched.version, result: projection ? await represent(ctx.tenantId, patched, projection) : undefined };
    },

    async delete(ctx, id, ifMatch) {
      checkId(id);
      await store.transaction(async (tx) => {
        const current = await lockGroup(tx, ctx.tenantId, id);
        if (!current) throw notFound(id);
        checkIfMatch(ifMatch, current.version);
        const carried = await carriedPermissions(tx, ctx, id);
        checkMayGrant(ctx, carried);
        await checkMayActOnUsers(tx, ctx, [], [id]);
        const administrators = await guardGroupChange(tx, deps, ctx, id, carried);
        // Removing the members first (the delete would cascade) names them, so each user's history shows the loss.
        const { removed } = await setMembers(tx, ctx.tenantId, id, [], []);
        const parents = (await deleteGroup(tx, ctx.tenantId, id, clock())) ?? [];
        const scope = historyScope(ctx, deps);
        // The group's own history ends with 'deleted', not with a memberRemoved for every member; each group it was
        // nested in records that it lost it.
        const onUsers = historyForMembers(scope, current, [], removed).filter((entry) => entry.resourceType === 'User');
        const asMember = { type: 'Group' as const, id: current.id, name: current.display_name };
        const onParents = parents.flatMap((parent) => historyForMembers(scope, parent, [], [asMember]));
        await administrators();
        await recordHistory(tx, [...onUsers, ...onParents, ...historyForGroupDeleted(scope, current)]);
        // The groups it was nested in lost a member (and have a new version), as a PATCH of `members` would say.
        const parentEvents = parents.flatMap((parent) =>
          withData(
            changeEvents({ method: 'patch', resource: groupRef(parent), attributes: ['members'], version: etagOf(parent.version) }),
            groupData(tx, ctx.tenantId, scimBaseUrl, parent.id),
          ),
        );
        await recordEvents(tx, eventScope(scope, ctx.txn, deps.eventHints), [deleteEvent(groupRef(current)), ...parentEvents]);
      });
    },

    list(ctx, params) {
      return runList(store, deps.cursors, ctx.tenantId, params, listSource);
    },
  };
}
