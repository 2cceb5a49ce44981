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

/** The key of a delivery and its subject. */
export interface PushCandidate {
  [key: string]: unknown;
  tenant_id: string;
  stream_id: string;
  event_id: string;
  subject_key: string;
}

// A delivery is due when its time has come, its stream is an enabled push stream, and it is the first pending
// delivery of its stream and subject (per-subject order: event_deliveries_subject_idx). Only the first of a subject
// can be claimed, so two of one subject are never in flight at once.
// Written as `order by seq limit 1` so that event_deliveries_subject_idx answers it by reading one entry. That
// takes statistics: without them (PGlite gathers none by itself) the planner may read the stream's whole backlog
// for each candidate instead; see refreshEventStatistics.
const IS_HEAD = `d.seq = (select p.seq from event_deliveries p
                  where p.tenant_id = d.tenant_id and p.stream_id = d.stream_id and p.subject_key = d.subject_key and p.state = 'pending'
                  order by p.seq limit 1)`;

// Up to `limit` claimable deliveries across the server, most overdue first. Stream by stream
// (event_deliveries_stream_due_idx): only the deliveries of enabled push streams that are due now are read, never a
// poll stream's or a paused stream's backlog. Spans tenants on purpose: delivery is one queue for the server, as the
// mail outbox is.
const CANDIDATES = `
    select c.tenant_id, c.stream_id, c.event_id, c.subject_key, c.next_attempt_at
      from event_streams s
      cross join lateral (
        select d.tenant_id, d.stream_id, d.event_id, d.subject_key, d.next_attempt_at
          from event_deliveries d
         where d.tenant_id = s.tenant_id and d.stream_id = s.id and d.state = 'pending' and d.next_attempt_at <= $1
           and ${IS_HEAD}
         order by d.next_attempt_at
         limit $2) c
     where s.status = 'enabled' and s.delivery_method = '${PUSH_METHOD}'
     order by c.next_attempt_at
     limit $2`;

const CLAIMED_COLUMNS = `d.tenant_id, d.stream_id, d.event_id, d.jti, d.subject_key, d.attempts, d.created_at,
       e.toe, e.txn, e.subject, e.payload, s.audience, s.endpoint_url, s.authorization_header`;

/**
 * PostgreSQL: locks the `take` most overdue claimable deliveries among the first `limit` candidates that no other
 * transaction holds, for the rest of the caller's transaction; one statement, so that workers running at once
 * skip each other's deliveries without a round trip each. `limit` must exceed the deliveries in flight. The
 * deliveries taken are of different subjects: only the first pending delivery of a subject is a candidate.
 * Without `lock` (PGlite, whose worker keeps its claims in memory) the same rows are only read.
 */
export async function claimDuePush(tx: Queryable, now: Date, limit: number, take: number, lock = true): Promise<PushDeliveryRow[]> {
  const rows = await tx.query<PushDeliveryRow>(
    `with c as materialized (${CANDIDATES})
     select ${CLAIMED_COLUMNS}
       from c
       join event_deliveries d on d.tenant_id = c.tenant_id and d.stream_id = c.stream_id and d.event_id = c.event_id
       join event_streams s on s.tenant_id = d.tenant_id and s.id = d.stream_id
       join events e on e.tenant_id = d.tenant_id and e.id = d.event_id
      where d.state = 'pending' and d.next_attempt_at <= $1
      order by c.next_attempt_at
      limit $3
      ${lock ? 'for update of d skip locked' : ''}`,
    [now.toISOString(), limit, take],
  );
  return rows;
}

export interface DeliveryKey {
  readonly tenantId: string;
  readonly streamId: string;
  readonly eventId: string;
}

/**
 * Deliveries that reached their receivers (a push answered 2xx). Only pending deliveries change (a stream disabled
 * meanwhile has had its deliveries removed); returns the keys (tenant/stream/event) of those that did. The streams'
 * counters are the caller's (addStreamTallies), kept off this transaction so that pushes to one stream do not
 * queue on its row.
 */
export async function markPushDelivered(tx: Queryable, rows: readonly PushCandidate[], now: Date): Promise<Set<string>> {
  const changed = await tx.query<{ tenant_id: string; stream_id: string; event_id: string }>(
    `update event_deliveries d set state = 'delivered', attempts = d.attempts + 1, delivered_at = $4, last_error = null
       from unnest($1::uuid[], $2::uuid[], $3::uuid[]) as k(tenant_id, stream_id, event_id)
      where d.tenant_id = k.tenant_id and d.stream_id = k.stream_id and d.event_id = k.event_id and d.state = 'pending'
      returning d.tenant_id, d.stream_id, d.event_id`,
    [rows.map((r) => r.tenant_id), rows.map((r) => r.stream_id), rows.map((r) => r.event_id), now.toISOString()],
  );
  return new Set(changed.map((r) => `${r.tenant_id}/${r.stream_id}/${r.event_id}`));
}

/** A delivery refused for good (an RFC 8935 error, or retried past its window); returns whether one changed. */
export async function markPushFailed(tx: Queryable, key: DeliveryKey, attempts: number, error: string): Promise<boolean> {
  const rows = await tx.query(
    `update event_deliveries set state = 'failed', attempts = $4, last_error = $5
      where tenant_id = $1 and stream_id = $2 and event_id = $3 and state = 'pending'
      returning 1`,
    [key.tenantId, key.streamId, key.eventId, attempts, error],
  );
  return rows.length > 0;
}

/**
 * A failed attempt to try again at `next`. The later deliveries of the same subject wait at least as long (they
 * cannot go first), so that they are not read as due while they wait.
 */
export async function markPushRetry(tx: Queryable, key: DeliveryKey, subjectKey: string, attempts: number, error: string, next: Date): Promise<boolean> {
  await tx.query(
    `update event_deliveries set next_attempt_at = $5
      where tenant_id = $1 and stream_id = $2 and subject_key = $3 and state = 'pending' and event_id <> $4 and next_attempt_at < $5`,
    [key.tenantId, key.streamId, subjectKey, key.eventId, next.toISOString()],
  );
  const rows = await tx.query(
    `update event_deliveries set attempts = $4, last_error = $5, next_attempt_at = $6
      where tenant_id = $1 and stream_id = $2 and event_id = $3 and state = 'pending'
      returning 1`,
    [key.tenantId, key.streamId, key.eventId, attempts, error, next.toISOString()],
  );
  return rows.length > 0;
}

export interface StreamTally {
  readonly delivered: number;
  readonly failed: number;
  /** The latest error of a push to the stream, and when. */
  readonly lastError: { readonly text: string; readonly at: Date } | undefined;
}

/** Adds what pushes to a stream came to since the last call to its counters, and shows its latest error. */
export async function addStreamTallies(q: Queryable, tenantId: string, streamId: string, tally: StreamTally): Promise<void> {
  await q.query(
    `update event_streams
        set delivered_count = delivered_count + $3, failed_count = failed_count + $4,
            last_error = coalesce($5, last_error), last_error_at = coalesce($6::timestamptz, last_error_at)
      where tenant_id = $1 and id = $2`,
    [tenantId, streamId, tally.delivered, tally.failed, tally.lastError?.text ?? null, tally.lastError?.at.toISOString() ?? null],
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

/**
 * Fresh planner statistics for the event tables, as PostgreSQL's autovacuum gathers them; PGlite runs no
 * autovacuum, and without statistics the push worker's claim reads far more than it needs.
 */
export async function refreshEventStatistics(q: Queryable): Promise<void> {
  await q.query('analyze event_streams, events, event_deliveries');
}
