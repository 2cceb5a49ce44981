// Turns a history row into a HistoryEntry resource (Usher's HistoryEntry schema; RFC 7643 §3.1 meta).
import { historyEventLabel } from '../../scim/history/events.js';
import { HISTORY_ENTRY_SCHEMA } from '../../scim/schema/history-entry.js';
import type { HistoryRow } from './queries.js';

export function historyLocation(scimBaseUrl: string, id: string): string {
  return `${scimBaseUrl}/History/${id}`;
}

/** The actor by type and id; an old entry the backfill could not place (sql/0008) has its name alone. */
function actorOf(row: HistoryRow): Record<string, string> {
  if (row.actor_type === null || row.actor_id === null) return { display: row.actor };
  return { type: row.actor_type, value: row.actor_id, display: row.actor };
}

/** Unassigned values (no attribute, no old value) are left out, as RFC 7643 §2.5 allows. */
export function historyToResource(row: HistoryRow, scimBaseUrl: string): Record<string, unknown> {
  const created = row.created_at.toISOString();
  const optional = (name: string, value: string | null) => (value === null ? {} : { [name]: value });
  return {
    schemas: [HISTORY_ENTRY_SCHEMA.id],
    id: row.id,
    resourceType: row.resource_type,
    resourceId: row.resource_id,
    userName: row.resource_name,
    event: row.event,
    eventDescription: historyEventLabel(row.event),
    ...optional('attribute', row.attribute),
    ...optional('oldValue', row.old_value),
    ...optional('newValue', row.new_value),
    created,
    updatedBy: row.actor,
    actor: actorOf(row),
    ...optional('requestId', row.request_id),
    meta: {
      resourceType: 'HistoryEntry',
      created,
      lastModified: created,
      location: historyLocation(scimBaseUrl, row.id),
    },
  };
}
