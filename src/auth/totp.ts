// Time-based one-time passwords (RFC 6238) as authenticator apps make them: SHA-1, 6 digits, 30-second steps. The
// codes themselves come from @oslojs/otp's HOTP (RFC 4226); this module only decides which time steps to try, on the
// server's clock (passed in, so tests can fix it), so that the caller can refuse a step already used.
import { randomBytes } from 'node:crypto';
import { createTOTPKeyURI, generateHOTP, verifyHOTP } from '@oslojs/otp';
import { encodeBase32UpperCaseNoPadding } from '@oslojs/encoding';

export const TOTP_DIGITS = 6;
export const TOTP_PERIOD_SECONDS = 30;
/** Steps either side of now that are accepted: a phone's clock a little off, a code typed as it changed. */
const DRIFT_STEPS = 1;

/** A new secret: 160 bits, the length RFC 4226 section 4 recommends for HMAC-SHA-1. */
export function generateTotpSecret(): Uint8Array {
  return new Uint8Array(randomBytes(20));
}

/** The secret as authenticator apps take it when typed: base32, upper case, no padding. */
export function totpSecretText(secret: Uint8Array): string {
  return encodeBase32UpperCaseNoPadding(secret);
}

/** The otpauth:// URI a QR code carries: issuer (the tenant) and account (the user name). */
export function totpUri(issuer: string, accountName: string, secret: Uint8Array): string {
  return createTOTPKeyURI(issuer, accountName, secret, TOTP_PERIOD_SECONDS, TOTP_DIGITS);
}

/** The time step a moment falls in. */
export function totpStep(at: Date): number {
  return Math.floor(at.getTime() / 1000 / TOTP_PERIOD_SECONDS);
}

/** The code for a moment: what an authenticator app shows then (used by tests and the benchmark). */
export function totpCode(secret: Uint8Array, at: Date): string {
  return generateHOTP(secret, BigInt(totpStep(at)), TOTP_DIGITS);
}

/** Whether a text has the shape of a code (digits only, spaces allowed as apps group them): anything else is no guess. */
export function normaliseTotpCode(text: string): string | undefined {
  const code = text.replace(/\s/g, '');
  return /^\d{6}$/.test(code) ? code : undefined;
}

/**
 * The step of `now` or a neighbouring one whose code `code` is, if any is later than `afterStep` (the last step
 * accepted for this secret); undefined otherwise. Every candidate step is checked, so the time taken says nothing about
 * which one matched.
 */
export function matchTotpStep(secret: Uint8Array, code: string, now: Date, afterStep: number): number | undefined {
  const normalised = normaliseTotpCode(code);
  if (normalised === undefined) return undefined;
  const current = totpStep(now);
  let matched: number | undefined;
  for (let step = current - DRIFT_STEPS; step <= current + DRIFT_STEPS; step++) {
    const valid = verifyHOTP(secret, BigInt(step), TOTP_DIGITS, normalised);
    if (valid && step > afterStep && matched === undefined) matched = step;
  }
  return matched;
}
