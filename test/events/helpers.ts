// Event streams written straight into the table (the /ssf endpoints are not needed to test what a change emits), and
// the events and deliveries a tenant has, read back.
import { randomUUID } from 'node:crypto';
import { SCIM_EVENT_URIS } from '../../src/scim/events/index.js';
import type { Store } from '../../src/store/index.js';

export interface StreamOptions {
  readonly status?: 'enabled' | 'paused' | 'disabled';
  readonly events?: readonly string[];
}

/** A poll stream of the tenant; by default enabled and delivering every event type. */
export async function insertStream(store: Store, tenantId: string, options: StreamOptions = {}): Promise<string> {
  const id = randomUUID();
  const events = options.events ?? SCIM_EVENT_URIS;
  await store.query(
    `insert into event_streams (tenant_id, id, audience, delivery_method, events_requested, events_delivered, status)
     values ($1, $2, 'https://receiver.example', 'urn:ietf:rfc:8936', $3::text[], $3::text[], $4)`,
    [tenantId, id, events, options.status ?? 'enabled'],
  );
  return id;
}

export interface StoredEvent {
  seq: number;
  txn: string;
  event_type: string;
  subject_key: string;
  subject: Record<string, unknown>;
  payload: Record<string, Record<string, unknown>>;
  toe: Date;
  streams: string[];
}

/** The tenant's events in order, each with the streams it is delivered to. */
export async function eventsOf(store: Store, tenantId: string): Promise<StoredEvent[]> {
  const rows = await store.query<StoredEvent & { [key: string]: unknown }>(
    `select e.seq::int as seq, e.txn, e.event_type, e.subject_key, e.subject, e.payload, e.toe,
            coalesce((select array_agg(d.stream_id::text order by d.stream_id) from event_deliveries d
                       where d.tenant_id = e.tenant_id and d.event_id = e.id), '{}') as streams
       from events e where e.tenant_id = $1 order by e.seq`,
    [tenantId],
  );
  return rows;
}

/** Forgets the tenant's events (and so their deliveries), so that a test sees only its own. */
export async function clearEvents(store: Store, tenantId: string): Promise<void> {
  await store.query('delete from events where tenant_id = $1', [tenantId]);
}

/** The event's members: the object under its URI. */
export function membersOf(event: StoredEvent): Record<string, unknown> {
  return event.payload[event.event_type]!;
}
