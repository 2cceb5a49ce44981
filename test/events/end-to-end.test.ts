// The whole promise to a customer's automation, end to end: a stream made with one request to /ssf/streams, changes
// made through /scim/v2, and a receiver that verifies every token with the JWKS it fetched from the server. The
// receiver is down for over an hour (time is a clock) and then gets everything, in order per subject, nothing twice.
// PGlite, or PostgreSQL when DATABASE_URL is set.
import type { JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/http/logger.js';
import { createPushWorker } from '../../src/events/push-worker.js';
import { createSigningKeys, type SigningKeys } from '../../src/events/signing-keys.js';
import { PUBLIC_URL, createTestContext, userBody, type TestContext } from '../helpers/app.js';
import { freePort, startReceiver, type Receiver } from './delivery-fixtures.js';
import { PUSH, ssfRequest } from './ssf-client.js';

const PROVISIONING = [
  'urn:ietf:params:scim:event:prov:create:full',
  'urn:ietf:params:scim:event:prov:patch:full',
  'urn:ietf:params:scim:event:prov:put:full',
  'urn:ietf:params:scim:event:prov:delete',
  'urn:ietf:params:scim:event:prov:activate',
  'urn:ietf:params:scim:event:prov:deactivate',
];

let now = new Date('2030-06-01T08:00:00.000Z');
const clock = () => now;
const advance = (ms: number) => (now = new Date(now.getTime() + ms));
let ctx: TestContext;
let receiver: Receiver | undefined;

beforeAll(async () => {
  ctx = await createTestContext({ clock });
});
afterAll(async () => {
  await receiver?.close();
  await ctx?.close();
});

describe('events from a stream made with one request, to a receiver that was down for an hour', () => {
  it('arrive signed, verifiable with the published JWKS, every one, in order per subject, none twice', async () => {
    const port = await freePort();
    const created = await ssfRequest(ctx.app, ctx.client.token, 'POST', '/ssf/streams', {
      delivery: { method: PUSH, endpoint_url: `http://127.0.0.1:${port}/events`, authorization_header: 'Bearer receiver-secret' },
      events_requested: PROVISIONING,
      description: 'HR automation',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const stream = created.body as { stream_id: string; aud: string; events_delivered: string[] };
    expect(stream.events_delivered).toEqual(expect.arrayContaining(PROVISIONING));

    // Changes through the API while the receiver is down: two users, one locked and renamed, one deleted.
    const ada = await ctx.client.request('POST', '/Users', userBody('ada@events.example'));
    const bob = await ctx.client.request('POST', '/Users', userBody('bob@events.example', { password: 'a long and unusual passphrase 42' }));
    expect([ada.status, bob.status]).toEqual([201, 201]);
    const patched = await ctx.client.request('PATCH', `/Users/${String(ada.body.id)}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        { op: 'replace', path: 'active', value: false },
        { op: 'replace', path: 'title', value: 'Engineer' },
      ],
    });
    expect(patched.status).toBe(200);
    expect((await ctx.client.request('DELETE', `/Users/${String(bob.body.id)}`)).status).toBe(204);
    // A failed request emits nothing: the same userName again.
    expect((await ctx.client.request('POST', '/Users', userBody('ada@events.example'))).status).toBe(409);

    const expected = await ctx.store.query<{ jti: string; subject_key: string; seq: string; event_type: string }>(
      `select d.jti, d.subject_key, d.seq::text, e.event_type from event_deliveries d join events e on e.tenant_id = d.tenant_id and e.id = d.event_id
        where d.tenant_id = $1 and d.stream_id = $2 order by d.seq`,
      [ctx.client.tenantId, stream.stream_id],
    );
    expect(expected.map((e) => e.event_type)).toEqual([
      'urn:ietf:params:scim:event:prov:create:full',
      'urn:ietf:params:scim:event:prov:create:full',
      'urn:ietf:params:scim:event:prov:deactivate',
      'urn:ietf:params:scim:event:prov:patch:full',
      'urn:ietf:params:scim:event:prov:delete',
    ]);

    const keys = createSigningKeys({ store: ctx.store, clock });
    const worker = createPushWorker({
      store: ctx.store,
      clock,
      logger: createLogger('silent', () => {}),
      signingKeys: keys,
      issuer: PUBLIC_URL,
      allowHttpLoopback: true,
      timeoutMs: 2_000,
      pollIntervalMs: 3_600_000,
      random: () => 0.5,
    });
    try {
      // Down: connection refused, again and again for over an hour of retries.
      for (let minutes = 0; minutes <= 70; minutes += 10) {
        const round = await worker.drain();
        expect(round.delivered).toBe(0);
        advance(10 * 60_000);
      }

      // Back, on the same address: it fetches the JWKS from the server, as a receiver would, and verifies with it.
      const published: Pick<SigningKeys, 'jwks'> = {
        jwks: async () => (await ctx.app.request('/.well-known/jwks.json')).json() as ReturnType<SigningKeys['jwks']>,
      };
      receiver = await startReceiver(published, PUBLIC_URL, stream.aud, port);
      for (let round = 0; round < 10; round++) {
        advance(60 * 60_000);
        await worker.drain();
        const [{ pending } = { pending: -1 }] = await ctx.store.query<{ pending: number }>(
          "select count(*)::int as pending from event_deliveries where tenant_id = $1 and state = 'pending'",
          [ctx.client.tenantId],
        );
        if (pending === 0) break;
      }
    } finally {
      await worker.stop();
    }

    expect(receiver.invalid).toEqual([]);
    const accepted = receiver.received.filter((r) => r.status === 202);
    expect(accepted.every((r) => r.headers['content-type'] === 'application/secevent+jwt')).toBe(true);
    expect(accepted.every((r) => r.headers.authorization === 'Bearer receiver-secret')).toBe(true);
    const jtis = accepted.map((r) => r.claims!.jti);
    expect(new Set(jtis).size).toBe(jtis.length);
    expect([...jtis].sort()).toEqual(expected.map((e) => e.jti).sort());

    // In order per subject: each subject's tokens came in the order of its events.
    const bySubject = (list: { subject: string; jti: string }[]) =>
      list.reduce<Record<string, string[]>>((all, { subject, jti }) => ({ ...all, [subject]: [...(all[subject] ?? []), jti] }), {});
    const subjectOf = (claims: JWTPayload) => `User:${String((claims.sub_id as { uri: string }).uri).split('/').pop()}`;
    expect(bySubject(accepted.map((r) => ({ subject: subjectOf(r.claims!), jti: String(r.claims!.jti) })))).toEqual(
      bySubject(expected.map((e) => ({ subject: e.subject_key, jti: e.jti }))),
    );

    // What ada's locking PATCH said: one txn for its two events, the resource as it now reads, no secret in it.
    const forAda = accepted.map((r) => r.claims!).filter((c) => subjectOf(c) === `User:${String(ada.body.id)}`);
    const [, deactivate, patch] = forAda;
    expect(Object.keys(deactivate!.events as object)).toEqual(['urn:ietf:params:scim:event:prov:deactivate']);
    expect(deactivate!.txn).toBe(patch!.txn);
    const patchEvent = (patch!.events as Record<string, { data?: Record<string, unknown>; version?: string }>)['urn:ietf:params:scim:event:prov:patch:full']!;
    expect(patchEvent.version).toBe('W/"2"');
    expect(patchEvent.data).toMatchObject({ userName: 'ada@events.example', title: 'Engineer', active: false });
    expect(JSON.stringify(accepted.map((r) => r.claims))).not.toMatch(/"password"\s*:|unusual passphrase/i);

    // The stream says what became of them.
    const shown = await ssfRequest(ctx.app, ctx.client.token, 'GET', `/ssf/streams?stream_id=${stream.stream_id}`);
    expect(shown.body).toMatchObject({ delivered: expected.length, pending: 0, failed: 0 });
  });
});
