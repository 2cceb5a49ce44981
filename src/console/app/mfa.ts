// Two-step verification (a TOTP second factor, RFC 6238) through /auth/mfa: setting it up with a sign-in's
// mfaToken or the signed-in user's password, recovery codes, turning it off, and the words the console uses for it.
import { ApiError, request } from './api';
import type { Grant } from './auth';

/** A new, still pending authenticator key: what the app needs to make codes. */
export interface Enrolment {
  /** The key in base32, as an authenticator app takes it typed. */
  readonly secret: string;
  /** otpauth://totp/... : what the QR code holds, and what a phone opens in its authenticator app. */
  readonly uri: string;
  readonly digits: number;
  readonly period: number;
}

/** What GET /auth/session says of the user's second factor. */
export interface MfaStatus {
  readonly enabled: boolean;
  /** The tenant requires it of this user: it cannot be turned off. */
  readonly required: boolean;
  readonly recoveryCodesLeft: number;
}

/** Proof of the second factor: a code from the app, or one of the recovery codes. */
export type MfaProof = { readonly code: string } | { readonly recoveryCode: string };

export const WRONG_CODE = 'That code is not right; codes change every 30 seconds.';
export const WRONG_RECOVERY_CODE = 'That recovery code is not right, or it has been used already.';
export const ENTER_CODE = 'Enter the 6-digit code from your authenticator app.';
export const ENTER_RECOVERY_CODE = 'Enter one of your recovery codes.';

/** The key in groups of four, as it is easiest to type: `ABCD EFGH IJKL ...`. */
export function groupedKey(secret: string): string {
  return secret.replace(/\s+/g, '').match(/.{1,4}/g)?.join(' ') ?? '';
}

/** A code as typed (spaces, a dash from a copied group) made what the server compares. */
export function cleanCode(text: string): string {
  return text.replace(/[\s-]+/g, '');
}

/** What the browser can tell of a typed proof before the server does: empty, or not six digits. */
export function checkProof(text: string, recovery: boolean): string | undefined {
  const code = cleanCode(text);
  if (recovery) return code ? undefined : ENTER_RECOVERY_CODE;
  return /^\d{6}$/.test(code) ? undefined : ENTER_CODE;
}

export function proofOf(text: string, recovery: boolean): MfaProof {
  // A recovery code keeps its dashes: the server knows the form it handed out.
  return recovery ? { recoveryCode: text.trim() } : { code: cleanCode(text) };
}

/** The field error for a refused proof, or undefined when the error is not about the code. */
export function proofError(error: unknown, recovery: boolean): string | undefined {
  if (error instanceof ApiError && error.status === 401 && error.code === 'invalid_code') return recovery ? WRONG_RECOVERY_CODE : WRONG_CODE;
  return undefined;
}

// During sign-in, setting up a factor that the tenant requires: the mfaToken of a 403 mfa_enrolment_required, no
// session yet. (The code of a factor already set up goes to verifySecondFactor() in auth.ts.)

export function enrolWithToken(mfaToken: string): Promise<Enrolment> {
  return request<Enrolment>('POST', '/auth/mfa/enrol', { body: { mfaToken }, token: '' });
}

export function confirmWithToken(mfaToken: string, code: string): Promise<{ recoveryCodes: string[]; session: Grant }> {
  return request('POST', '/auth/mfa/confirm', { body: { mfaToken, code: cleanCode(code) }, token: '' });
}

// The signed-in user, on the profile page.

export async function fetchMfaStatus(): Promise<MfaStatus> {
  const info = await request<{ mfa?: MfaStatus }>('GET', '/auth/session');
  return info.mfa ?? { enabled: false, required: false, recoveryCodesLeft: 0 };
}

/** A pending key; while a factor is on, the old one keeps working until this one is confirmed. */
export function enrol(currentPassword: string): Promise<Enrolment> {
  return request<Enrolment>('POST', '/auth/mfa/enrol', { body: { currentPassword } });
}

export async function confirm(code: string): Promise<string[]> {
  const answer = await request<{ recoveryCodes: string[] }>('POST', '/auth/mfa/confirm', { body: { code: cleanCode(code) } });
  return answer.recoveryCodes;
}

/** Ten new recovery codes; the old ones stop working. */
export async function newRecoveryCodes(currentPassword: string, proof: MfaProof): Promise<string[]> {
  const answer = await request<{ recoveryCodes: string[] }>('POST', '/auth/mfa/recovery-codes', { body: { currentPassword, ...proof } });
  return answer.recoveryCodes;
}

export async function disable(currentPassword: string, proof: MfaProof): Promise<void> {
  await request<undefined>('POST', '/auth/mfa/disable', { body: { currentPassword, ...proof } });
}
