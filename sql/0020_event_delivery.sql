-- Event delivery (RFC 8935 push, RFC 8936 poll): the deliveries of one event, found by the event.
--
-- Removing an event (retention: all its deliveries done, or older than EVENT_RETENTION_DAYS) cascades to its
-- deliveries and asks whether any is still pending; without this index each of those is a scan of every delivery.
create index event_deliveries_event_idx on event_deliveries (tenant_id, event_id);

-- The push worker's claim, stream by stream: a stream's deliveries that are due now, in the order they fell due,
-- without reading those that wait (a retry's later time, or behind an earlier delivery of the same subject).
create index event_deliveries_stream_due_idx on event_deliveries (tenant_id, stream_id, next_attempt_at) where state = 'pending';
