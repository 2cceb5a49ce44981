// Account mails per user and hour (ACCOUNT_MAIL_LIMIT), counted in the database: the administrator's reset and welcome
// actions answer 429 with Retry-After past the limit and send nothing; a new user's welcome counts; the e-mail-changed
// notice over the limit is left out (the change goes through, the history says so); a restarted app and racing
// requests keep to the same count.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_AUTH_SETTINGS } from '../../src/auth/service.js';
import { createApp } from '../../src/http/app.js';
import { assembleAppDeps } from '../../src/http/assemble.js';
import { silentLogger } from '../../src/http/logger.js';
import { serverSecret } from '../../src/store/secrets.js';
import { createTenancyService } from '../../src/tenancy/service.js';
import { createTestContext, ERROR_SCHEMA, PUBLIC_URL, userBody, type TestContext } from '../helpers/app.js';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const LIMIT = 3;
const T0 = Date.parse('2026-12-04T10:00:00Z');

let now = new Date(T0);
const at = (seconds: number) => (now = new Date(T0 + seconds * 1000));
let t: TestContext;

beforeAll(async () => {
  t = await createTestContext({ clock: () => now, auth: { accountMailLimit: LIMIT } });
});
afterAll(() => t.close());

async function newUser(userName: string, extra: Record<string, unknown> = { password: 'correct horse battery staple' }): Promise<string> {
  const created = await t.client.request('POST', '/Users', userBody(userName, { emails: [{ value: userName, primary: true }], ...extra }));
  expect(created.status).toBe(201);
  return created.body.id;
}

async function mailsAbout(id: string): Promise<{ kind: string; recipient: string }[]> {
  return t.store.query('select kind, recipient from outbox where tenant_id = $1 and user_id = $2 order by created_at', [t.client.tenantId, id]);
}

async function historyEvents(id: string): Promise<{ event: string; attribute: string | null; new_value: string | null }[]> {
  return t.store.query('select event, attribute, new_value from history where tenant_id = $1 and resource_id = $2 order by seq', [t.client.tenantId, id]);
}

const reset = (id: string) => t.client.request('POST', `/Users/${id}/password-reset`);
const welcome = (id: string) => t.client.request('POST', `/Users/${id}/welcome-email`);

function expectLimited(answer: { status: number; headers: Headers; body: unknown }, retryAfter: number): void {
  expect(answer.status).toBe(429);
  expect(answer.headers.get('retry-after')).toBe(String(retryAfter));
  expect(answer.body).toEqual({
    schemas: [ERROR_SCHEMA],
    status: '429',
    detail: `The per-user mail limit is reached: this user was sent ${LIMIT} account mails in the last hour; retry after ${retryAfter} s.`,
  });
}

describe('the administrator\'s mailing actions', () => {
  it('send up to the limit in an hour, then answer 429 with the seconds until the oldest counted mail is an hour old', async () => {
    at(0);
    const id = await newUser('limited@example.com');
    for (const seconds of [0, 10, 20]) {
      at(seconds);
      expect((await reset(id)).status).toBe(202);
    }
    at(30);
    expectLimited(await reset(id), 3570);
    // The welcome mail counts with the reset mails.
    expectLimited(await welcome(id), 3570);
    // Nothing of the refused ones was written: no mail, no history, no link; the last link sent still works.
    expect(await mailsAbout(id)).toHaveLength(LIMIT);
    expect((await historyEvents(id)).filter((e) => e.event === 'passwordResetSent')).toHaveLength(3);
    const links = await t.store.query<{ used_at: Date | null }>("select used_at from auth_tokens where user_id = $1 and purpose = 'reset'", [id]);
    expect(links).toHaveLength(3);
    expect(links.filter((l) => l.used_at === null)).toHaveLength(1);

    // Another user is not held back by this one's mails.
    const other = await newUser('not.limited@example.com');
    expect((await reset(other)).status).toBe(202);

    // An hour after the first, one more may go; then the second's hour counts.
    at(3600);
    expect((await welcome(id)).status).toBe(202);
    expectLimited(await reset(id), 10);
    expect((await mailsAbout(id)).map((m) => m.kind)).toEqual(['reset', 'reset', 'reset', 'welcome']);
  });

  it('a new user\'s welcome mail counts', async () => {
    at(7200);
    const id = await newUser('welcomed@example.com', {});
    expect((await mailsAbout(id)).map((m) => m.kind)).toEqual(['welcome']);
    expect((await reset(id)).status).toBe(202);
    expect((await welcome(id)).status).toBe(202);
    expectLimited(await reset(id), 3600);
  });

  it('holds for a restarted app on the same database: the count is in the database', async () => {
    at(10_800);
    const id = await newUser('restarted@example.com');
    for (let i = 0; i < LIMIT; i++) expect((await reset(id)).status).toBe(202);
    const tenancy = createTenancyService({ store: t.store, clock: () => now, newId: randomUUID });
    const restarted = createApp(
      assembleAppDeps({
        store: t.store,
        clock: () => now,
        newId: randomUUID,
        tenancy,
        logger: silentLogger,
        publicUrl: PUBLIC_URL,
        settings: { maxResults: 100, maxPayloadSize: 1_048_576, cursorTtlSeconds: 3600, auth: { ...DEFAULT_AUTH_SETTINGS, accountMailLimit: LIMIT } },
        cursorSecret: await serverSecret(t.store, 'list-cursor'),
      }),
    );
    const answer = await restarted.request(`/scim/v2/Users/${id}/password-reset`, { method: 'POST', headers: { Authorization: `Bearer ${t.client.token}` } });
    expectLimited({ status: answer.status, headers: answer.headers, body: await answer.json() }, 3600);
  });

  it('racing requests send exactly the limit', async () => {
    at(14_400);
    const id = await newUser('raced@example.com');
    const answers = await Promise.all(Array.from({ length: 10 }, () => reset(id)));
    expect(answers.map((a) => a.status).sort()).toEqual([...Array<number>(LIMIT).fill(202), ...Array<number>(10 - LIMIT).fill(429)]);
    expect(await mailsAbout(id)).toHaveLength(LIMIT);
  });
});

describe('mail a change causes', () => {
  it('over the limit, the e-mail-changed notice is left out and the history says so; the change itself goes through', async () => {
    at(18_000);
    const id = await newUser('changing@example.com');
    for (let i = 0; i < LIMIT; i++) expect((await reset(id)).status).toBe(202);
    const patched = await t.client.request('PATCH', `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'replace', path: 'emails', value: [{ value: 'changed@example.com', primary: true }] }],
    });
    expect(patched.status).toBe(200);
    expect(patched.body.emails).toEqual([{ value: 'changed@example.com', primary: true }]);
    expect((await mailsAbout(id)).map((m) => m.kind)).toEqual(['reset', 'reset', 'reset']);
    const events = await historyEvents(id);
    expect(events).toContainEqual({ event: 'mailSkipped', attribute: 'email', new_value: 'changing@example.com' });
    // The links sent to the old address stop working all the same.
    const live = await t.store.query('select 1 from auth_tokens where user_id = $1 and used_at is null', [id]);
    expect(live).toHaveLength(0);

    // Under the limit the notice goes out, and counts.
    const other = await newUser('changing.too@example.com');
    const put = await t.client.request('PUT', `/Users/${other}`, userBody('changing.too@example.com', { emails: [{ value: 'changed.too@example.com' }] }));
    expect(put.status).toBe(200);
    expect(await mailsAbout(other)).toEqual([{ kind: 'email-changed', recipient: 'changing.too@example.com' }]);
  });
});
