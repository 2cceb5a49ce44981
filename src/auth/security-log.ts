// The security log (ASVS V7.1, V7.2): one JSON line per authentication decision, through the server's logger, naming
// the event, tenant, user, client address, user agent and request id. It never carries a secret: no password, token,
// link, and no user name as typed (people type passwords into that field); an account is named by its id.
import type { Logger } from '../http/logger.js';

export type SecurityEvent =
  | 'login.succeeded'
  | 'login.failed'
  | 'login.throttled'
  | 'login.passwordChangeRequired'
  | 'login.mfaRequired'
  | 'login.mfaEnrolmentRequired'
  | 'mfa.failed'
  | 'mfa.verified'
  | 'mfa.recoveryCodeUsed'
  | 'mfa.enrolmentStarted'
  | 'mfa.enabled'
  | 'mfa.replaced'
  | 'mfa.disabled'
  | 'mfa.reset'
  | 'mfa.recoveryCodesRenewed'
  | 'mfa.passwordCheckFailed'
  | 'auth.rateLimited'
  | 'account.lockedOut'
  | 'account.locked'
  | 'account.unlocked'
  | 'password.changed'
  | 'password.temporarySet'
  | 'password.notSet'
  | 'password.changeFailed'
  | 'password.reset'
  | 'password.resetFailed'
  | 'session.ended'
  | 'session.refused'
  | 'token.refused'
  | 'token.created'
  | 'token.revoked'
  | 'tenant.lastAdministratorRemoved'
  | 'stream.created'
  | 'stream.changed'
  | 'stream.deleted'
  | 'stream.statusChanged'
  | 'stream.deliveryFailed'
  | 'signingKey.rotated';

/** What a request tells about its sender: kept beside every event it causes. */
export interface RequestMeta {
  readonly requestId?: string;
  /** The client address, as the rate limits see it (TRUST_PROXY applied); undefined without a socket. */
  readonly address?: string;
  /** What the throttles count the address by (addressKey: an IPv6 address by its /64). */
  readonly addressKey?: string;
  readonly userAgent?: string;
}

/** Fields beside the request's: who (tenant and user ids) and why; never a secret. */
export interface SecurityFields {
  readonly tenant?: string | null;
  readonly userId?: string | null;
  readonly reason?: string;
  readonly [extra: string]: string | number | boolean | null | undefined;
}

export interface SecurityLog {
  record(event: SecurityEvent, meta: RequestMeta, fields?: SecurityFields): void;
}

/** Refusals and credentials made or withdrawn are warnings: they stay in the log at LOG_LEVEL=warn. */
const WARN: ReadonlySet<SecurityEvent> = new Set<SecurityEvent>([
  'login.failed',
  'login.throttled',
  'auth.rateLimited',
  'account.lockedOut',
  'password.changeFailed',
  'password.resetFailed',
  'mfa.failed',
  'mfa.passwordCheckFailed',
  'mfa.disabled',
  'mfa.reset',
  'session.refused',
  'token.refused',
  'token.created',
  'token.revoked',
  'tenant.lastAdministratorRemoved',
  // Where a tenant's changes are sent is as sensitive as a credential.
  'stream.created',
  'stream.changed',
  'stream.deleted',
  'stream.deliveryFailed',
  'signingKey.rotated',
]);

/** A user agent is the client's free text: bounded, so a request cannot write a long line. */
const MAX_USER_AGENT = 256;

/** The security log on `logger`; `counted` hears of each event too (the /metrics counter by event name). */
export function createSecurityLog(logger: Logger, counted?: (event: SecurityEvent) => void): SecurityLog {
  return {
    record(event, meta, fields = {}) {
      counted?.(event);
      const { tenant = null, userId = null, ...rest } = fields;
      const line = {
        event,
        tenant,
        userId,
        address: meta.address ?? null,
        userAgent: meta.userAgent === undefined ? null : meta.userAgent.slice(0, MAX_USER_AGENT),
        requestId: meta.requestId ?? null,
        ...rest,
      };
      if (WARN.has(event)) logger.warn('security', line);
      else logger.info('security', line);
    },
  };
}

export const silentSecurityLog: SecurityLog = { record() {} };
