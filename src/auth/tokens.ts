// Bearer tokens: 256 bits from a CSPRNG, shown once, kept only as a SHA-256 digest, compared in constant time. A
// token names its tenant in clear (docs/scaling.md), so that its row is looked up on the tenant's shard.
import { randomBytes } from 'node:crypto';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase64urlNoPadding, encodeHexLowerCase } from '@oslojs/encoding';

/** `<prefix>_<tenant id: 16 bytes, base64url>_<secret: 32 bytes, base64url>`. */
const ROUTED = /^[a-z]+_([A-Za-z0-9_-]{22})_[A-Za-z0-9_-]{43}$/;

/**
 * A new token's text: the prefix makes a leaked token easy to recognise in logs and secret scanners, the tenant id
 * routes its lookup, and the secret is 256 bits. The digest covers all of it: a token whose tenant part is changed
 * matches no row.
 */
export function generateToken(prefix: string, tenantId: string): string {
  const tenant = Buffer.from(tenantId.replaceAll('-', ''), 'hex');
  if (tenant.length !== 16) throw new Error(`not a tenant id: ${tenantId}`);
  return `${prefix}_${encodeBase64urlNoPadding(tenant)}_${encodeBase64urlNoPadding(randomBytes(32))}`;
}

/** The digest stored for a token, as lower-case hex. */
export function hashToken(token: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

/** What a presented token is looked up by: its digest, on its tenant when the token names one. */
export interface TokenRoute {
  readonly digest: string;
  /** Undefined for a token that names no tenant (issued before tokens did, or supplied as text): the legacy lookup. */
  readonly tenantId: string | undefined;
}

/** Reads the tenant a token names. Never throws: text of any other shape is a token that names no tenant. */
export function routeToken(token: string): TokenRoute {
  return { digest: hashToken(token), tenantId: tenantOfToken(token) };
}

export function tenantOfToken(token: string): string | undefined {
  const key = ROUTED.exec(token)?.[1];
  if (key === undefined) return undefined;
  const bytes = Buffer.from(key, 'base64url');
  // 22 characters carry 132 bits: only the encoding of 16 bytes (its last 4 bits zero) names a tenant.
  if (bytes.length !== 16 || bytes.toString('base64url') !== key) return undefined;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Compares two digests without an early exit, so the time taken says nothing about where they differ. */
export function digestsEqual(a: string, b: string): boolean {
  const encoder = new TextEncoder();
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  return left.length === right.length && constantTimeEqual(left, right);
}
