// Keeps the event tables bounded: an event is removed once none of its deliveries is pending (every stream has it
// or has given up on it), or after the retention period in any case; a stream that falls too far behind (more than
// maxPending deliveries waiting, or one waiting longer than the retention period) is disabled, with the reason in
// status_reason, and what it had waiting is removed. So a paused stream, or a receiver that is down for good, costs
// a bounded amount of storage instead of growing the database until it fills.
import type { Queryable } from '../store/index.js';

export interface RetentionSettings {
  /** EVENT_RETENTION_DAYS: how long an event is kept at most. */
  readonly retentionDays: number;
  /** EVENT_STREAM_MAX_PENDING: deliveries a stream may have waiting before it is disabled. */
  readonly maxPendingPerStream: number;
  /** Rows removed per statement, so that one run never holds a long transaction. Default 5000. */
  readonly batchSize?: number;
}

export interface RetentionResult {
  /** Streams disabled, with the reason given. */
  readonly disabled: { readonly tenantId: string; readonly streamId: string; readonly reason: string }[];
  /** Pending deliveries of disabled streams removed. */
  readonly droppedDeliveries: number;
  /** Events removed (their deliveries with them). */
  readonly removedEvents: number;
}

/** One pass of retention at `now`; across tenants on purpose, as the delivery queue is one for the server. */
export async function pruneEvents(store: Queryable, now: Date, settings: RetentionSettings): Promise<RetentionResult> {
  const batch = settings.batchSize ?? 5_000;
  const cutoff = new Date(now.getTime() - settings.retentionDays * 86_400_000);

  const behind = await store.query<{ tenant_id: string; stream_id: string; pending: number; oldest: Date }>(
    `select d.tenant_id, d.stream_id, count(*)::int as pending, min(d.created_at) as oldest
       from event_deliveries d
       join event_streams s on s.tenant_id = d.tenant_id and s.id = d.stream_id and s.status <> 'disabled'
      where d.state = 'pending'
      group by d.tenant_id, d.stream_id
     having count(*) > $1 or min(d.created_at) < $2`,
    [settings.maxPendingPerStream, cutoff.toISOString()],
  );
  const disabled: RetentionResult['disabled'][number][] = [];
  for (const row of behind) {
    const reason =
      row.pending > settings.maxPendingPerStream
        ? `Disabled at ${now.toISOString()}: ${row.pending} events were waiting for delivery, more than EVENT_STREAM_MAX_PENDING (${settings.maxPendingPerStream}). Fix or resume the receiver, then enable the stream again; the waiting events were dropped.`
        : `Disabled at ${now.toISOString()}: an event had been waiting for delivery since ${new Date(row.oldest).toISOString()}, longer than EVENT_RETENTION_DAYS (${settings.retentionDays}). Fix or resume the receiver, then enable the stream again; the waiting events were dropped.`;
    const updated = await store.query(
      `update event_streams set status = 'disabled', status_reason = $3, updated_at = $4
        where tenant_id = $1 and id = $2 and status <> 'disabled' returning id`,
      [row.tenant_id, row.stream_id, reason, now.toISOString()],
    );
    if (updated.length > 0) disabled.push({ tenantId: row.tenant_id, streamId: row.stream_id, reason });
  }

  // A disabled stream gets nothing more (the contract of event_streams.status): what it had waiting goes.
  let droppedDeliveries = 0;
  for (;;) {
    const rows = await store.query(
      `delete from event_deliveries where (tenant_id, stream_id, event_id) in (
         select d.tenant_id, d.stream_id, d.event_id from event_deliveries d
           join event_streams s on s.tenant_id = d.tenant_id and s.id = d.stream_id and s.status = 'disabled'
          where d.state = 'pending' limit $1)
       returning 1`,
      [batch],
    );
    droppedDeliveries += rows.length;
    if (rows.length < batch) break;
  }

  let removedEvents = 0;
  for (;;) {
    const rows = await store.query(
      `delete from events where (tenant_id, id) in (
         select e.tenant_id, e.id from events e
          where e.created_at < $1
             or not exists (select 1 from event_deliveries d
                             where d.tenant_id = e.tenant_id and d.event_id = e.id and d.state = 'pending')
          limit $2)
       returning 1`,
      [cutoff.toISOString(), batch],
    );
    removedEvents += rows.length;
    if (rows.length < batch) break;
  }
  return { disabled, droppedDeliveries, removedEvents };
}
