// The server's keys for signing Security Event Tokens (RFC 8417 §2.2, JWS) and the JWKS receivers verify them with,
// all through jose: no hand-written cryptography. The private keys are kept sealed in signing_keys (sql/0017).
//
// Every instance on one database signs with the newest key that is not retired; a rotation (`usher keys rotate`)
// retires the others, which stay in the JWKS for keepRetiredSeconds so that a token signed a moment before the
// rotation still verifies wherever it is in flight. A token is signed when it is delivered, on every attempt, so a
// token is in flight for seconds, not for the days a delivery may be retried.
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { createSecretBox, type SecretBox } from '../auth/secret-box.js';
import { serverSecret } from '../store/secrets.js';
import type { Queryable } from '../store/index.js';
import {
  deleteSigningKeysRetiredBefore,
  insertSigningKey,
  retireSigningKeys,
  selectCurrentSigningKey,
  selectPublishedKeys,
  selectSigningKeys,
} from './signing-key-queries.js';

/** ES256 (ECDSA P-256 with SHA-256), the default of SSF transmitters. */
export const SET_ALGORITHM = 'ES256';

/** The JOSE type of a Security Event Token (RFC 8417 §2.3). */
export const SET_TYPE = 'secevent+jwt';

/** How long a retired key stays published by default: a day, far beyond any token's time in flight. */
export const DEFAULT_KEEP_RETIRED_SECONDS = 24 * 60 * 60;

/** How long an instance signs with the key it last read before it looks again (a rotation elsewhere reaches it). */
const CURRENT_KEY_TTL_MS = 30_000;

export interface PublicJwk extends JWK {
  readonly kid: string;
  readonly alg: string;
  readonly use: 'sig';
}

export interface SigningKeys {
  /** The claims signed as a SET with the current key, made on first use. */
  sign(claims: JWTPayload): Promise<string>;
  /** The keys a receiver verifies with: the current ones and those retired less than keepRetiredSeconds ago. */
  jwks(): Promise<{ keys: PublicJwk[] }>;
  /** Makes a new current key and retires the others; keys retired longer ago than keepRetiredSeconds are removed. */
  rotate(): Promise<{ kid: string; retired: string[]; removed: string[] }>;
  /** Every key kept, newest first, and until when a retired one is still published. */
  list(): Promise<{ kid: string; alg: string; createdAt: Date; retiredAt: Date | null; publishedUntil: Date | null }[]>;
}

export interface SigningKeysOptions {
  readonly store: Queryable;
  readonly clock: () => Date;
  readonly keepRetiredSeconds?: number;
}


interface CurrentKey {
  readonly kid: string;
  readonly key: CryptoKey;
  readonly readAt: number;
}

const sealContext = (kid: string) => `signing-key:${kid}`;

export function createSigningKeys(options: SigningKeysOptions): SigningKeys {
  const { store, clock } = options;
  const keepRetiredSeconds = options.keepRetiredSeconds ?? DEFAULT_KEEP_RETIRED_SECONDS;
  let box: Promise<SecretBox> | undefined;
  let current: Promise<CurrentKey> | undefined;

  const secretBox = () => {
    box ??= serverSecret(store, 'event-signing-keys').then(createSecretBox, (error: unknown) => {
      box = undefined;
      throw error;
    });
    return box;
  };

  async function createKey(): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair(SET_ALGORITHM, { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const sealed = (await secretBox()).seal(new TextEncoder().encode(JSON.stringify(await exportJWK(privateKey))), sealContext(kid));
    await insertSigningKey(store, {
      kid,
      alg: SET_ALGORITHM,
      public_jwk: { ...publicJwk, kid, alg: SET_ALGORITHM, use: 'sig' },
      private_jwk: sealed,
      created_at: clock(),
    });
    return kid;
  }

  async function readCurrent(): Promise<CurrentKey> {
    const newest = () => selectCurrentSigningKey(store);
    // Two instances starting at once may each make a key: both are published, and the newest signs.
    const row = (await newest()) ?? (await createKey(), await newest());
    if (row === undefined) throw new Error('no signing key could be made');
    const opened = (await secretBox()).open(row.private_jwk, sealContext(row.kid));
    if (opened === undefined) throw new Error(`signing key ${row.kid} cannot be opened: it was sealed under another server secret`);
    const key = await importJWK(JSON.parse(new TextDecoder().decode(opened)) as JWK, row.alg);
    return { kid: row.kid, key: key as CryptoKey, readAt: Date.now() };
  }

  function currentKey(): Promise<CurrentKey> {
    const cached = current;
    if (cached !== undefined) {
      return cached.then((k) => (Date.now() - k.readAt < CURRENT_KEY_TTL_MS ? k : ((current = undefined), currentKey())));
    }
    const reading = readCurrent();
    current = reading;
    reading.catch(() => {
      if (current === reading) current = undefined;
    });
    return reading;
  }

  return {
    async sign(claims) {
      const { kid, key } = await currentKey();
      return new SignJWT(claims).setProtectedHeader({ alg: SET_ALGORITHM, kid, typ: SET_TYPE }).sign(key);
    },

    async jwks() {
      const since = new Date(clock().getTime() - keepRetiredSeconds * 1000);
      await currentKey();
      return { keys: (await selectPublishedKeys(store, since)).map((r) => r.public_jwk) };
    },

    async rotate() {
      const at = clock();
      const kid = await createKey();
      const retired = await retireSigningKeys(store, kid, at);
      const removed = await deleteSigningKeysRetiredBefore(store, new Date(at.getTime() - keepRetiredSeconds * 1000));
      current = undefined;
      return { kid, retired, removed };
    },

    async list() {
      return (await selectSigningKeys(store)).map((row) => ({
        kid: row.kid,
        alg: row.alg,
        createdAt: row.created_at,
        retiredAt: row.retired_at,
        publishedUntil: row.retired_at ? new Date(row.retired_at.getTime() + keepRetiredSeconds * 1000) : null,
      }));
    },
  };
}
