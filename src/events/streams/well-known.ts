// The transmitter's public documents: its SSF configuration (OpenID SSF 1.0 §7.1, §7.2), which a receiver discovers
// every other endpoint from, and the JWKS (RFC 7517) it verifies the SETs with. Open to all, cacheable.
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env.js';
import type { SigningKeys } from '../signing-keys.js';
import { DELIVERY_METHODS } from './delivery-methods.js';

export const SSF_CONFIGURATION_PATH = '/.well-known/ssf-configuration';
export const JWKS_PATH = '/.well-known/jwks.json';

/** The configuration changes only with a new release or PUBLIC_URL. */
const CONFIGURATION_MAX_AGE = 3600;
/**
 * Short enough that a receiver caching the keys meets a new key within minutes of a rotation (most fetch the set
 * again on an unknown kid anyway); a retired key stays published for a day, far longer.
 */
const JWKS_MAX_AGE = 300;

export interface WellKnownOptions {
  /** PUBLIC_URL: the issuer, identical to the iss of every SET. */
  readonly publicUrl: string;
  readonly signingKeys: SigningKeys;
}

export function transmitterConfiguration(publicUrl: string): Record<string, unknown> {
  return {
    spec_version: '1_0',
    issuer: publicUrl,
    jwks_uri: `${publicUrl}${JWKS_PATH}`,
    delivery_methods_supported: DELIVERY_METHODS,
    configuration_endpoint: `${publicUrl}/ssf/streams`,
    status_endpoint: `${publicUrl}/ssf/status`,
    verification_endpoint: `${publicUrl}/ssf/verify`,
    // RFC 6750 bearer tokens: an API token (usher token create) or a portal session, holding events:manage.
    authorization_schemes: [{ spec_urn: 'urn:ietf:rfc:6750' }],
    // Every change in the tenant is sent; there are no subjects to add or remove.
    default_subjects: 'ALL',
  };
}

export function wellKnownRoutes(options: WellKnownOptions) {
  const app = new Hono<AppEnv>();
  const configuration = JSON.stringify(transmitterConfiguration(options.publicUrl));
  app.get(SSF_CONFIGURATION_PATH, (c) =>
    c.body(configuration, 200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': `public, max-age=${CONFIGURATION_MAX_AGE}` }),
  );
  app.get(JWKS_PATH, async (c) =>
    c.body(JSON.stringify(await options.signingKeys.jwks()), 200, {
      'Content-Type': 'application/jwk-set+json',
      'Cache-Control': `public, max-age=${JWKS_MAX_AGE}`,
    }),
  );
  return app;
}
