// Queueing mail in the caller's transaction (PGlite, or PostgreSQL when DATABASE_URL is set).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { enqueueMail, requeueFailedMail, type OutgoingMail } from '../../src/mail/outbox.js';
import type { Store } from '../../src/store/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

let db: TestDatabase;
let store: Store;
const tenantId = randomUUID();
const now = new Date('2030-01-01T00:00:00.000Z');

beforeAll(async () => {
  db = await createTestDatabase();
  store = db.store;
  await store.query('insert into tenants (id, slug, name, created_at) values ($1, $2, $3, $4)', [tenantId, 'acme', 'Acme Portal', now.toISOString()]);
});
afterAll(() => db?.close());
beforeEach(async () => {
  await store.query('delete from outbox');
});

const mail = (overrides: Partial<OutgoingMail> = {}): OutgoingMail => ({
  tenantId,
  id: randomUUID(),
  kind: 'welcome',
  to: 'bjensen@example.com',
  subject: 'Welcome to Acme Portal',
  text: 'Hello https://portal.example/welcome?token=x',
  html: '<p>Hello</p>',
  ...overrides,
});

describe(`the outbox (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('stores a queued mail, due at once, not yet attempted, with the user it is about', async () => {
    const m = mail({ userId: randomUUID() });
    await store.transaction((tx) => enqueueMail(tx, m, now));
    const rows = await store.query('select * from outbox');
    expect(rows).toEqual([
      {
        tenant_id: tenantId,
        id: m.id,
        kind: 'welcome',
        recipient: 'bjensen@example.com',
        subject: m.subject,
        text_body: m.text,
        html_body: m.html,
        created_at: now,
        attempts: 0,
        next_attempt_at: now,
        sent_at: null,
        last_error: null,
        user_id: m.userId,
      },
    ]);
  });

  it('keeps no mail of a transaction that rolls back', async () => {
    const failure = new Error('the change failed after the mail was queued');
    await expect(
      store.transaction(async (tx) => {
        await enqueueMail(tx, mail(), now);
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await store.query('select id from outbox')).toEqual([]);
  });

  it.each([
    'a@example.com, b@example.com',
    'a@example.com\r\nBcc: b@example.com',
    'Barbara <a@example.com>',
    'not-an-address',
    '',
  ])('refuses a recipient that is not one bare address: %j', async (to) => {
    await expect(store.transaction((tx) => enqueueMail(tx, mail({ to }), now))).rejects.toThrow(TypeError);
    expect(await store.query('select id from outbox')).toEqual([]);
  });

  it('requeues mail that was given up on, and only that', async () => {
    const failed = mail();
    const pending = mail();
    const sent = mail();
    await store.transaction(async (tx) => {
      for (const m of [failed, pending, sent]) await enqueueMail(tx, m, now);
    });
    await store.query(`update outbox set attempts = 30, next_attempt_at = 'infinity', last_error = 'x' where id = $1`, [failed.id]);
    await store.query(`update outbox set attempts = 2, next_attempt_at = $2 where id = $1`, [pending.id, new Date('2030-01-02T00:00:00Z').toISOString()]);
    await store.query(`update outbox set sent_at = $2 where id = $1`, [sent.id, now.toISOString()]);

    const later = new Date('2030-01-03T00:00:00.000Z');
    expect(await requeueFailedMail(store, later)).toBe(1);
    const rows = await store.query<{ id: string; attempts: number; next_attempt_at: Date }>('select id, attempts, next_attempt_at from outbox');
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(failed.id)).toMatchObject({ attempts: 0, next_attempt_at: later });
    expect(byId.get(pending.id)).toMatchObject({ attempts: 2 });
  });
});
