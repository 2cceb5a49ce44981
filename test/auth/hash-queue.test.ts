// The bounded hash queue through the app: past HASH_QUEUE_MAX waiting, every request that needs Argon2id is answered
// at once with 503 and Retry-After (/auth alike for known and unknown users, /scim/v2 and Bulk with a SCIM error),
// writes nothing, and works again once the queue drains; under a burst of logins none waits behind more than the bound.
import { hash } from '@node-rs/argon2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPasswordHasher, defaultMaxConcurrent, HashQueueFullError } from '../../src/auth/passwords.js';
import { DEFAULT_AUTH_SETTINGS } from '../../src/auth/service.js';
import { assembleAppDeps } from '../../src/http/assemble.js';
import { silentLogger } from '../../src/http/logger.js';
import { createTestContext, ERROR_SCHEMA, PUBLIC_URL, userBody, postJson, type TestContext } from '../helpers/app.js';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const PASSWORD = 'correct horse battery staple';

// One slot and one waiting place: a verify of a deliberately slow hash (a real Argon2id hash of time cost 60, about
// half a second or more) holds the slot, a second one the waiting place, and the queue is full for as long as they run.
const hasher = createPasswordHasher({ maxConcurrent: 1, maxWaiting: 1 });
let slowHash: string;
let t: TestContext;

beforeAll(async () => {
  slowHash = await hash('slow', { algorithm: 2, memoryCost: 19_456, timeCost: 60, parallelism: 1 });
  // The per-address sign-in limit is off: this file is about the hash queue, and its bursts fail many logins at once.
  t = await createTestContext({ passwords: hasher, auth: { lockoutThreshold: 1000, throttleThreshold: 999 }, limits: { authFailuresPerMinute: 0 } });
  // The decoy hash of unknown users (made when the app starts) is made before any test fills the queue.
  expect((await login('warm.up@example.com', PASSWORD)).status).toBe(401);
});
afterAll(() => t.close());

/** Fills the queue; resolves when it has drained again. `settled()` says whether it has. */
function fillQueue(): { drained: Promise<unknown>; settled: () => boolean } {
  let done = false;
  const drained = Promise.all([hasher.verify(slowHash, 'x'), hasher.verify(slowHash, 'y')]).finally(() => (done = true));
  return { drained, settled: () => done };
}

const post = (path: string, body: unknown, token?: string) => postJson(t.app, path, body, token);

const login = (userName: string, password: string) => post('/auth/login', { tenant: 'acme', userName, password });

async function accountState(userName: string) {
  const rows = await t.store.query<{ id: string; failed_logins: number; version: number; password_hash: string | null; sessions: number }>(
    `select u.id, u.failed_logins, u.version, u.password_hash,
            (select count(*)::int from sessions s where s.tenant_id = u.tenant_id and s.user_id = u.id) as sessions
       from users u where u.tenant_id = $1 and u.user_name = $2`,
    [t.client.tenantId, userName],
  );
  return rows[0];
}

function expectBusyRetryAfter(headers: Headers): number {
  const retryAfter = headers.get('retry-after');
  expect(retryAfter).toMatch(/^[1-9]\d*$/);
  return Number(retryAfter);
}

describe('limitConcurrency with a bound on the waiting', () => {
  it('refuses at once past maxWaiting, while the running and waiting tasks go on', async () => {
    const hashes = [hasher.verify(slowHash, 'a'), hasher.verify(slowHash, 'b')];
    const started = performance.now();
    const refused = await hasher.hash('one too many').then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(HashQueueFullError);
    expect((refused as HashQueueFullError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    // Refused without waiting for the half second of the first verify.
    expect(performance.now() - started).toBeLessThan(200);
    expect(await Promise.all(hashes)).toEqual([false, false]);
    expect(await hasher.verify(await hasher.hash(PASSWORD), PASSWORD)).toBe(true);
  });

  it('HASH_QUEUE_MAX reaches the app\'s hasher', async () => {
    const deps = assembleAppDeps({
      store: t.store,
      clock: () => new Date(),
      newId: () => crypto.randomUUID(),
      tenancy: undefined as never,
      logger: silentLogger,
      publicUrl: PUBLIC_URL,
      settings: { maxResults: 10, maxPayloadSize: 1000, cursorTtlSeconds: 60, auth: { ...DEFAULT_AUTH_SETTINGS, hashQueueMax: 0 } },
      cursorSecret: new Uint8Array(32),
    });
    // The app makes its decoy hash as it starts, and with no waiting allowed a sign-in meanwhile is turned away.
    const signIn = () => deps.auth.login({ tenant: 'acme', userName: 'warm.up@example.com', password: PASSWORD }).catch((error: unknown) => error);
    let answer = await signIn();
    for (let tries = 0; answer instanceof HashQueueFullError && tries < 50; tries++) answer = await new Promise((resolve) => setTimeout(resolve, 20)).then(signIn);
    expect(answer).toMatchObject({ status: 401 });
    // Every slot taken, and no waiting allowed: the next one is refused.
    const slots = Array.from({ length: defaultMaxConcurrent() }, () => deps.passwords.verify(slowHash, 'x'));
    await expect(deps.passwords.hash('next')).rejects.toBeInstanceOf(HashQueueFullError);
    await Promise.all(slots);
  });
});

describe('admission before the database', () => {
  it('turns sign-ins away while the queue is full without reading the database for them', async () => {
    let statements = 0;
    const counting = await createTestContext({
      passwords: createPasswordHasher({ maxConcurrent: 1, maxWaiting: 1 }),
      limits: { authFailuresPerMinute: 0 },
      wrapStore: (store) => ({
        ...store,
        query: (text, params) => {
          statements++;
          return store.query(text, params);
        },
        transaction: (fn) => {
          statements++;
          return store.transaction(fn);
        },
      }),
    });
    try {
      const signIn = (userName: string) => postJson(counting.app, '/auth/login', { tenant: 'acme', userName, password: PASSWORD });
      // Two sign-ins of unknown users fill the one slot and the one waiting place (the decoy hash made first).
      expect((await signIn('first@example.com')).status).toBe(401);
      const filling = [signIn('slot@example.com'), signIn('waiting@example.com')];
      await new Promise((resolve) => setTimeout(resolve, 5));
      const before = statements;
      const flood = await Promise.all(Array.from({ length: 20 }, (_, i) => signIn(`flood-${i}@example.com`)));
      expect(flood.map((answer) => answer.status)).toEqual(Array(20).fill(503));
      expect(statements - before).toBe(0);
      expect((await Promise.all(filling)).map((answer) => answer.status)).toEqual([401, 401]);
    } finally {
      await counting.close();
    }
  });
});

describe('a full hash queue through the app', () => {
  it('/auth/login: 503 busy with Retry-After at once, the same for a right, a wrong and an unknown user; nothing written', async () => {
    await t.client.request('POST', '/Users', userBody('queue.user@example.com', { password: PASSWORD }));
    const before = await accountState('queue.user@example.com');

    const queue = fillQueue();
    const answers = await Promise.all([
      login('queue.user@example.com', PASSWORD),
      login('queue.user@example.com', 'wrong horse battery staple'),
      login('nobody.at.all@example.com', PASSWORD),
      login('nobody.at.all@example.com', 'wrong horse battery staple'),
    ]);
    expect(queue.settled(), 'answered before the queue drained').toBe(false);
    for (const answer of answers) {
      expect(answer.status).toBe(503);
      expect(answer.body).toEqual({ error: 'busy', detail: expect.stringMatching(/busy hashing passwords; retry after \d+ s/) });
      expect(answer.headers.get('cache-control')).toBe('no-store');
      expectBusyRetryAfter(answer.headers);
    }
    // A known and an unknown user cannot be told apart by the answer.
    expect(new Set(answers.map((a) => JSON.stringify([a.body, a.headers.get('retry-after')]))).size).toBe(1);
    expect(await accountState('queue.user@example.com')).toEqual(before);

    await queue.drained;
    expect((await login('queue.user@example.com', PASSWORD)).status).toBe(200);
  });

  it('/auth/password and /auth/reset: 503 busy; the password, the session and the link are untouched', async () => {
    const created = await t.client.request('POST', '/Users', userBody('queue.changer@example.com', { password: PASSWORD, emails: [{ value: 'queue.changer@example.com' }] }));
    const session = (await login('queue.changer@example.com', PASSWORD)).body.token as string;
    expect((await t.client.request('POST', `/Users/${created.body.id}/password-reset`)).status).toBe(202);
    const mail = await t.store.query<{ text_body: string }>('select text_body from outbox where recipient = $1', ['queue.changer@example.com']);
    const token = decodeURIComponent(/reset\?token=([A-Za-z0-9_%-]+)/.exec(mail[0]!.text_body)![1]!);
    const before = await accountState('queue.changer@example.com');

    const queue = fillQueue();
    const change = await post('/auth/password', { currentPassword: PASSWORD, newPassword: 'a brand new passphrase' }, session);
    const reset = await post('/auth/reset', { token, newPassword: 'a reset passphrase' });
    expect(queue.settled()).toBe(false);
    for (const answer of [change, reset]) {
      expect([answer.status, answer.body.error]).toEqual([503, 'busy']);
      expectBusyRetryAfter(answer.headers);
    }
    expect(await accountState('queue.changer@example.com')).toEqual(before);

    await queue.drained;
    expect((await post('/auth/reset', { token, newPassword: 'a reset passphrase' })).status).toBe(204);
    expect((await login('queue.changer@example.com', 'a reset passphrase')).status).toBe(200);
  });

  it('/scim/v2: POST and PATCH with a password and a Bulk answer 503 with a SCIM error and Retry-After, and write nothing', async () => {
    const existing = await t.client.request('POST', '/Users', userBody('queue.patched@example.com', { password: PASSWORD }));
    const before = await accountState('queue.patched@example.com');

    const queue = fillQueue();
    const created = await t.client.request('POST', '/Users', userBody('queue.created@example.com', { password: PASSWORD }));
    const patched = await t.client.request('PATCH', `/Users/${existing.body.id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'replace', value: { displayName: 'Patched', password: 'a patched passphrase' } }],
    });
    const bulk = await t.client.request('POST', '/Bulk', {
      schemas: [BULK],
      Operations: [
        { method: 'POST', path: '/Users', bulkId: 'a', data: userBody('queue.bulk@example.com', { password: PASSWORD }) },
        { method: 'POST', path: '/Users', bulkId: 'b', data: userBody('queue.bulk.nopassword@example.com') },
      ],
    });
    expect(queue.settled()).toBe(false);
    for (const answer of [created, patched]) {
      expect(answer.status).toBe(503);
      expect(answer.body).toEqual({ schemas: [ERROR_SCHEMA], status: '503', detail: expect.stringMatching(/busy hashing passwords; retry after \d+ s/) });
      expectBusyRetryAfter(answer.headers);
    }
    expect(bulk.status).toBe(200);
    expect(bulk.body.Operations.map((o: { status: string }) => o.status)).toEqual(['503', '201']);
    expect(bulk.body.Operations[0].response).toMatchObject({ status: '503', detail: expect.stringContaining('busy hashing passwords') });
    expect(await accountState('queue.created@example.com')).toBeUndefined();
    expect(await accountState('queue.bulk@example.com')).toBeUndefined();
    expect(await accountState('queue.patched@example.com')).toEqual(before);

    await queue.drained;
    expect((await t.client.request('POST', '/Users', userBody('queue.created@example.com', { password: PASSWORD }))).status).toBe(201);
  });
});

describe('a burst of logins', () => {
  it('some get 503 at once, the others are answered within the bound, and the counts in the database agree', async () => {
    // Apart, since a successful sign-in resets the count of failed ones.
    await t.client.request('POST', '/Users', userBody('burst.right@example.com', { password: PASSWORD }));
    await t.client.request('POST', '/Users', userBody('burst.wrong@example.com', { password: PASSWORD }));
    // One login's hashing time, alone, to scale the bound by.
    let single = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      await hasher.verify(slowHash.replace(/t=60/, 't=2'), 'x');
      single = Math.min(single, performance.now() - started);
    }
    const kinds = ['right', 'wrong', 'unknown'] as const;
    const requests = Array.from({ length: 45 }, (_, i) => kinds[i % 3]!);
    const results = await Promise.all(
      requests.map(async (kind) => {
        const started = performance.now();
        const answer =
          kind === 'unknown'
            ? await login('burst.nobody@example.com', PASSWORD)
            : kind === 'right'
              ? await login('burst.right@example.com', PASSWORD)
              : await login('burst.wrong@example.com', 'wrong horse battery staple');
        return { kind, status: answer.status, ms: performance.now() - started, retryAfter: answer.headers.get('retry-after') };
      }),
    );
    const count = (kind: string, status: number) => results.filter((r) => r.kind === kind && r.status === status).length;
    for (const result of results) {
      expect([result.kind, result.status]).toEqual([result.kind, expect.toBeOneOf(result.kind === 'right' ? [200, 503] : [401, 503])]);
      if (result.status === 503) expect(result.retryAfter).toMatch(/^[1-9]\d*$/);
    }
    expect(count('right', 503) + count('wrong', 503)).toBeGreaterThan(0);
    expect(count('unknown', 503)).toBeGreaterThan(0);
    // Nothing half-written: each wrong password answered 401 was counted once, each sign-in answered 200 made a session.
    expect((await accountState('burst.wrong@example.com'))!.failed_logins).toBe(count('wrong', 401));
    expect((await accountState('burst.wrong@example.com'))!.sessions).toBe(0);
    expect((await accountState('burst.right@example.com'))!.sessions).toBe(count('right', 200));
    // With one slot and one waiting place, a hashing request waits behind at most two others (about 200 ms measured
    // here, on a loaded machine); the bound is loose so that other work on the machine does not fail the test.
    const slowest = Math.max(...results.map((r) => r.ms));
    expect(slowest, `slowest ${slowest.toFixed(0)} ms, one verify ${single.toFixed(0)} ms`).toBeLessThan(Math.max(15 * single, 1000));
  });
});
