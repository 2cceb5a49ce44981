// Streams, events and deliveries written with SQL as sql/0017 says a change writes them, and a real push receiver on
// 127.0.0.1 that verifies every token it is sent against the server's JWKS.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { createSecretBox } from '../../src/auth/secret-box.js';
import { createSigningKeys, type SigningKeys } from '../../src/events/signing-keys.js';
import { serverSecret } from '../../src/store/secrets.js';
import type { Store } from '../../src/store/index.js';

export const CREATE_EVENT = 'urn:ietf:params:scim:event:prov:create:full';
export const PATCH_EVENT = 'urn:ietf:params:scim:event:prov:patch:full';
export const PUSH = 'urn:ietf:rfc:8935';
export const POLL = 'urn:ietf:rfc:8936';

export interface StreamInput {
  readonly tenantId: string;
  readonly method?: typeof PUSH | typeof POLL;
  readonly endpointUrl?: string | null;
  readonly authorization?: string;
  readonly audience?: string;
  readonly status?: 'enabled' | 'paused' | 'disabled';
}

export async function insertStream(store: Store, input: StreamInput): Promise<{ id: string; audience: string }> {
  const id = randomUUID();
  const audience = input.audience ?? `https://receiver.example/${id}`;
  const method = input.method ?? PUSH;
  const sealed =
    input.authorization === undefined
      ? null
      : createSecretBox(await serverSecret(store, 'event-stream-secrets')).seal(new TextEncoder().encode(input.authorization), `stream-authorization:${input.tenantId}:${id}`);
  await store.query(
    `insert into event_streams (tenant_id, id, audience, delivery_method, endpoint_url, authorization_header, events_requested, events_delivered, status)
     values ($1, $2, $3, $4, $5, $6, $7, $7, $8)`,
    [input.tenantId, id, audience, method, method === PUSH ? input.endpointUrl : null, sealed, [CREATE_EVENT, PATCH_EVENT], input.status ?? 'enabled'],
  );
  return { id, audience };
}

export interface InsertedEvent {
  readonly eventId: string;
  readonly txn: string;
  readonly subjectKey: string;
  /** The jti of its delivery to each stream, in the order of `streamIds`. */
  readonly jtis: string[];
}

/** One event of `userId` and a pending delivery of it to each stream, due at `now`, in one transaction. */
export async function insertEvent(store: Store, tenantId: string, streamIds: readonly string[], userId: string, now: Date, type = CREATE_EVENT): Promise<InsertedEvent> {
  const eventId = randomUUID();
  const txn = randomUUID();
  const subjectKey = `User:${userId}`;
  const subject = { format: 'scim', uri: `/Users/${userId}` };
  const payload = { [type]: { id: userId, data: { userName: `user-${userId.slice(0, 8)}` } } };
  const jtis = streamIds.map(() => randomUUID());
  await store.transaction(async (tx) => {
    const [row] = await tx.query<{ seq: number }>(
      `insert into events (tenant_id, id, txn, event_type, subject_key, subject, payload, toe, created_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $8) returning seq`,
      [tenantId, eventId, txn, type, subjectKey, subject, payload, now.toISOString()],
    );
    for (const [i, streamId] of streamIds.entries()) {
      await tx.query(
        `insert into event_deliveries (tenant_id, stream_id, event_id, jti, seq, subject_key, next_attempt_at, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $7)`,
        [tenantId, streamId, eventId, jtis[i], row!.seq, subjectKey, now.toISOString()],
      );
    }
  });
  return { eventId, txn, subjectKey, jtis };
}

export async function deliveryOf(store: Store, tenantId: string, jti: string) {
  const rows = await store.query<{ state: string; attempts: number; last_error: string | null; next_attempt_at: Date; delivered_at: Date | null }>(
    'select state, attempts, last_error, next_attempt_at, delivered_at from event_deliveries where tenant_id = $1 and jti = $2',
    [tenantId, jti],
  );
  return rows[0];
}

export async function streamOf(store: Store, tenantId: string, id: string) {
  const rows = await store.query<{
    status: string;
    status_reason: string | null;
    delivered_count: number;
    failed_count: number;
    last_error: string | null;
    last_error_at: Date | null;
  }>('select status, status_reason, delivered_count, failed_count, last_error, last_error_at from event_streams where tenant_id = $1 and id = $2', [tenantId, id]);
  return rows[0]!;
}

/** Verifies a SET as a receiver does: signature against the JWKS, typ, iss and aud. */
export async function verifySet(keys: Pick<SigningKeys, 'jwks'>, token: string, issuer: string, audience: string): Promise<JWTPayload> {
  const jwks = createLocalJWKSet(await keys.jwks());
  const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer, audience, typ: 'secevent+jwt', algorithms: ['ES256'] });
  if (!protectedHeader.kid) throw new Error('no kid in the SET header');
  return payload;
}

export interface Received {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly token: string;
  /** The verified claims; undefined when the token did not verify (the test then fails on `invalid`). */
  readonly claims: JWTPayload | undefined;
  /** What the receiver answered. */
  readonly status: number;
}

export type Answer = { status: number; body?: string; headers?: Record<string, string>; delayMs?: number };

export interface Receiver {
  readonly url: string;
  readonly received: Received[];
  /** Tokens that did not verify, with why. */
  readonly invalid: string[];
  /** How to answer the next requests; 202 by default. */
  answer: (claims: JWTPayload | undefined) => Answer;
  /** The most requests of one subject in flight at once. */
  readonly maxInFlightPerSubject: () => number;
  close(): Promise<void>;
}

/** A push receiver (RFC 8935) on 127.0.0.1: a port of its own, or `port` (to come back where a stopped one was). */
export async function startReceiver(keys: Pick<SigningKeys, 'jwks'>, issuer: string, audience: string, port = 0): Promise<Receiver> {
  const received: Received[] = [];
  const invalid: string[] = [];
  const inFlight = new Map<string, number>();
  let maxPerSubject = 0;
  const receiver = {
    received,
    invalid,
    answer: (() => ({ status: 202 })) as Receiver['answer'],
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const token = Buffer.concat(chunks).toString('utf8');
      let claims: JWTPayload | undefined;
      try {
        claims = await verifySet(keys, token, issuer, audience);
      } catch (error) {
        invalid.push((error as Error).message);
      }
      const subject = JSON.stringify(claims?.sub_id ?? null);
      inFlight.set(subject, (inFlight.get(subject) ?? 0) + 1);
      maxPerSubject = Math.max(maxPerSubject, inFlight.get(subject)!);
      const answer = receiver.answer(claims);
      if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
      inFlight.set(subject, inFlight.get(subject)! - 1);
      received.push({ path: req.url ?? '', headers: req.headers, token, claims, status: answer.status });
      res.writeHead(answer.status, { ...(answer.body ? { 'Content-Type': 'application/json' } : {}), ...answer.headers });
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${address.port}/events`,
    maxInFlightPerSubject: () => maxPerSubject,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** A free port on 127.0.0.1 where nothing listens (a receiver that is down: connection refused). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export { createSigningKeys };
