// API tokens served from memory (src/tenancy/token-cache.ts): one statement per lookup once a token is known, and no
// revoked token served, whoever revoked it, on this instance or another, also while notifications could not arrive.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelListener, Row, Store } from '../../src/store/index.js';
import { createTenancyService, type TenancyService } from '../../src/tenancy/service.js';
import { TOKEN_CHANNEL, withTokenCache } from '../../src/tenancy/token-cache.js';
import { createTestContext, userBody, type TestContext } from '../helpers/app.js';

const onPostgres = Boolean(process.env.DATABASE_URL);

/**
 * A store that counts what it is sent and lets a test cut its notifications off: `drop()` is what the listener hears
 * when the listening connection is lost (and every notification until `restore()` is lost with it).
 */
function watched() {
  const texts: string[] = [];
  let listener: ChannelListener | undefined;
  let dropped = false;
  let listening!: () => void;
  const live = new Promise<void>((resolve) => (listening = resolve));
  const wrap = (store: Store): Store => ({
    ...store,
    query<T extends Row>(text: string, params?: readonly unknown[]) {
      texts.push(text);
      return store.query<T>(text, params);
    },
    transaction: (fn) =>
      store.transaction((tx) =>
        fn({
          query<T extends Row>(text: string, params?: readonly unknown[]) {
            texts.push(text);
            return tx.query<T>(text, params);
          },
          execScript: (script) => tx.execScript(script),
        }),
      ),
    close: () => store.close(),
    listen(channel, inner) {
      listener = inner;
      return store.listen!(channel, {
        message: (payload) => dropped || inner.message(payload),
        state(now) {
          if (dropped) return;
          inner.state(now);
          if (now) listening();
        },
      });
    },
  });
  return {
    wrap,
    texts,
    /** Resolves once the app listens for token changes (the first authenticated request starts it). */
    live,
    drop() {
      dropped = true;
      listener!.state(false);
    },
    restore() {
      dropped = false;
      listener!.state(true);
    },
  };
}

/** The statements one request sends. */
async function statementsOf(texts: string[], request: () => Promise<{ status: number }> | { status: number }, status = 200): Promise<string[]> {
  const from = texts.length;
  const response = await request();
  expect(response.status).toBe(status);
  return texts.slice(from);
}

const readsTokens = (texts: readonly string[]) => texts.filter((text) => /from api_tokens/.test(text));

describe('a lookup with a known token', () => {
  let t: TestContext;
  const watch = watched();
  beforeAll(async () => {
    t = await createTestContext({ wrapStore: watch.wrap });
    await t.client.request('POST', '/Users', userBody('ada@example.com', { externalId: 'ada-1', emails: [{ value: 'ada@example.com', type: 'work' }] }));
  });
  afterAll(() => t.close());

  it('is one statement: the token is not read again, the page and its groups come in one', async () => {
    const lookup = () => t.client.request('GET', '/Users?filter=userName eq "ada@example.com"');
    await lookup();
    await watch.live;
    // The first request once listening checks the token (if no earlier one did) and keeps it.
    await lookup();
    const statements = await statementsOf(watch.texts, lookup);
    expect(statements, statements.join('\n---\n')).toHaveLength(1);
    const response = await lookup();
    expect(response.body.Resources[0]).toMatchObject({ userName: 'ada@example.com' });
    for (const filter of ['externalId eq "ada-1"', 'emails[type eq "work"].value eq "ada@example.com"']) {
      const byOther = await statementsOf(watch.texts, () => t.client.request('GET', `/Users?filter=${encodeURIComponent(filter)}`));
      expect(byOther, filter).toHaveLength(1);
    }
  });

  it('is refused at once once revoked through the app, and while notifications were lost', async () => {
    const { token, info } = await t.tenancy.createToken('acme', 'revoked-here');
    const get = () => t.app.request('/scim/v2/Users?count=1', { headers: { Authorization: `Bearer ${token}` } });
    await get();
    expect(readsTokens(await statementsOf(watch.texts, get))).toHaveLength(0);
    await t.tenancy.revokeToken(info.id);
    expect((await get()).status).toBe(401);

    // Revoked by another process (as the command line does, through its own service) while this one hears nothing.
    const other = await t.tenancy.createToken('acme', 'revoked-while-deaf');
    const byOther = () => t.app.request('/scim/v2/Users?count=1', { headers: { Authorization: `Bearer ${other.token}` } });
    await byOther();
    expect(readsTokens(await statementsOf(watch.texts, byOther))).toHaveLength(0);
    watch.drop();
    try {
      await createTenancyService({ store: t.store, clock: () => new Date(), newId: randomUUID }).revokeToken(other.info.id);
      expect((await byOther()).status).toBe(401);
      // Not listening: nothing is kept, every request checks its token.
      expect(readsTokens(await statementsOf(watch.texts, () => t.client.request('GET', '/Users?count=1')))).toHaveLength(1);
      expect(readsTokens(await statementsOf(watch.texts, () => t.client.request('GET', '/Users?count=1')))).toHaveLength(1);
    } finally {
      watch.restore();
    }
    await t.client.request('GET', '/Users?count=1');
    expect(readsTokens(await statementsOf(watch.texts, () => t.client.request('GET', '/Users?count=1')))).toHaveLength(0);
  });

  it('is refused at once when another service revokes it in the database (the notification path)', async () => {
    const { token, info } = await t.tenancy.createToken('acme', 'revoked-elsewhere');
    const get = () => t.app.request('/scim/v2/Users?count=1', { headers: { Authorization: `Bearer ${token}` } });
    await get();
    expect(readsTokens(await statementsOf(watch.texts, get))).toHaveLength(0);
    await createTenancyService({ store: t.store, clock: () => new Date(), newId: randomUUID }).revokeToken(info.id);
    if (onPostgres) {
      // The notification travels over another connection: it arrives moments after the commit.
      await expect.poll(async () => (await get()).status, { timeout: 2_000, interval: 5 }).toBe(401);
    } else {
      // PGlite hands the notification over before the revoking statement's answer: the very next request is refused.
      expect((await get()).status).toBe(401);
    }
  });

  it('is refused when its tenant is deleted', async () => {
    const other = await t.newTenant('doomed');
    const get = () => other.request('GET', '/Users?count=1');
    await get();
    expect(readsTokens(await statementsOf(watch.texts, get))).toHaveLength(0);
    await t.store.query('delete from tenants where id = $1', [other.tenantId]);
    await expect.poll(async () => (await get()).status, { timeout: 2_000, interval: 5 }).toBe(401);
  });
});

describe.runIf(onPostgres)('two servers on one PostgreSQL', () => {
  let a: TestContext;
  let b: TestContext;
  const watchB = watched();
  beforeAll(async () => {
    a = await createTestContext();
    b = await createTestContext({ shareDatabaseOf: a, wrapStore: watchB.wrap });
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  it('a token revoked on one is refused by the other as soon as the notification arrives', async () => {
    const { token, info } = await a.tenancy.createToken('acme', 'shared');
    const onB = () => b.app.request('/scim/v2/Users?count=1', { headers: { Authorization: `Bearer ${token}` } });
    await onB();
    await watchB.live;
    await onB();
    expect(readsTokens(await statementsOf(watchB.texts, onB))).toHaveLength(0);
    const revoked = performance.now();
    await a.tenancy.revokeToken(info.id);
    await expect.poll(async () => (await onB()).status, { timeout: 1_000, interval: 2 }).toBe(401);
    expect(performance.now() - revoked).toBeLessThan(1_000);
  });

  it('a lost listening connection empties the cache and listens again', async () => {
    const { token, info } = await a.tenancy.createToken('acme', 'across-a-loss');
    const onB = () => b.app.request('/scim/v2/Users?count=1', { headers: { Authorization: `Bearer ${token}` } });
    await onB();
    expect(readsTokens(await statementsOf(watchB.texts, onB))).toHaveLength(0);
    const database = new URL(b.databaseUrl!).pathname.slice(1);
    const killed = await a.store.query<{ n: number }>(
      `select count(pg_terminate_backend(pid, 5000))::int as n from pg_stat_activity where datname = $1 and application_name = 'usher listen'`,
      [database],
    );
    expect(killed[0]!.n).toBeGreaterThanOrEqual(1);
    // Revoked through a service that does not share B's cache, while B's listening connection is gone.
    await createTenancyService({ store: a.store, clock: () => new Date(), newId: randomUUID }).revokeToken(info.id);
    await expect.poll(async () => (await onB()).status, { timeout: 1_000, interval: 2 }).toBe(401);
    // B listens again and keeps tokens again.
    await expect
      .poll(async () => readsTokens(await statementsOf(watchB.texts, () => b.client.request('GET', '/Users?count=1'))).length, { timeout: 10_000, interval: 50 })
      .toBe(0);
  });
});

describe('the cache itself', () => {
  let t: TestContext;
  let now = new Date('2026-12-01T10:00:00Z');
  const texts: string[] = [];
  let failTouch = false;
  const warnings: string[] = [];
  let tenancy: TenancyService;
  let listening!: () => void;
  const live = new Promise<void>((resolve) => (listening = resolve));
  beforeAll(async () => {
    t = await createTestContext();
    const store: Store = {
      ...t.store,
      query<T extends Row>(text: string, params?: readonly unknown[]) {
        texts.push(text);
        if (failTouch && /set last_used_at/.test(text)) return Promise.reject(new Error('disk full'));
        return t.store.query<T>(text, params);
      },
      listen: (channel, listener) =>
        t.store.listen!(channel, {
          message: listener.message,
          state(state) {
            listener.state(state);
            if (state) listening();
          },
        }),
    };
    const clock = () => now;
    tenancy = withTokenCache(createTenancyService({ store, clock, newId: randomUUID }), { store, clock, log: { warn: (msg) => warnings.push(msg) }, maxEntries: 2 });
    await tenancy.authenticate('usher_warm-up');
    await live;
  });
  afterAll(() => t.close());

  const statementsFor = async (token: string) => {
    const from = texts.length;
    const principal = await tenancy.authenticate(token);
    return { principal, texts: texts.slice(from) };
  };

  it('keeps only accepted tokens, at most maxEntries of them', async () => {
    const first = await tenancy.createToken('acme', 'first');
    expect((await statementsFor(first.token)).principal?.tokenId).toBe(first.info.id);
    expect((await statementsFor(first.token)).texts).toEqual([]);
    // Unknown tokens are read every time and take no place.
    for (let i = 0; i < 5; i++) {
      const unknown = await statementsFor(`usher_guess-${i}`);
      expect(unknown.principal).toBeUndefined();
      expect(unknown.texts).toHaveLength(1);
    }
    expect((await statementsFor(first.token)).texts).toEqual([]);
    const second = await tenancy.createToken('acme', 'second');
    const third = await tenancy.createToken('acme', 'third');
    await statementsFor(second.token);
    await statementsFor(third.token);
    // Two places: the oldest went.
    expect((await statementsFor(first.token)).texts).toHaveLength(1);
    expect((await statementsFor(third.token)).texts).toEqual([]);
  });

  it('honours the expiry at each use', async () => {
    const { token } = await tenancy.createToken('acme', 'short', { expiresAt: new Date(now.getTime() + 10_000) });
    await statementsFor(token);
    expect((await statementsFor(token)).principal).toBeDefined();
    now = new Date(now.getTime() + 10_000);
    const expired = await statementsFor(token);
    expect(expired.principal).toBeUndefined();
    expect(expired.texts).toEqual([]);
  });

  it('writes last_used_at at most once a minute, without holding the request, and survives a failed write', async () => {
    const { token, info } = await tenancy.createToken('acme', 'used');
    const lastUsed = async () => (await t.store.query<{ at: Date | null }>('select last_used_at as at from api_tokens where id = $1', [info.id]))[0]!.at;
    await statementsFor(token);
    expect((await lastUsed())?.getTime()).toBe(now.getTime());
    const start = now.getTime();
    now = new Date(start + 30_000);
    expect((await statementsFor(token)).texts).toEqual([]);
    now = new Date(start + 61_000);
    expect((await statementsFor(token)).texts).toEqual([expect.stringMatching(/set last_used_at/)]);
    await expect.poll(async () => (await lastUsed())?.getTime()).toBe(start + 61_000);
    now = new Date(start + 62_000);
    expect((await statementsFor(token)).texts).toEqual([]);

    failTouch = true;
    try {
      now = new Date(start + 130_000);
      expect((await statementsFor(token)).principal?.tokenId).toBe(info.id);
      await expect.poll(() => warnings).toEqual([expect.stringContaining('last use')]);
    } finally {
      failTouch = false;
    }
    // Tried again at the next use.
    now = new Date(start + 131_000);
    expect((await statementsFor(token)).texts).toEqual([expect.stringMatching(/set last_used_at/)]);
    await expect.poll(async () => (await lastUsed())?.getTime()).toBe(start + 131_000);
  });

  it('listens on the channel the migration notifies', async () => {
    const heard: string[] = [];
    const stop = t.store.listen!(TOKEN_CHANNEL, { message: (payload) => heard.push(payload), state: () => {} });
    try {
      const { info } = await tenancy.createToken('acme', 'heard');
      await expect.poll(async () => {
        await t.store.query('update api_tokens set label = label || $2 where id = $1', [info.id, '!']);
        return heard.includes(info.id);
      }).toBe(true);
      // last_used_at alone announces nothing (the notifications of the polled updates are let in first).
      await new Promise((resolve) => setTimeout(resolve, 100));
      heard.length = 0;
      await t.store.query(`update api_tokens set last_used_at = now() where id = $1`, [info.id]);
      await t.store.query(`update api_tokens set label = 'x' where id = $1`, [randomUUID()]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(heard).toEqual([]);
    } finally {
      stop();
    }
  });
});
