// GET /.well-known/ssf-configuration (OpenID SSF 1.0 §7) and GET /.well-known/jwks.json: open to all, and the keys
// published verify a SET the server's signing keys sign.
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSigningKeys } from '../../src/events/signing-keys.js';
import { createTestContext, PUBLIC_URL, type TestContext } from '../helpers/app.js';
import { POLL, PUSH, ssfRequest } from './ssf-client.js';

let t: TestContext;
beforeAll(async () => (t = await createTestContext()));
afterAll(() => t.close());

it('publishes the transmitter configuration without a token, naming the endpoints the app serves', async () => {
  const got = await ssfRequest(t.app, undefined, 'GET', '/.well-known/ssf-configuration');
  expect(got.status).toBe(200);
  expect(got.headers.get('content-type')).toMatch(/^application\/json\b/);
  expect(got.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
  expect(got.body).toEqual({
    spec_version: '1_0',
    issuer: PUBLIC_URL,
    jwks_uri: `${PUBLIC_URL}/.well-known/jwks.json`,
    delivery_methods_supported: [PUSH, POLL],
    configuration_endpoint: `${PUBLIC_URL}/ssf/streams`,
    status_endpoint: `${PUBLIC_URL}/ssf/status`,
    verification_endpoint: `${PUBLIC_URL}/ssf/verify`,
    authorization_schemes: [{ spec_urn: 'urn:ietf:rfc:6750' }],
    default_subjects: 'ALL',
  });
  // Each endpoint it names is served (here: asks for a token, rather than 404).
  for (const key of ['configuration_endpoint', 'status_endpoint', 'jwks_uri']) {
    const path = new URL(got.body[key] as string).pathname;
    expect((await ssfRequest(t.app, undefined, 'GET', path)).status, path).not.toBe(404);
  }
  expect((await ssfRequest(t.app, undefined, 'POST', '/ssf/verify', {})).status).toBe(401);
});

it('publishes the signing keys, which verify a SET signed by the server', async () => {
  const got = await ssfRequest(t.app, undefined, 'GET', '/.well-known/jwks.json');
  expect(got.status).toBe(200);
  expect(got.headers.get('content-type')).toBe('application/jwk-set+json');
  expect(got.headers.get('cache-control')).toBe('public, max-age=300');
  expect(got.body.keys).toHaveLength(1);
  const [key] = got.body.keys;
  expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: expect.any(String) });
  expect(key.d).toBeUndefined();

  // Another instance on the same database signs with the same key.
  const keys = createSigningKeys({ store: t.store, clock: () => new Date() });
  const token = await keys.sign({ iss: PUBLIC_URL, aud: 'urn:test', jti: 'j1', iat: Math.floor(Date.now() / 1000), events: {} });
  const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(got.body), { issuer: PUBLIC_URL, audience: 'urn:test', typ: 'secevent+jwt' });
  expect(payload.jti).toBe('j1');
  expect(protectedHeader.kid).toBe(key.kid);

  // A token signed by a key the JWKS does not hold does not verify: the check can fail.
  await keys.rotate();
  const other = await createSigningKeys({ store: t.store, clock: () => new Date() }).sign({ iss: PUBLIC_URL, aud: 'urn:test' });
  await expect(jwtVerify(other, createLocalJWKSet(got.body))).rejects.toThrow();
  const after = await ssfRequest(t.app, undefined, 'GET', '/.well-known/jwks.json');
  expect(after.body.keys).toHaveLength(2);
  await expect(jwtVerify(other, createLocalJWKSet(after.body))).resolves.toBeDefined();
});
