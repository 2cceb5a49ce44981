// SQL for delivering events (sql/0017, sql/0020): the push worker's claim and outcomes (RFC 8935), the poll's lease,
// acknowledgements and errors (RFC 8936), and the pending counts that bound a stream.
import type { Queryable } from '../store/index.js';

export const PUSH_METHOD = 'urn:ietf:rfc:8935';
export const POLL_METHOD = 'urn:ietf:rfc:8936';

/** A pending delivery of a push stream with what its token and its request need. */
export interface PushDeliveryRow {
  [key: string]: unknown;
  tenant_id: string;
  stream_id: string;
  event_id: string;
  jti: string;
  subject_key: string;
  attempts: number;
  created_at: Date;
  toe: Date;
  txn: string;
  subject: unknown;
  payload: unknown;
  audience: string;
  endpoint_url: string;
  authorization_header: string | null;
}

// A delivery is due when its time has come, its stream is an enabled push stream, and no earlier delivery of the
// same stream and subject is pending (per-subject order: event_deliveries_subject_idx). Only the first pending
// delivery of a subject can be claimed, so two of one subject are never in flight at once.
const DUE_PUSH = `
  select d.tenant_id, d.stream_id, d.event_id, d.jti, d.subject_key, d.attempts, d.created_at,
         e.toe, e.txn, e.subject, e.payload, s.audience, s.endpoint_url, s.authorization_header
    from event_deliveries d
    join event_streams s on s.tenant_id = d.tenant_id and s.id = d.stream_id
    join events e on e.tenant_id = d.tenant_id and e.id = d.event_id
   where d.state = 'pending' and d.next_attempt_at <= $1
     and s.status = 'enabled' and s.delivery_method = '${PUSH_METHOD}'
     and not exists (
           select 1 from event_deliveries p
            where p.tenant_id = d.tenant_id and p.stream_id = d.stream_id and p.subject_key = d.subject_key
              and p.state = 'pending' and p.seq < d.seq)
   order by d.next_attempt_at, d.seq
   limit $2`;

/**
 * PostgreSQL: locks the most overdue deliverable delivery no other transaction holds, for the rest of the caller's
 * transaction. Spans tenants on purpose: delivery is one queue for the server, as the mail outbox is.
 */
export async function claimDuePush(tx: Queryable, now: Date): Promise<PushDeliveryRow | undefined> {
  const rows = await tx.query<PushDeliveryRow>(`${DUE_PUSH} for update of d skip locked`, [now.toISOString(), 1]);
  return rows[0];
}

/** PGlite: the most overdue deliverable deliveries without locking (the worker keeps its claims in memory). */
export async function selectDuePush(q: Queryable, now: Date, limit: number): Promise<PushDeliveryRow[]> {
  return q.query<PushDeliveryRow>(DUE_PUSH, [now.toISOString(), limit]);
}

export interface DeliveryKey {
  readonly tenantId: string;
  readonly streamId: string;
  readonly eventId: string;
}

/**
 * A delivery reached its receiver (a push answered 2xx): delivered, and counted on its stream. Only a pending
 * delivery changes (a stream disabled meanwhile has had its deliveries removed); returns whether one did.
 */
export async function markPushDelivered(tx: Queryable, key: DeliveryKey, attempts: number, now: Date): Promise<boolean> {
  const rows = await tx.query(
    `with d as (
       update event_deliveries set state = 'delivered', attempts = $4, delivered_at = $5, last_error = null
        where tenant_id = $1 and stream_id = $2 and event_id = $3 and state = 'pending'
        returning stream_id)
     update event_streams set delivered_count = delivered_count + 1
      where tenant_id = $1 and id in (select stream_id from d)
      returning id`,
    [key.tenantId, key.streamId, key.eventId, attempts, now.toISOString()],
  );
  return rows.length > 0;
}

/** A delivery refused for good (an RFC 8935 error, or retried past its window): failed, counted and recorded on its stream. */
export async function markPushFailed(tx: Queryable, key: DeliveryKey, attempts: number, error: string, now: Date): Promise<boolean> {
  const rows = await tx.query(
    `with d as (
       update event_deliveries set state = 'failed', attempts = $4, last_error = $5
        where tenant_id = $1 and stream_id = $2 and event_id = $3 and state = 'pending'
        returning stream_id)
     update event_streams set failed_count = failed_count + 1, last_error = $5, last_error_at = $6
      where tenant_id = $1 and id in (select stream_id from d)
      returning id`,
    [key.tenantId, key.streamId, key.eventId, attempts, error, now.toISOString()],
  );
  return rows.length > 0;
}

/** A failed attempt to try again at `next`; the stream shows the error meanwhile. */
export async function markPushRetry(tx: Queryable, key: DeliveryKey, attempts: number, error: string, next: Date, now: Date): Promise<void> {
  await tx.query(
    `with d as (
       update event_deliveries set attempts = $4, last_error = $5, next_attempt_at = $6
        where tenant_id = $1 and stream_id = $2 and event_id = $3 and state = 'pending'
        returning stream_id)
     update event_streams set last_error = $5, last_error_at = $7
      where tenant_id = $1 and id in (select stream_id from d)`,
    [key.tenantId, key.streamId, key.eventId, attempts, error, next.toISOString(), now.toISOString()],
  );
}

export interface PollStreamRow {
  [key: string]: unknown;
  id: string;
  status: 'enabled' | 'paused' | 'disabled';
  delivery_method: string;
  audience: string;
}

export async function selectStream(q: Queryable, tenantId: string, streamId: string): Promise<PollStreamRow | undefined> {
  const rows = await q.query<PollStreamRow>('select id, status, delivery_method, audience from event_streams where tenant_id = $1 and id = $2', [
    tenantId,
    streamId,
  ]);
  return rows[0];
}

export interface LeasedDeliveryRow {
  [key: string]: unknown;
  jti: string;
  seq: string;
  toe: Date;
  txn: string;
  subject: unknown;
  payload: unknown;
}

/**
 * Takes up to `limit` of a poll stream's available deliveries, oldest first, and hides them from other polls until
 * `leaseUntil`: a SET not acknowledged by then is returned again (RFC 8936 §2.4). skip locked lets two concurrent
 * polls take different SETs instead of waiting for each other.
 */
export async function leasePollDeliveries(
  tx: Queryable,
  tenantId: string,
  streamId: string,
  now: Date,
  leaseUntil: Date,
  limit: number,
): Promise<LeasedDeliveryRow[]> {
  const rows = await tx.query<LeasedDeliveryRow>(
    `update event_deliveries d set next_attempt_at = $4, attempts = d.attempts + 1
       from events e
      where (d.tenant_id, d.stream_id, d.event_id) in (
              select tenant_id, stream_id, event_id from event_deliveries
               where tenant_id = $1 and stream_id = $2 and state = 'pending' and next_attempt_at <= $3
               order by seq
               limit $5
                 for update skip locked)
        and e.tenant_id = d.tenant_id and e.id = d.event_id
      returning d.jti, d.seq::text as seq, e.toe, e.txn, e.subject, e.payload`,
    [tenantId, streamId, now.toISOString(), leaseUntil.toISOString(), limit],
  );
  return rows.sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1));
}

/** Whether the stream has a delivery a poll could take now. */
export async function pollAvailable(q: Queryable, tenantId: string, streamId: string, now: Date): Promise<boolean> {
  const rows = await q.query<{ available: boolean }>(
    `select exists (select 1 from event_deliveries
                     where tenant_id = $1 and stream_id = $2 and state = 'pending' and next_attempt_at <= $3) as available`,
    [tenantId, streamId, now.toISOString()],
  );
  return rows[0]!.available;
}

/** Acknowledged SETs (RFC 8936 §2.4 `ack`): delivered, counted on the stream. Unknown or settled jtis change nothing. */
export async function acknowledgeDeliveries(tx: Queryable, tenantId: string, streamId: string, jtis: readonly string[], now: Date): Promise<number> {
  if (jtis.length === 0) return 0;
  const rows = await tx.query<{ count: number }>(
    `with d as (
       update event_deliveries set state = 'delivered', delivered_at = $4, last_error = null
        where tenant_id = $1 and stream_id = $2 and jti = any($3::uuid[]) and state = 'pending'
        returning 1)
     update event_streams set delivered_count = delivered_count + (select count(*) from d)
      where tenant_id = $1 and id = $2
      returning (select count(*) from d)::int as count`,
    [tenantId, streamId, jtis, now.toISOString()],
  );
  return rows[0]?.count ?? 0;
}

/** SETs the recipient reported as errors (RFC 8936 §2.4 `setErrs`): failed, with the error, on the stream too. */
export async function failDeliveries(
  tx: Queryable,
  tenantId: string,
  streamId: string,
  errors: readonly { readonly jti: string; readonly error: string }[],
  now: Date,
): Promise<number> {
  if (errors.length === 0) return 0;
  const rows = await tx.query<{ count: number }>(
    `with d as (
       update event_deliveries d set state = 'failed', last_error = x.error
         from unnest($3::uuid[], $4::text[]) as x(jti, error)
        where d.tenant_id = $1 and d.stream_id = $2 and d.jti = x.jti and d.state = 'pending'
        returning x.error)
     update event_streams set failed_count = failed_count + (select count(*) from d),
            last_error = coalesce((select max(error) from d), last_error),
            last_error_at = case when exists (select 1 from d) then $5::timestamptz else last_error_at end
      where tenant_id = $1 and id = $2
      returning (select count(*) from d)::int as count`,
    [tenantId, streamId, errors.map((e) => e.jti), errors.map((e) => e.error), now.toISOString()],
  );
  return rows[0]?.count ?? 0;
}

/** Deliveries waiting across the server, for /metrics (event_deliveries_due_idx covers pending rows only). */
export async function countPendingDeliveries(q: Queryable): Promise<number> {
  const rows = await q.query<{ count: number }>("select count(*)::int as count from event_deliveries where state = 'pending'");
  return rows[0]!.count;
}
