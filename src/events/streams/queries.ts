// SQL of the SSF stream configuration (sql/0017_events.sql: event_streams, events, event_deliveries); every
// statement names the tenant.
import type { Queryable } from '../../store/index.js';
import type { DeliveryMethod } from './delivery-methods.js';

export type StreamRow = {
  id: string;
  audience: string;
  delivery_method: DeliveryMethod;
  endpoint_url: string | null;
  /** Sealed (see service.ts); never leaves the service. */
  authorization_header: string | null;
  events_requested: string[];
  events_delivered: string[];
  description: string | null;
  status: 'enabled' | 'paused' | 'disabled';
  status_reason: string | null;
  delivered: number;
  failed: number;
  pending: number;
  last_error: string | null;
  last_error_at: Date | null;
};

/** A stream's row with its counts; pending is counted from its deliveries (a partial index serves it). */
const SELECT_STREAM = `
  select s.id, s.audience, s.delivery_method, s.endpoint_url, s.authorization_header, s.events_requested, s.events_delivered,
         s.description, s.status, s.status_reason, s.delivered_count::float8 as delivered, s.failed_count::float8 as failed,
         (select count(*)::float8 from event_deliveries d where d.tenant_id = s.tenant_id and d.stream_id = s.id and d.state = 'pending') as pending,
         s.last_error, s.last_error_at
    from event_streams s`;

export async function selectStream(q: Queryable, tenantId: string, id: string): Promise<StreamRow | undefined> {
  return (await q.query<StreamRow>(`${SELECT_STREAM} where s.tenant_id = $1 and s.id = $2`, [tenantId, id]))[0];
}

export async function selectStreams(q: Queryable, tenantId: string): Promise<StreamRow[]> {
  return q.query<StreamRow>(`${SELECT_STREAM} where s.tenant_id = $1 order by s.created_at, s.id`, [tenantId]);
}

/** Takes the tenant's row lock, so that two creations at once cannot both pass the count. */
export async function countStreamsLocked(q: Queryable, tenantId: string): Promise<number> {
  await q.query('select 1 from tenants where id = $1 for update', [tenantId]);
  const rows = await q.query<{ count: number }>('select count(*)::int as count from event_streams where tenant_id = $1', [tenantId]);
  return rows[0]!.count;
}

export interface StreamValues {
  readonly deliveryMethod: DeliveryMethod;
  readonly endpointUrl: string | null;
  readonly authorizationHeader: string | null;
  readonly eventsRequested: readonly string[];
  readonly eventsDelivered: readonly string[];
  readonly description: string | null;
}

export async function insertStream(q: Queryable, tenantId: string, id: string, audience: string, v: StreamValues, now: Date): Promise<void> {
  await q.query(
    `insert into event_streams (tenant_id, id, audience, delivery_method, endpoint_url, authorization_header, events_requested,
                                events_delivered, description, created_at, updated_at)
     values ($1, $2, $3, $4, $5, $6, $7::text[], $8::text[], $9, $10, $10)`,
    [tenantId, id, audience, v.deliveryMethod, v.endpointUrl, v.authorizationHeader, v.eventsRequested, v.eventsDelivered, v.description, now],
  );
}

/**
 * Writes the receiver's configuration if its delivery is still as read (`was`): the stored authorization header is
 * kept only for the endpoint it was given for, so a concurrent change of endpoint must not slip between read and
 * write. False when it changed meanwhile.
 */
export async function updateStream(
  q: Queryable,
  tenantId: string,
  id: string,
  v: StreamValues,
  was: Pick<StreamRow, 'delivery_method' | 'endpoint_url' | 'authorization_header'>,
  now: Date,
): Promise<boolean> {
  const rows = await q.query(
    `update event_streams
        set delivery_method = $3, endpoint_url = $4, authorization_header = $5, events_requested = $6::text[],
            events_delivered = $7::text[], description = $8, updated_at = $9
      where tenant_id = $1 and id = $2
        and delivery_method = $10 and endpoint_url is not distinct from $11 and authorization_header is not distinct from $12
      returning id`,
    [
      tenantId,
      id,
      v.deliveryMethod,
      v.endpointUrl,
      v.authorizationHeader,
      v.eventsRequested,
      v.eventsDelivered,
      v.description,
      now,
      was.delivery_method,
      was.endpoint_url,
      was.authorization_header,
    ],
  );
  return rows.length === 1;
}

/** Deletes the stream and, by the foreign key's cascade, its deliveries. */
export async function deleteStream(q: Queryable, tenantId: string, id: string): Promise<boolean> {
  return (await q.query('delete from event_streams where tenant_id = $1 and id = $2 returning id', [tenantId, id])).length === 1;
}

export async function lockStream(q: Queryable, tenantId: string, id: string): Promise<{ status: StreamRow['status'] } | undefined> {
  return (await q.query<{ status: StreamRow['status'] }>('select status from event_streams where tenant_id = $1 and id = $2 for update', [tenantId, id]))[0];
}

export async function updateStatus(q: Queryable, tenantId: string, id: string, status: StreamRow['status'], reason: string | null, now: Date): Promise<void> {
  await q.query('update event_streams set status = $3, status_reason = $4, updated_at = $5 where tenant_id = $1 and id = $2', [tenantId, id, status, reason, now]);
}

/** A disabled stream holds nothing: what it had not delivered yet is dropped. */
export async function deletePendingDeliveries(q: Queryable, tenantId: string, streamId: string): Promise<number> {
  return (await q.query("delete from event_deliveries where tenant_id = $1 and stream_id = $2 and state = 'pending' returning event_id", [tenantId, streamId])).length;
}

/** When the last event of this type and subject was written, if after `since` (the verification rate). */
export async function lastEventSince(q: Queryable, tenantId: string, eventType: string, subjectKey: string, since: Date): Promise<Date | undefined> {
  const rows = await q.query<{ created_at: Date }>(
    `select created_at from events
      where tenant_id = $1 and created_at > $4 and event_type = $2 and subject_key = $3
      order by created_at desc limit 1`,
    [tenantId, eventType, subjectKey, since],
  );
  return rows[0]?.created_at;
}

export interface NewEvent {
  readonly id: string;
  readonly txn: string;
  readonly eventType: string;
  readonly subjectKey: string;
  readonly subject: Record<string, unknown>;
  readonly payload: Record<string, unknown>;
  readonly toe: Date;
}

/** One event and its one delivery, to one stream (the events of a change fan out elsewhere). */
export async function insertEventFor(q: Queryable, tenantId: string, streamId: string, event: NewEvent, jti: string, now: Date): Promise<void> {
  const [row] = await q.query<{ seq: string | number }>(
    `insert into events (tenant_id, id, txn, event_type, subject_key, subject, payload, toe, created_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     returning seq`,
    [tenantId, event.id, event.txn, event.eventType, event.subjectKey, event.subject, event.payload, event.toe, now],
  );
  await q.query(
    `insert into event_deliveries (tenant_id, stream_id, event_id, jti, seq, subject_key, next_attempt_at, created_at)
     values ($1, $2, $3, $4, $5, $6, $7, $7)`,
    [tenantId, streamId, event.id, jti, row!.seq, event.subjectKey, now],
  );
}
