// Abuse cases for `npm run bench`: whether health checks and an identity provider's lookups keep their latency while
// a large Bulk runs, while many clients fail to sign in, and while a signed-in user guesses its current password.
import { SCIM_PREFIX } from '../http/app.js';
import type { LoadSpec, PlannedRequest } from './load.js';
import type { LoginUsers } from './logins.js';

/** A probe's p99 under each of these loads is at most this many times its idle p99. */
export const RESILIENCE_TARGET = 3;
/** Operations in the Bulk that runs while /healthz is probed. */
export const BULK_OPERATIONS = 1000;
/** Clients failing to sign in at once. */
export const FAILING_CLIENTS = 100;
/**
 * Failed sign-ins a second each of them sends unless --attack-rate says otherwise: 1,000 a second in all, 60,000
 * a minute, which is a heavy credential-stuffing run. Unpaced (--attack-rate 0) the clients send as fast as they
 * are answered from a thread of the bench's own process: on a 2-core machine that measures how the machine
 * shares two cores among the attacker, the server and its database, not what an attacker elsewhere could do.
 */
export const FAILING_CLIENT_RATE = 10;

const BULK_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';

/**
 * One Bulk request that leaves the tenant as it found it, so it can be sent again and again: half its operations
 * create users, the other half delete them again through their bulkIds (RFC 7644 §3.7.2).
 */
export function bulkChurn(run: string): PlannedRequest {
  const half = BULK_OPERATIONS / 2;
  const creates = Array.from({ length: half }, (_, i) => {
    const userName = `churn-${run}-${i}@bench-churn.example.com`;
    return {
      method: 'POST',
      path: '/Users',
      bulkId: `u${i}`,
      data: {
        schemas: [USER_SCHEMA],
        userName,
        name: { givenName: 'Churn', familyName: `Tester ${i}` },
        // No e-mail address, so no welcome mail for users who exist only for a moment; all the work is the database's.
        phoneNumbers: [{ value: `+1 212 555 ${String(i).padStart(4, '0')}`, type: 'work' }],
      },
    };
  });
  const deletes = Array.from({ length: half }, (_, i) => ({ method: 'DELETE', path: `/Users/bulkId:u${i}` }));
  return { method: 'POST', path: `${SCIM_PREFIX}/Bulk`, body: JSON.stringify({ schemas: [BULK_SCHEMA], Operations: [...creates, ...deletes] }) };
}

export function bulkChurnSpec(port: number, token: string, run: string, warmupMs: number, durationMs: number): LoadSpec {
  return {
    name: `a ${BULK_OPERATIONS}-operation Bulk`,
    port,
    headers: { Authorization: `Bearer ${token}` },
    mode: 'duration',
    requests: [bulkChurn(run)],
    concurrency: 1,
    warmupMs,
    durationMs,
    maxRequests: 1_000,
    expectStatus: 200,
  };
}

/** A client address per request, as a trusted proxy would forward it, so that no per-address limit comes into play. */
const address = (n: number) => `198.51.${(n >> 8) & 255}.${n & 255}`;

/**
 * Sign-ins that fail, each from an address of its own and for a user name the tenant does not have: the server
 * still spends a full Argon2id verify on each (so that an unknown name answers as a known one does), which is what
 * an attacker from many addresses costs it. Refusals of every kind are answers here: 401, 429 and 503. With a rate
 * of 0 the clients send as fast as they are answered (see FAILING_CLIENT_RATE).
 */
export function failedLoginsSpec(port: number, users: LoginUsers, warmupMs: number, durationMs: number, ratePerSecond?: number): LoadSpec {
  const requests = Array.from({ length: 4096 }, (_, n) => ({
    method: 'POST',
    path: '/auth/login',
    headers: { 'X-Forwarded-For': address(n) },
    body: JSON.stringify({ tenant: users.tenant, userName: `nobody-${n}@${users.tenant}.example.com`, password: 'not the password at all' }),
  }));
  return {
    name: `${FAILING_CLIENTS} failing sign-in clients`,
    port,
    headers: {},
    mode: 'duration',
    requests,
    concurrency: FAILING_CLIENTS,
    warmupMs,
    durationMs,
    maxRequests: 5_000_000,
    ...(ratePerSecond ? { ratePerSecond } : {}),
    acceptStatuses: [401, 429, 503],
  };
}

/**
 * One signed-in user changing its password with a wrong current password, in a loop, from rotating addresses:
 * every call costs a verify of the current password.
 */
export function wrongPasswordsSpec(port: number, session: string, warmupMs: number, durationMs: number): LoadSpec {
  const requests = Array.from({ length: 4096 }, (_, n) => ({
    method: 'POST',
    path: '/auth/password',
    headers: { 'X-Forwarded-For': address(n) },
    body: JSON.stringify({ currentPassword: `a wrong guess number ${n}`, newPassword: 'a brand new passphrase 7' }),
  }));
  return {
    name: 'one user guessing its password',
    port,
    headers: { Authorization: `Bearer ${session}` },
    mode: 'duration',
    requests,
    concurrency: 1,
    warmupMs,
    durationMs,
    maxRequests: 5_000_000,
    acceptStatuses: [400, 401, 403, 429, 503],
  };
}
