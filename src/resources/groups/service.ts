// The rules of Groups (RFC 7644 §3.3-§3.6; RFC 7643 §4.2): members of the same tenant only, no nesting loops.
import { parseFilter } from '../../scim/filter/parser.js';
import { filterToSql } from '../../scim/filter/to-sql.js';
import { ScimError } from '../../scim/errors.js';
import { listResponse, type ListParams, type ListResponse } from '../../scim/list.js';
import { checkImmutable } from '../../scim/resource/immutable.js';
import { normalizeResource, type ResourceData } from '../../scim/resource/normalize.js';
import { compileProjection, type Projection, type ProjectionParams } from '../../scim/resource/projection.js';
import { checkIfMatch } from '../../scim/resource/version.js';
import { COMMON_ATTRIBUTES } from '../../scim/schema/common.js';
import { GROUP_RESOURCE_TYPE } from '../../scim/schema/resource-types.js';
import { sortToSql } from '../../scim/sort.js';
import { StoreError, type Queryable } from '../../store/index.js';
import type { Deps, ResourceResult, ResourceService } from '../context.js';
import { byKey } from '../by-key.js';
import { groupToResource } from './mapper.js';
import {
  countGroups,
  deleteGroup,
  groupSqlModel,
  insertGroup,
  listGroups,
  lockGroup,
  lockNesting,
  selectGroup,
  selectMemberTypes,
  selectMembers,
  setMembers,
  updateGroup,
  wouldCreateCycle,
  type GroupRow,
  type GroupWrite,
  type MemberRow,
} from './queries.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type GroupsService = ResourceService;

interface MemberRef {
  readonly value: string;
  readonly type: string | undefined;
}

function notFound(id: string): ScimError {
  return ScimError.notFound(`Group ${id} not found.`);
}

function checkId(id: string): void {
  if (!UUID.test(id)) throw notFound(id);
}

function toWrite(data: ResourceData): { group: GroupWrite; members: MemberRef[] } {
  const { members, ...attributes } = data;
  const refs = ((members as Record<string, unknown>[] | undefined) ?? []).map((member, index) => {
    if (typeof member.value !== 'string') throw ScimError.invalidValue(`Attribute 'members[${index}].value' is required.`);
    return { value: member.value, type: typeof member.type === 'string' ? member.type : undefined };
  });
  return {
    members: refs,
    group: {
      displayName: attributes.displayName as string,
      externalId: attributes.externalId as string | undefined,
      attributes,
    },
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

export function createGroupsService(deps: Deps): GroupsService {
  const { store, clock, newId, scimBaseUrl } = deps;

  /** Checks every member and splits them by kind; the whole request fails on the first bad one. */
  async function resolveMembers(tx: Queryable, tenantId: string, groupId: string, refs: readonly MemberRef[]) {
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

  return {
    async create(ctx, body, projectionParams) {
      const projection = compileProjection(GROUP_RESOURCE_TYPE, projectionParams);
      const { group, members } = toWrite(normalizeResource(GROUP_RESOURCE_TYPE, body));
      const id = newId();
      try {
        return await store.transaction(async (tx) => {
          const row = await insertGroup(tx, ctx.tenantId, id, group, clock());
          const { userIds, groupIds } = await resolveMembers(tx, ctx.tenantId, id, members);
          await setMembers(tx, ctx.tenantId, id, userIds, groupIds);
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
      return render(store, ctx.tenantId, row, projection);
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
          const { userIds, groupIds } = await resolveMembers(tx, ctx.tenantId, id, members);
          await setMembers(tx, ctx.tenantId, id, userIds, groupIds);
          const row = await updateGroup(tx, ctx.tenantId, id, group, clock());
          if (!row) throw notFound(id);
          return render(tx, ctx.tenantId, row, projection);
        });
      } catch (error) {
        translateStoreError(error, group.displayName);
      }
    },

    async delete(ctx, id, ifMatch) {
      checkId(id);
      await store.transaction(async (tx) => {
        const current = await lockGroup(tx, ctx.tenantId, id);
        if (!current) throw notFound(id);
        checkIfMatch(ifMatch, current.version);
        await deleteGroup(tx, ctx.tenantId, id, clock());
      });
    },

    async list(ctx, params) {
      const projection = compileProjection(GROUP_RESOURCE_TYPE, params);
      const compiled = params.filter === undefined ? undefined : filterToSql(parseFilter(params.filter), GROUP_RESOURCE_TYPE, groupSqlModel, 1);
      const orderBy = sortToSql(params.sortBy, params.sortOrder, GROUP_RESOURCE_TYPE, groupSqlModel, 'g.created_at');
      const where = compiled?.sql;
      const filterParams = compiled?.params ?? [];
      const total = await countGroups(store, ctx.tenantId, where, filterParams);
      const rows =
        params.count === 0 || params.startIndex > total
          ? []
          : await listGroups(store, ctx.tenantId, { where, params: filterParams, orderBy, limit: params.count, offset: params.startIndex - 1 });
      const members = projection.includes(GROUP_RESOURCE_TYPE.schema.id, 'members')
        ? await selectMembers(store, ctx.tenantId, rows.map((r) => r.id))
        : [];
      const byGroup = byKey(members, (m) => m.group_id);
      const resources = rows.map((row) => projection.apply(groupToResource(row, byGroup.get(row.id) ?? [], scimBaseUrl)));
      return listResponse(resources, total, params.startIndex);
    },
  };
}
