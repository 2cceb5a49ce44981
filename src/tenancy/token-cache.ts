// API tokens checked once and then served from memory, dropped on every instance the moment the database says they changed.
//
// A lookup by an identity provider is one indexed statement; checking its token cost one more (and a write a
// minute). The tenancy service still decides every token the cache does not hold; what it accepted is kept here,
// keyed by the token's digest, for as long as nothing says otherwise:
// - the database announces every change of a token (revocation, expiry, scopes, deletion with its tenant) on
//   channel usher_api_tokens (sql/0015_api_token_changes.sql), whichever process made it; the store's listen()
//   delivers it (PostgreSQL LISTEN/NOTIFY; on PGlite the notification comes from this process's own worker);
// - while the store is not listening (not yet, or the connection was lost) nothing is cached and nothing is
//   served from the cache: a change announced meanwhile would be missed. Coming back empties the cache;
// - the expiry is checked at each use; revokeToken through this layer drops the token before it returns;
// - only accepted tokens are kept, at most maxEntries of them (the oldest go first): unknown tokens cost memory
//   nothing, so no one can fill it by guessing.
// A token checked while a change was announced is not kept (the answer may predate the change).
import { createHash } from 'node:crypto';
import type { Store } from '../store/index.js';
import { touchToken } from './queries.js';
import type { TenancyService, TokenPrincipal } from './service.js';

export const TOKEN_CHANNEL = 'usher_api_tokens';
/** last_used_at is written at most this often per token (and the SQL itself skips a write within a minute). */
const TOUCH_INTERVAL_MS = 60_000;
const DEFAULT_MAX_ENTRIES = 10_000;

/**
 * The cache's key for a token: its SHA-256, so that memory holds no token itself. Node's own (OpenSSL) SHA-256:
 * this runs on every request, and the portable one the tenancy service uses costs some 30 µs more each time.
 */
const keyOf = (token: string) => createHash('sha256').update(token).digest('base64');

export interface TokenCacheDeps {
  readonly store: Store;
  readonly clock: () => Date;
  /** Where a failed last_used_at write is reported; the request it belonged to is not failed for it. */
  readonly log: { warn(msg: string, fields?: Record<string, unknown>): void };
  readonly maxEntries?: number;
}

interface Entry {
  readonly principal: TokenPrincipal;
  readonly expiresAt: number | null;
  touchedAt: number;
}

/** The tenancy service with authenticate() served from memory when the store can listen, and as before when not. */
export function withTokenCache(tenancy: TenancyService, deps: TokenCacheDeps): TenancyService {
  const { store, clock, log } = deps;
  const maxEntries = deps.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const entries = new Map<string, Entry>();
  const digestsOf = new Map<string, Set<string>>();
  let listening = false;
  let subscribed = false;
  // Bumped by every change announced and every change of the listening state: a check that began under another
  // generation may have read what was changed since, and is not kept.
  let generation = 0;

  const forgetDigest = (digest: string) => {
    const entry = entries.get(digest);
    if (!entry) return;
    entries.delete(digest);
    const digests = digestsOf.get(entry.principal.tokenId);
    digests?.delete(digest);
    if (digests?.size === 0) digestsOf.delete(entry.principal.tokenId);
  };
  const forgetToken = (tokenId: string) => {
    generation++;
    for (const digest of [...(digestsOf.get(tokenId) ?? [])]) forgetDigest(digest);
  };
  const forgetAll = () => {
    generation++;
    entries.clear();
    digestsOf.clear();
  };

  const subscribe = () => {
    subscribed = true;
    store.listen?.(TOKEN_CHANNEL, {
      message: forgetToken,
      state(now) {
        forgetAll();
        listening = now;
      },
    });
  };

  const keep = (digest: string, principal: TokenPrincipal, now: number) => {
    if (!entries.has(digest) && entries.size >= maxEntries) forgetDigest(entries.keys().next().value!);
    entries.set(digest, { principal, expiresAt: principal.expiresAt?.getTime() ?? null, touchedAt: now });
    let digests = digestsOf.get(principal.tokenId);
    if (!digests) digestsOf.set(principal.tokenId, (digests = new Set()));
    digests.add(digest);
  };

  const touch = (entry: Entry, now: Date) => {
    const previous = entry.touchedAt;
    entry.touchedAt = now.getTime();
    touchToken(store, entry.principal.tenantId, entry.principal.tokenId, now).catch((error: unknown) => {
      entry.touchedAt = previous;
      log.warn('could not record an API token\'s last use', { tokenId: entry.principal.tokenId, error: (error as Error).message });
    });
  };

  return {
    ...tenancy,

    async authenticate(token) {
      if (!subscribed) subscribe();
      const digest = keyOf(token);
      if (listening) {
        const entry = entries.get(digest);
        if (entry) {
          const now = clock();
          if (entry.expiresAt !== null && entry.expiresAt <= now.getTime()) {
            forgetDigest(digest);
            return undefined;
          }
          if (now.getTime() - entry.touchedAt > TOUCH_INTERVAL_MS) touch(entry, now);
          return entry.principal;
        }
      }
      const checking = generation;
      const principal = await tenancy.authenticate(token);
      // tenancy.authenticate wrote last_used_at when it was more than a minute old.
      if (principal && listening && generation === checking) keep(digest, principal, clock().getTime());
      return principal;
    },

    async revokeToken(id, tenantId) {
      const info = await tenancy.revokeToken(id, tenantId);
      // At once on this instance; the others when the database's notification reaches them.
      forgetToken(info.id);
      return info;
    },
  };
}
