// Single-use recovery codes for a lost authenticator (ASVS 2.6 lookup secrets): 80 random bits each, shown once, kept
// only as a SHA-256 of a per-code random salt and the code, and compared in constant time.
import { randomBytes } from 'node:crypto';
import { sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { decodeHex, encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';

export const RECOVERY_CODE_COUNT = 10;

export interface StoredRecoveryCode {
  readonly salt: string;
  readonly codeHash: string;
}

/** A code as shown: 16 base32 characters in four groups, `abcd-efgh-ijkl-mnop`. */
export function generateRecoveryCode(): string {
  const text = encodeBase32LowerCaseNoPadding(randomBytes(10));
  return text.match(/.{4}/g)!.join('-');
}

/** How a code is compared: case, spaces and dashes as typed do not matter. */
export function normaliseRecoveryCode(text: string): string {
  return text.toLowerCase().replace(/[\s-]/g, '');
}

function digest(salt: Uint8Array, code: string): Uint8Array {
  const text = new TextEncoder().encode(normaliseRecoveryCode(code));
  const input = new Uint8Array(salt.length + text.length);
  input.set(salt);
  input.set(text, salt.length);
  return sha256(input);
}

export function hashRecoveryCode(code: string): StoredRecoveryCode {
  const salt = new Uint8Array(randomBytes(16));
  return { salt: encodeHexLowerCase(salt), codeHash: encodeHexLowerCase(digest(salt, code)) };
}

/** The stored code `code` is, if any. Every stored code is compared, so the time taken says nothing of which matched. */
export function findRecoveryCode<T extends StoredRecoveryCode>(stored: readonly T[], code: string): T | undefined {
  if (normaliseRecoveryCode(code).length !== 16) return undefined;
  let found: T | undefined;
  for (const candidate of stored) {
    const equal = constantTimeEqual(digest(decodeHex(candidate.salt), code), decodeHex(candidate.codeHash));
    if (equal && found === undefined) found = candidate;
  }
  return found;
}
