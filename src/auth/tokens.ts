// Bearer tokens: 256 bits from a CSPRNG, shown once, kept only as a SHA-256 digest, compared in constant time.
import { randomBytes } from 'node:crypto';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase64urlNoPadding, encodeHexLowerCase } from '@oslojs/encoding';

/** A new token's text. The prefix makes a leaked token easy to recognise in logs and secret scanners. */
export function generateToken(prefix: string): string {
  return `${prefix}_${encodeBase64urlNoPadding(randomBytes(32))}`;
}

/** The digest stored for a token, as lower-case hex. */
export function hashToken(token: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

/** Compares two digests without an early exit, so the time taken says nothing about where they differ. */
export function digestsEqual(a: string, b: string): boolean {
  const encoder = new TextEncoder();
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  return left.length === right.length && constantTimeEqual(left, right);
}
