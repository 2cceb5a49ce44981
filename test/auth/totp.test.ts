// TOTP (RFC 6238) on a fixed clock: the RFC's own test vectors, the drift window, single use, and the shape of codes.
import { describe, expect, it } from 'vitest';
import { matchTotpStep, normaliseTotpCode, totpCode, totpSecretText, totpStep, totpUri } from '../../src/auth/totp.js';

// RFC 6238 appendix B, SHA-1: the key is the ASCII of "12345678901234567890", the codes 8 digits; a 6-digit code is
// the same value modulo 10^6 (RFC 4226 section 5.3), i.e. its last six digits.
const RFC_KEY = new TextEncoder().encode('12345678901234567890');
const RFC_6238_VECTORS = [
  { ref: 'RFC 6238 B, T=59', seconds: 59, expected: '94287082' },
  { ref: 'RFC 6238 B, T=1111111109', seconds: 1111111109, expected: '07081804' },
  { ref: 'RFC 6238 B, T=1111111111', seconds: 1111111111, expected: '14050471' },
  { ref: 'RFC 6238 B, T=1234567890', seconds: 1234567890, expected: '89005924' },
  { ref: 'RFC 6238 B, T=2000000000', seconds: 2000000000, expected: '69279037' },
  { ref: 'RFC 6238 B, T=20000000000', seconds: 20000000000, expected: '65353130' },
];

describe('codes', () => {
  it.each(RFC_6238_VECTORS)('$ref', ({ seconds, expected }) => {
    expect(totpCode(RFC_KEY, new Date(seconds * 1000))).toBe(expected.slice(-6));
  });

  it('are accepted within one step either side, and only once each', () => {
    const now = new Date(1_111_111_111_000);
    const step = totpStep(now);
    expect(matchTotpStep(RFC_KEY, '050471', now, 0)).toBe(step);
    // Used: that step and any before it are refused.
    expect(matchTotpStep(RFC_KEY, '050471', now, step)).toBeUndefined();
    expect(matchTotpStep(RFC_KEY, totpCode(RFC_KEY, new Date(now.getTime() - 30_000)), now, step)).toBeUndefined();
    // The next step still passes after it.
    expect(matchTotpStep(RFC_KEY, totpCode(RFC_KEY, new Date(now.getTime() + 30_000)), now, step)).toBe(step + 1);
    expect(matchTotpStep(RFC_KEY, totpCode(RFC_KEY, new Date(now.getTime() - 30_000)), now, 0)).toBe(step - 1);
    const twoAway = totpCode(RFC_KEY, new Date(now.getTime() + 60_000));
    if (![-1, 0, 1].some((k) => totpCode(RFC_KEY, new Date(now.getTime() + k * 30_000)) === twoAway)) {
      expect(matchTotpStep(RFC_KEY, twoAway, now, 0)).toBeUndefined();
    }
  });

  it('are six digits; spaces as apps group them are allowed, nothing else', () => {
    expect(normaliseTotpCode('050 471')).toBe('050471');
    for (const bad of ['', '05047', '0504711', '05047a', '٠٥٠٤٧١', '050-471', '+50471']) expect(normaliseTotpCode(bad)).toBeUndefined();
    expect(matchTotpStep(RFC_KEY, '050 471', new Date(1_111_111_111_000), 0)).toBeDefined();
  });
});

describe('keys', () => {
  it('are typed as base32 and carried in an otpauth:// URI with issuer, account, period and digits', () => {
    expect(totpSecretText(RFC_KEY)).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    const uri = new URL(totpUri('Acme Corp', 'jane@example.com', RFC_KEY));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Acme Corp:jane@example.com');
    expect(Object.fromEntries(uri.searchParams)).toEqual({
      issuer: 'Acme Corp',
      algorithm: 'SHA1',
      secret: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ',
      period: '30',
      digits: '6',
    });
  });
});
