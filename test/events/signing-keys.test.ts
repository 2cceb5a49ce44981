// SETs are signed with the server's current key and verify against the JWKS; a rotation keeps the old key published
// for its grace time, then removes it.
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSigningKeys } from '../../src/events/signing-keys.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

describe('event signing keys', () => {
  let db: TestDatabase;
  let now = new Date('2026-12-05T10:00:00Z');
  const clock = () => now;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.close());

  it('signs a SET as secevent+jwt with ES256 that verifies with the published JWKS, and keeps no private key in it', async () => {
    const keys = createSigningKeys({ store: db.store, clock });
    const token = await keys.sign({ iss: 'https://usher.example', aud: 'https://receiver.example', jti: 'j1', iat: 1, events: {} });
    const header = decodeProtectedHeader(token);
    expect(header).toMatchObject({ alg: 'ES256', typ: 'secevent+jwt' });
    const jwks = await keys.jwks();
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kid: header.kid, kty: 'EC', crv: 'P-256', use: 'sig', alg: 'ES256' });
    expect(jwks.keys[0]).not.toHaveProperty('d');
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer: 'https://usher.example', audience: 'https://receiver.example', typ: 'secevent+jwt' });
    expect(payload.jti).toBe('j1');
    const [row] = await db.store.query<{ private_jwk: string }>('select private_jwk from signing_keys');
    expect(row!.private_jwk).not.toContain('"d"');
  });

  it('rotates: a second instance picks up the new key, the old stays published for its grace time, then is removed', async () => {
    const a = createSigningKeys({ store: db.store, clock, keepRetiredSeconds: 3600 });
    const b = createSigningKeys({ store: db.store, clock, keepRetiredSeconds: 3600 });
    const before = decodeProtectedHeader(await a.sign({ jti: 'x' })).kid;
    const { kid, retired } = await b.rotate();
    expect(retired).toContain(before);
    expect(decodeProtectedHeader(await b.sign({ jti: 'y' })).kid).toBe(kid);
    expect((await a.jwks()).keys.map((k) => k.kid)).toEqual(expect.arrayContaining([kid, before]));
    now = new Date(now.getTime() + 3601_000);
    expect((await a.jwks()).keys.map((k) => k.kid)).toEqual([kid]);
    const second = await a.rotate();
    expect(second.removed).toContain(before);
  });
});
