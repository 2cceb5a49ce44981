// SQL for recording SCIM events: which event types a tenant's streams want, and the one statement that writes the
// events and their deliveries (sql/0017_events.sql).
import type { Queryable } from '../store/index.js';

/** One event to write, with the events table's column names. */
export interface EventRecord {
  readonly id: string;
  readonly event_type: string;
  readonly subject_key: string;
  readonly subject: unknown;
  readonly payload: unknown;
}

/** The streams that take new deliveries: enabled ones, and paused ones (which hold them until resumed). */
const LIVE = `s.status in ('enabled', 'paused')`;

/** Of the given event types, those some live stream of the tenant asked for. */
export async function selectWantedEventTypes(q: Queryable, tenantId: string, types: readonly string[]): Promise<Set<string>> {
  const rows = await q.query<{ events_delivered: string[] }>(
    `select s.events_delivered from event_streams s where s.tenant_id = $1 and ${LIVE} and s.events_delivered && $2::text[]`,
    [tenantId, types],
  );
  const wanted = new Set<string>();
  for (const row of rows) for (const type of row.events_delivered) if (types.includes(type)) wanted.add(type);
  return wanted;
}

/**
 * Writes, in one statement, each event some live stream of the tenant wants and one pending delivery per such
 * stream; an event no stream wants is not written at all. Events are numbered (seq) in the order given. Each
 * delivery's jti is drawn here: it names the token for that stream, the same on every retry.
 */
export async function insertEvents(tx: Queryable, tenantId: string, txn: string, toe: Date, records: readonly EventRecord[]): Promise<number> {
  if (records.length === 0) return 0;
  const rows = await tx.query<{ n: number }>(
    `with input as (
       select x.n, e.id, e.event_type, e.subject_key, e.subject, e.payload
         from jsonb_array_elements($2::jsonb) with ordinality as x(record, n)
         cross join lateral jsonb_to_record(x.record) as e(id uuid, event_type text, subject_key text, subject jsonb, payload jsonb)
     ),
     wanted as (
       select i.id, s.id as stream_id
         from input i join event_streams s on s.tenant_id = $1 and ${LIVE} and i.event_type = any(s.events_delivered)
     ),
     written as (
       insert into events (tenant_id, id, txn, event_type, subject_key, subject, payload, toe)
       select $1, i.id, $3, i.event_type, i.subject_key, i.subject, i.payload, $4::timestamptz
         from input i
        where exists (select 1 from wanted w where w.id = i.id)
        order by i.n
       returning id, seq, subject_key
     ),
     delivered as (
       insert into event_deliveries (tenant_id, stream_id, event_id, jti, seq, subject_key)
       select $1, w.stream_id, e.id, gen_random_uuid(), e.seq, e.subject_key
         from written e join wanted w on w.id = e.id
       returning 1
     )
     select count(*)::int as n from delivered`,
    [tenantId, records, txn, toe.toISOString()],
  );
  return rows[0]?.n ?? 0;
}
