// SQL for the event push bench: a push stream as the SSF configuration would make it, and events as a change writes them.
import type { Queryable } from '../store/index.js';

/** The RFC 9967 events a Bulk of creates writes. */
const CREATE_EVENTS = ['urn:ietf:params:scim:event:prov:create:full', 'urn:ietf:params:scim:event:prov:create:notice'];

export async function insertBenchPushStream(q: Queryable, tenantId: string, endpointUrl: string): Promise<string> {
  const rows = await q.query<{ id: string }>(
    `insert into event_streams (tenant_id, id, audience, delivery_method, endpoint_url, events_requested, events_delivered)
     values ($1, gen_random_uuid(), $2, 'urn:ietf:rfc:8935', $2, $3, $3) returning id`,
    [tenantId, endpointUrl, CREATE_EVENTS],
  );
  return rows[0]!.id;
}

/** `count` create events of as many subjects, each with its delivery to the stream, in one transaction. */
export async function insertBenchEvents(q: Queryable, tenantId: string, streamId: string, count: number): Promise<void> {
  await q.query(
    `with e as (
       insert into events (tenant_id, id, txn, event_type, subject_key, subject, payload, toe)
       select $1, u.id, 'bench', $4, 'User:' || u.id, jsonb_build_object('format', 'scim', 'uri', '/Users/' || u.id),
              jsonb_build_object($4::text, jsonb_build_object('id', u.id)), now()
         from (select gen_random_uuid() as id from generate_series(1, $3::int)) u
       returning id, seq, subject_key)
     insert into event_deliveries (tenant_id, stream_id, event_id, jti, seq, subject_key)
     select $1, $2, id, gen_random_uuid(), seq, subject_key from e`,
    [tenantId, streamId, count, CREATE_EVENTS[0]],
  );
}

/** The tenant's events no delivery refers to any more (its streams deleted), as retention would remove them. */
export async function deleteUndeliveredEvents(q: Queryable, tenantId: string): Promise<void> {
  await q.query(
    `delete from events e
      where e.tenant_id = $1
        and not exists (select 1 from event_deliveries d where d.tenant_id = e.tenant_id and d.event_id = e.id)`,
    [tenantId],
  );
}
