// The SCIM events (RFC 9967) of changes to users and groups: their subjects, and the loaders of their full forms'
// `data`, the resource as GET would answer it (read in the change's transaction, so as the change left it).
import { type EventDraft, type ResourceRef } from '../scim/events/index.js';
import type { PendingEvent } from '../events/recorder.js';
import type { ResourceData } from '../scim/resource/normalize.js';
import type { Queryable } from '../store/index.js';
import { groupToResource } from './groups/mapper.js';
import { selectGroup, selectMembers, type GroupRow } from './groups/queries.js';
import { userToResource } from './users/mapper.js';
import { selectGroupsOfUsers, selectUser, type UserGroupRow, type UserRow } from './users/queries.js';

export function userRef(row: { readonly id: string; readonly external_id?: string | null | undefined }): ResourceRef {
  return { resourceType: 'User', id: row.id, externalId: row.external_id };
}

export function groupRef(row: { readonly id: string; readonly external_id?: string | null | undefined }): ResourceRef {
  return { resourceType: 'Group', id: row.id, externalId: row.external_id };
}

/** The events, each full form with the loader of its resource. */
export function withData(events: readonly EventDraft[], data: () => Promise<ResourceData>): PendingEvent[] {
  return events.map((event) => (event.needsData ? { ...event, data } : event));
}

/**
 * A user as GET answers it, with its groups; `row` as the change left it, or read again when not given; `groups`
 * when the caller reads them anyway (for its response), so that they are read once.
 */
export function userData(
  q: Queryable,
  tenantId: string,
  scimBaseUrl: string,
  id: string,
  row?: UserRow,
  groups?: () => Promise<UserGroupRow[]>,
): () => Promise<ResourceData> {
  return async () => {
    const current = row ?? (await selectUser(q, tenantId, id));
    if (!current) throw new Error(`User ${id} is gone within its own change.`);
    return userToResource(current, groups ? await groups() : await selectGroupsOfUsers(q, tenantId, [id]), scimBaseUrl);
  };
}

/** A read done at most once, by whichever of its users asks first. */
export function once<T>(read: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => (result ??= read());
}

/** A group as GET answers it, members and all: read only for a stream that asked for full forms; `row` as the change left it. */
export function groupData(q: Queryable, tenantId: string, scimBaseUrl: string, id: string, row?: GroupRow): () => Promise<ResourceData> {
  return async () => {
    const current = row ?? (await selectGroup(q, tenantId, id));
    if (!current) throw new Error(`Group ${id} is gone within its own change.`);
    return groupToResource(current, await selectMembers(q, tenantId, [id]), scimBaseUrl);
  };
}
