// SQL for recording SCIM events (sql/0017_events.sql): the one statement that writes events with their deliveries,
// and tells which of the full forms still to come some stream wants.
import type { Queryable } from '../store/index.js';

/** One event to write, with the events table's column names. */
export interface EventRecord {
  readonly id: string;
  readonly event_type: string;
  readonly subject_key: string;
  readonly subject: unknown;
  readonly payload: unknown;
}

export interface InsertedEvents {
  /** Deliveries written. */
  readonly deliveries: number;
  /** Of the `ask` types, those some live stream of the tenant wants. */
  readonly wanted: Set<string>;
}

/** The streams that take new deliveries: enabled ones, and paused ones (which hold them until resumed). */
const LIVE = `s.status in ('enabled', 'paused')`;

/**
 * Writes, in one statement, each event some live stream of the tenant wants and one pending delivery per such
 * stream; an event no stream wants is not written at all. Events are numbered (seq) in the order given. Each
 * delivery's jti is drawn here: it names the token for that stream, the same on every retry. Also answers which of
 * the `ask` types (events not written yet, whose members cost a read to build) some live stream wants.
 */
export async function insertEvents(
  tx: Queryable,
  tenantId: string,
  txn: string,
  toe: Date,
  records: readonly EventRecord[],
  ask: readonly string[] = [],
): Promise<InsertedEvents> {
  const rows = await tx.query<{ deliveries: number; wanted: string[] | null }>(
    `with input as (
       select x.n, e.id, e.event_type, e.subject_key, e.subject, e.payload
         from jsonb_array_elements($2::jsonb) with ordinality as x(record, n)
         cross join lateral jsonb_to_record(x.record) as e(id uuid, event_type text, subject_key text, subject jsonb, payload jsonb)
     ),
     streams as (
       select s.id, s.events_delivered from event_streams s where s.tenant_id = $1 and ${LIVE}
     ),
     wanted as (
       select i.id, s.id as stream_id from input i join streams s on i.event_type = any(s.events_delivered)
     ),
     written as (
       insert into events (tenant_id, id, txn, event_type, subject_key, subject, payload, toe, created_at)
       select $1, i.id, $3, i.event_type, i.subject_key, i.subject, i.payload, $4::timestamptz, $4::timestamptz
         from input i
        where exists (select 1 from wanted w where w.id = i.id)
        order by i.n
       returning id, seq, subject_key
     ),
     delivered as (
       insert into event_deliveries (tenant_id, stream_id, event_id, jti, seq, subject_key, created_at, next_attempt_at)
       select $1, w.stream_id, e.id, gen_random_uuid(), e.seq, e.subject_key, $4::timestamptz, $4::timestamptz
         from written e join wanted w on w.id = e.id
       returning 1
     )
     select (select count(*)::int from delivered) as deliveries,
            (select array_agg(distinct t.type) from streams s cross join lateral unnest(s.events_delivered) as t(type)
              where t.type = any($5::text[])) as wanted`,
    [tenantId, records, txn, toe.toISOString(), ask],
  );
  return { deliveries: rows[0]?.deliveries ?? 0, wanted: new Set(rows[0]?.wanted ?? []) };
}
