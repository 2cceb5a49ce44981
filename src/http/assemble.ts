// Assembles what the app depends on from a store and the settings: one place, for the server, the CLI, tests and the benchmark.
import { createAccountMailer, type AccountMailer } from '../auth/account-mail.js';
import { accountHistoryEvents } from '../auth/history-events.js';
import { createMfaService } from '../auth/mfa.js';
import { createPasswordHasher, type PasswordHasher } from '../auth/passwords.js';
import { createSecurityLog } from '../auth/security-log.js';
import { createAuthService, type AuthSettings } from '../auth/service.js';
import { createCursorCodec } from '../scim/cursor.js';
import { userData } from '../resources/resource-events.js';
import { createFullFormHints } from '../events/recorder.js';
import type { Store } from '../store/index.js';
import type { TenancyService } from '../tenancy/service.js';
import { withTokenCache } from '../tenancy/token-cache.js';
import { SCIM_PREFIX, type AppDeps } from './app.js';
import type { Logger } from './logger.js';
import { DEFAULT_RATE_LIMITS, type RateLimits } from './middleware/rate-limit.js';
import { createMetrics, type Metrics } from '../metrics/metrics.js';
import { createEventNotifier, type EventNotifier } from '../events/notifier.js';
import { createSigningKeys, type SigningKeys } from '../events/signing-keys.js';

export interface AppSettings {
  readonly maxResults: number;
  readonly maxPayloadSize: number;
  readonly cursorTtlSeconds: number;
  readonly auth: AuthSettings;
  /** Left out: DEFAULT_RATE_LIMITS. */
  readonly limits?: RateLimits;
}

export interface AssembleInput {
  readonly store: Store;
  readonly clock: () => Date;
  readonly newId: () => string;
  /** The app's is this one with its API tokens served from memory (withTokenCache): revoke through the app's. */
  readonly tenancy: TenancyService;
  readonly logger: Logger;
  /** Where people reach this server, without a trailing slash: SCIM locations and the links in mail start with it. */
  readonly publicUrl: string;
  readonly settings: AppSettings;
  /** The key list cursors are signed with: serverSecret(store, 'list-cursor'). */
  readonly cursorSecret: Uint8Array;
  /** The mail worker's notify(); leave it out where no worker runs (the mail then waits in the outbox). */
  readonly notifyMail?: () => void;
  readonly passwords?: PasswordHasher;
  /** The built admin console, dist/console; leave it out to serve none. */
  readonly consoleDir?: string;
  /** Aborted when the server begins to stop: long work (a Bulk) ends after the operation in flight. */
  readonly shutdown?: AbortSignal;
  /** The server's metrics (with its database and mail queue); left out: metrics of this app alone. */
  readonly metrics?: Metrics;
  /** METRICS_TOKEN: GET /metrics is served to whoever presents it; left out: not served. */
  readonly metricsToken?: string;
  /** EVENTS_ALLOW_HTTP_LOOPBACK: event streams may push to http://127.0.0.1, ::1 or localhost. Left out: false. */
  readonly eventsAllowHttpLoopback?: boolean;
  /** Resolves receivers' host names (tests give names their own addresses); left out: the system resolver. */
  readonly resolveHost?: (host: string) => Promise<readonly string[]>;
  /** The SET signing keys (one per server, shared with the push worker); left out: made here. */
  readonly signingKeys?: SigningKeys;
  /** Shared with the push worker; left out: one for this app alone. */
  readonly eventNotifier?: EventNotifier;
}

export function assembleAppDeps(input: AssembleInput): AppDeps {
  const { store, clock, newId, tenancy, logger, publicUrl, settings } = input;
  const passwords = input.passwords ?? createPasswordHasher({ maxWaiting: settings.auth.hashQueueMax });
  const metrics = input.metrics ?? createMetrics();
  // Deliveries written by a request are announced to the push worker and long polls once it is answered (committed);
  // what another process writes is found by their next look, within a second.
  const eventNotifier = input.eventNotifier ?? createEventNotifier();
  let unannounced = false;
  const eventHints = createFullFormHints(undefined, () => {
    unannounced = true;
  });
  // The /auth rate limit refuses through the security log (auth.rateLimited): count it as the SCIM limit's refusals are.
  const securityLog = createSecurityLog(logger, (event) => {
    metrics.securityEvent(event);
    if (event === 'auth.rateLimited') metrics.rateLimited('auth');
  });
  const auth = createAuthService({
    store,
    clock,
    newId,
    passwords,
    settings: settings.auth,
    // The mailer needs the auth service (for its links), so the events find it once both are built.
    events: accountHistoryEvents({
      newId,
      lockoutSeconds: settings.auth.lockoutSeconds,
      mailer: () => accountMail,
      userData: (q, tenantId, id) => userData(q, tenantId, `${publicUrl}${SCIM_PREFIX}`, id)(),
      eventHints,
    }),
    securityLog,
  });
  const accountMail: AccountMailer = createAccountMailer({
    auth,
    newId,
    publicUrl,
    resetLinkSeconds: settings.auth.resetLinkSeconds,
    welcomeLinkSeconds: settings.auth.welcomeLinkSeconds,
    limitPerHour: settings.auth.accountMailLimit,
    notify: input.notifyMail ?? (() => {}),
  });
  return {
    store,
    clock,
    newId,
    passwords,
    auth,
    accountMail,
    scimBaseUrl: `${publicUrl}${SCIM_PREFIX}`,
    maxResults: settings.maxResults,
    maxPayloadSize: settings.maxPayloadSize,
    limits: settings.limits ?? DEFAULT_RATE_LIMITS,
    cursors: createCursorCodec(input.cursorSecret, clock, settings.cursorTtlSeconds),
    tenancy: withTokenCache(tenancy, { store, clock, log: logger }),
    logger,
    securityLog,
    eventHints,
    mfa: createMfaService({ store, clock, newId, auth, mailer: () => accountMail, securityLog }),
    consoleDir: input.consoleDir,
    shutdown: input.shutdown,
    metrics,
    metricsToken: input.metricsToken,
    signingKeys: input.signingKeys ?? createSigningKeys({ store, clock }),
    receiverUrlPolicy: { allowHttpLoopback: input.eventsAllowHttpLoopback ?? false, ...(input.resolveHost ? { resolve: input.resolveHost } : {}) },
    eventNotifier,
    announceEvents: () => {
      if (!unannounced) return;
      unannounced = false;
      eventNotifier.notify();
    },
  };
}
