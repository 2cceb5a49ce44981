// How second-factor secrets are kept: TOTP keys sealed and bound to their user, recovery codes as salted digests.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { findRecoveryCode, generateRecoveryCode, hashRecoveryCode } from '../../src/auth/recovery-codes.js';
import { createSecretBox } from '../../src/auth/secret-box.js';

describe('sealed secrets', () => {
  const box = createSecretBox(new Uint8Array(randomBytes(32)));
  const secret = new Uint8Array(randomBytes(20));

  it('open for the context they were sealed for, and for no other, no other key and no tampering', () => {
    const sealed = box.seal(secret, 'usher.totp.tenant-a.user-1');
    expect(box.open(sealed, 'usher.totp.tenant-a.user-1')).toEqual(secret);
    expect(box.open(sealed, 'usher.totp.tenant-a.user-2')).toBeUndefined();
    expect(createSecretBox(new Uint8Array(randomBytes(32))).open(sealed, 'usher.totp.tenant-a.user-1')).toBeUndefined();
    const parts = sealed.split('.');
    const body = Buffer.from(parts[2]!, 'base64url');
    body[0] = body[0]! ^ 1;
    expect(box.open([parts[0], parts[1], body.toString('base64url'), parts[3]].join('.'), 'usher.totp.tenant-a.user-1')).toBeUndefined();
    for (const junk of ['', 'v1', 'v2.a.b.c', 'v1.a.b.c.d', 'v1.!!.b.c']) expect(box.open(junk, 'x')).toBeUndefined();
  });

  it('differ each time (a fresh nonce), so two users with one key cannot be told apart', () => {
    expect(box.seal(secret, 'c')).not.toBe(box.seal(secret, 'c'));
  });

  it('need a 256-bit key', () => {
    expect(() => createSecretBox(new Uint8Array(16))).toThrow(RangeError);
  });
});

describe('recovery codes', () => {
  it('are 16 base32 characters in groups of four, and differ', () => {
    const codes = Array.from({ length: 50 }, generateRecoveryCode);
    for (const code of codes) expect(code).toMatch(/^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/);
    expect(new Set(codes).size).toBe(50);
  });

  it('are found by their salted digest, whatever the case, spaces and dashes; the digest differs per code even for one text', () => {
    const codes = Array.from({ length: 10 }, generateRecoveryCode);
    const stored = codes.map((code, i) => ({ id: String(i), ...hashRecoveryCode(code) }));
    expect(findRecoveryCode(stored, codes[3]!)?.id).toBe('3');
    expect(findRecoveryCode(stored, codes[7]!.toUpperCase().replace(/-/g, ' '))?.id).toBe('7');
    expect(findRecoveryCode(stored, 'aaaa-bbbb-cccc-dddd')).toBeUndefined();
    expect(findRecoveryCode(stored, '')).toBeUndefined();
    expect(hashRecoveryCode(codes[0]!).codeHash).not.toBe(hashRecoveryCode(codes[0]!).codeHash);
    for (const row of stored) expect(JSON.stringify(row)).not.toContain(codes[Number(row.id)]!.replace(/-/g, ''));
  });
});
