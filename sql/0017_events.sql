-- SCIM events (RFC 9967) as Security Event Tokens (RFC 8417) for customer automation, streamed as the OpenID Shared
-- Signals Framework configures them, pushed (RFC 8935) or polled (RFC 8936).
--
-- A change writes its events and one delivery per stream that asked for them in the change's own transaction, so
-- a rolled-back request emits nothing and a committed one loses nothing. Tokens are signed when they are delivered
-- (each stream has its own audience), with a key of the server.

-- The server's signing keys: reference table, like server_secrets. The private key is sealed (AES-256-GCM under a
-- server secret, bound to its kid); retired keys stay in the JWKS until no token they signed can be in flight.
create table signing_keys (
  kid text primary key,
  alg text not null,
  public_jwk jsonb not null,
  private_jwk text not null,
  created_at timestamptz not null default now(),
  retired_at timestamptz
);

-- A tenant's event streams (SSF stream configuration). The receiver's authorization header is sealed, not hashed:
-- it is sent back to the receiver with each push.
create table event_streams (
  tenant_id uuid not null references tenants (id) on delete cascade,
  id uuid not null,
  audience text not null,
  delivery_method text not null check (delivery_method in ('urn:ietf:rfc:8935', 'urn:ietf:rfc:8936')),
  endpoint_url text,
  authorization_header text,
  events_requested text[] not null default '{}',
  events_delivered text[] not null default '{}',
  description text,
  status text not null default 'enabled' check (status in ('enabled', 'paused', 'disabled')),
  status_reason text,
  delivered_count bigint not null default 0,
  failed_count bigint not null default 0,
  last_error text,
  last_error_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  check ((delivery_method = 'urn:ietf:rfc:8935') = (endpoint_url is not null))
);

-- One row per event: its type (an RFC 9967 URI), the subject (sub_id), the event's members, and the request (txn)
-- it came from. seq orders the events of a tenant as they were committed within one subject.
create table events (
  tenant_id uuid not null references tenants (id) on delete cascade,
  id uuid not null,
  seq bigint generated always as identity,
  txn text not null,
  event_type text not null,
  subject_key text not null,
  subject jsonb not null,
  payload jsonb not null,
  toe timestamptz not null,
  created_at timestamptz not null default now(),
  primary key (tenant_id, id)
);

create index events_created_idx on events (tenant_id, created_at);

-- One row per event and stream. jti names the token for that stream, the same on every retry; state 'delivered'
-- means a push answered 202 or a poll acknowledged it, 'failed' a push refused with an RFC 8935 error (not retried).
create table event_deliveries (
  tenant_id uuid not null,
  stream_id uuid not null,
  event_id uuid not null,
  jti uuid not null,
  seq bigint not null,
  subject_key text not null,
  state text not null default 'pending' check (state in ('pending', 'delivered', 'failed')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  last_error text,
  delivered_at timestamptz,
  created_at timestamptz not null default now(),
  primary key (tenant_id, stream_id, event_id),
  foreign key (tenant_id, stream_id) references event_streams (tenant_id, id) on delete cascade,
  foreign key (tenant_id, event_id) references events (tenant_id, id) on delete cascade
);

create unique index event_deliveries_jti_idx on event_deliveries (tenant_id, stream_id, jti);
-- A stream's pending deliveries in order (poll, per-subject order, the pending count).
create index event_deliveries_pending_idx on event_deliveries (tenant_id, stream_id, seq) where state = 'pending';
-- Per-subject order: a delivery waits while an earlier one for the same subject is pending.
create index event_deliveries_subject_idx on event_deliveries (tenant_id, stream_id, subject_key, seq) where state = 'pending';
-- The push worker's claim across tenants, as the mail worker's.
create index event_deliveries_due_idx on event_deliveries (next_attempt_at) where state = 'pending';
