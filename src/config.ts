// The server's configuration: the only reader of process.env, one zod schema, one clear line per invalid variable.
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { DEFAULT_AUTH_SETTINGS, type AuthSettings } from './auth/service.js';
import type { RateLimits } from './http/middleware/rate-limit.js';

// Decimal digits only: Number() would also take ' ', '1e3' and '0x10', and ' ' would quietly mean port 0.
const digits = z.string().regex(/^\d+$/, 'must be a whole number').transform(Number);
const port = digits.pipe(z.number().int().min(0).max(65535));
const positiveInt = digits.pipe(z.number().int().positive());
const positiveIntMax = (max: number) => digits.pipe(z.number().int().positive().max(max));

const envSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(8080),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATABASE_POOL_SIZE: positiveIntMax(1000).default(10),
  // 0 turns the limit off, as it does in PostgreSQL; at most a day.
  STATEMENT_TIMEOUT_MS: digits.pipe(z.number().int().min(0).max(86_400_000)).default(5000),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  MAX_PAYLOAD_SIZE: positiveInt.default(1_048_576),
  MAX_RESULTS: positiveIntMax(10_000).default(1000),
  CURSOR_TTL_SECONDS: positiveIntMax(86_400).default(3600),
  SHUTDOWN_TIMEOUT_MS: positiveInt.default(10_000),
  AUTH_RATE_LIMIT: digits.pipe(z.number().int().min(0).max(100_000)).default(20),
  SCIM_RATE_LIMIT: digits.pipe(z.number().int().min(0).max(100_000)).default(0),
  TRUST_PROXY: digits.pipe(z.number().int().min(0).max(10)).default(0),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^\s]+$/, 'must be an smtp:// or smtps:// URL')
    .optional(),
  MAIL_DIR: z.string().min(1).optional(),
  MAIL_FROM: z.string().min(3).max(320).regex(/^[^\r\n]+$/, 'must be one line').default('Usher <no-reply@usher.invalid>'),
  SESSION_IDLE_MINUTES: positiveIntMax(7 * 24 * 60).default(30),
  SESSION_MAX_HOURS: positiveIntMax(30 * 24).default(12),
  LOCKOUT_THRESHOLD: positiveIntMax(1000).default(DEFAULT_AUTH_SETTINGS.lockoutThreshold),
  LOCKOUT_MINUTES: digits.pipe(z.number().int().min(0).max(7 * 24 * 60)).default(15),
  LOGIN_THROTTLE_THRESHOLD: positiveIntMax(100).default(DEFAULT_AUTH_SETTINGS.throttleThreshold),
  LOGIN_THROTTLE_SECONDS: positiveIntMax(3600).default(DEFAULT_AUTH_SETTINGS.throttleSeconds),
  LOGIN_THROTTLE_MAX_MINUTES: positiveIntMax(24 * 60).default(DEFAULT_AUTH_SETTINGS.throttleMaxSeconds / 60),
  CURRENT_PASSWORD_ATTEMPTS: positiveIntMax(100).default(DEFAULT_AUTH_SETTINGS.currentPasswordAttempts),
  RESET_LINK_MINUTES: positiveIntMax(7 * 24 * 60).default(60),
  WELCOME_LINK_DAYS: positiveIntMax(90).default(7),
  TEMP_PASSWORD_HOURS: positiveIntMax(90 * 24).default(DEFAULT_AUTH_SETTINGS.temporaryPasswordSeconds / 3600),
  PASSWORD_MIN_LENGTH: digits.pipe(z.number().int().min(8).max(256)).default(12),
  PASSWORD_MAX_LENGTH: digits.pipe(z.number().int().min(16).max(1024)).default(256),
  HASH_QUEUE_MAX: digits.pipe(z.number().int().min(0).max(100_000)).default(DEFAULT_AUTH_SETTINGS.hashQueueMax),
  ACCOUNT_MAIL_LIMIT: positiveIntMax(1000).default(DEFAULT_AUTH_SETTINGS.accountMailLimit),
  USHER_BOOTSTRAP_TENANT: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a slug: lower-case letters, digits and hyphens')
    .optional(),
  // The characters of an RFC 6750 bearer token (b64token): any other token could never be presented.
  USHER_BOOTSTRAP_TOKEN: z
    .string()
    .min(32, 'must be at least 32 characters')
    .max(512, 'must be at most 512 characters')
    .regex(/^[A-Za-z0-9\-._~+/]+=*$/, 'must use only letters, digits and - . _ ~ + / (then = padding)')
    .optional(),
  EVENTS_ALLOW_HTTP_LOOPBACK: z.enum(['true', 'false']).default('false'),
  EVENT_RETENTION_DAYS: positiveIntMax(365).default(7),
  EVENT_STREAM_MAX_PENDING: positiveIntMax(100_000_000).default(100_000),
  EVENT_PUSH_TIMEOUT_MS: digits.pipe(z.number().int().min(100).max(120_000)).default(10_000),
  // The bearer token /metrics asks for; without it /metrics is not served.
  METRICS_TOKEN: z
    .string()
    .min(32, 'must be at least 32 characters')
    .max(512, 'must be at most 512 characters')
    .regex(/^[A-Za-z0-9\-._~+/]+=*$/, 'must use only letters, digits and - . _ ~ + / (then = padding)')
    .optional(),
});

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly databasePoolSize: number;
  /** PostgreSQL cancels a statement that runs longer (ms; 0: no limit); PGlite cannot interrupt one. */
  readonly statementTimeoutMs: number;
  /** PUBLIC_URL without a trailing slash; undefined means the address the server actually listens on. */
  readonly publicUrl: string | undefined;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  readonly maxPayloadSize: number;
  readonly maxResults: number;
  readonly cursorTtlSeconds: number;
  readonly shutdownTimeoutMs: number;
  /** AUTH_RATE_LIMIT, SCIM_RATE_LIMIT and TRUST_PROXY. */
  readonly limits: RateLimits;
  readonly auth: AuthSettings;
  /** SMTP relay for outgoing mail; without it mail is written as .eml files under mailDir. */
  readonly smtpUrl: string | undefined;
  /** Where mail is written without SMTP_URL (MAIL_DIR, default DATA_DIR/mail), whichever the database. */
  readonly mailDir: string;
  readonly mailFrom: string;
  readonly bootstrap: { readonly tenant: string; readonly token: string | undefined } | undefined;
  /** The bearer token GET /metrics asks for (METRICS_TOKEN); undefined: /metrics is not served. */
  readonly metricsToken: string | undefined;
  readonly events: EventSettings;
}

/** Event delivery (RFC 8935 push, RFC 8936 poll) and how much of it is kept. */
export interface EventSettings {
  /** EVENTS_ALLOW_HTTP_LOOPBACK: push receivers may be http:// on the loopback address (tests, a receiver beside Usher). */
  readonly allowHttpLoopback: boolean;
  /** EVENT_RETENTION_DAYS: events are kept at most this long; a stream with an older one waiting is disabled. */
  readonly retentionDays: number;
  /** EVENT_STREAM_MAX_PENDING: a stream with more deliveries waiting is disabled. */
  readonly maxPendingPerStream: number;
  /** EVENT_PUSH_TIMEOUT_MS: bounds connecting to a receiver and each wait for its answer. */
  readonly pushTimeoutMs: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads the configuration from an environment; throws ConfigError naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input = Object.fromEntries(
    Object.keys(envSchema.shape).map((key) => [key, env[key] === '' ? undefined : env[key]]),
  );
  const parsed = envSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    throw new ConfigError(`Invalid ${variable}: ${issue.message}`);
  }
  const e = parsed.data;
  if (e.PASSWORD_MAX_LENGTH < e.PASSWORD_MIN_LENGTH) {
    throw new ConfigError('Invalid PASSWORD_MAX_LENGTH: it must not be less than PASSWORD_MIN_LENGTH');
  }
  // Otherwise whoever knows a user name could lock the account for everyone from one address.
  if (e.LOCKOUT_THRESHOLD <= e.LOGIN_THROTTLE_THRESHOLD) {
    throw new ConfigError('Invalid LOCKOUT_THRESHOLD: it must be larger than LOGIN_THROTTLE_THRESHOLD (several times larger: the account-wide lock is for failures from many addresses)');
  }
  if (e.LOGIN_THROTTLE_MAX_MINUTES * 60 < e.LOGIN_THROTTLE_SECONDS) {
    throw new ConfigError('Invalid LOGIN_THROTTLE_MAX_MINUTES: it must not be shorter than LOGIN_THROTTLE_SECONDS');
  }
  if (e.USHER_BOOTSTRAP_TOKEN && !e.USHER_BOOTSTRAP_TENANT) {
    throw new ConfigError('Invalid USHER_BOOTSTRAP_TOKEN: it needs USHER_BOOTSTRAP_TENANT to say which tenant it is for');
  }
  return {
    host: e.HOST,
    port: e.PORT,
    dataDir: resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    statementTimeoutMs: e.STATEMENT_TIMEOUT_MS,
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    logLevel: e.LOG_LEVEL,
    maxPayloadSize: e.MAX_PAYLOAD_SIZE,
    maxResults: e.MAX_RESULTS,
    cursorTtlSeconds: e.CURSOR_TTL_SECONDS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    limits: { authFailuresPerMinute: e.AUTH_RATE_LIMIT, scimRequestsPerSecond: e.SCIM_RATE_LIMIT, trustProxy: e.TRUST_PROXY },
    smtpUrl: e.SMTP_URL,
    mailDir: resolve(e.MAIL_DIR ?? join(e.DATA_DIR, 'mail')),
    mailFrom: e.MAIL_FROM,
    auth: {
      ...DEFAULT_AUTH_SETTINGS,
      sessionIdleSeconds: e.SESSION_IDLE_MINUTES * 60,
      sessionAbsoluteSeconds: e.SESSION_MAX_HOURS * 3600,
      lockoutThreshold: e.LOCKOUT_THRESHOLD,
      lockoutSeconds: e.LOCKOUT_MINUTES * 60,
      throttleThreshold: e.LOGIN_THROTTLE_THRESHOLD,
      throttleSeconds: e.LOGIN_THROTTLE_SECONDS,
      throttleMaxSeconds: e.LOGIN_THROTTLE_MAX_MINUTES * 60,
      currentPasswordAttempts: e.CURRENT_PASSWORD_ATTEMPTS,
      resetLinkSeconds: e.RESET_LINK_MINUTES * 60,
      welcomeLinkSeconds: e.WELCOME_LINK_DAYS * 86_400,
      temporaryPasswordSeconds: e.TEMP_PASSWORD_HOURS * 3600,
      passwordPolicy: { minLength: e.PASSWORD_MIN_LENGTH, maxLength: e.PASSWORD_MAX_LENGTH },
      hashQueueMax: e.HASH_QUEUE_MAX,
      accountMailLimit: e.ACCOUNT_MAIL_LIMIT,
    },
    bootstrap: e.USHER_BOOTSTRAP_TENANT
      ? { tenant: e.USHER_BOOTSTRAP_TENANT, token: e.USHER_BOOTSTRAP_TOKEN }
      : undefined,
    metricsToken: e.METRICS_TOKEN,
    events: {
      allowHttpLoopback: e.EVENTS_ALLOW_HTTP_LOOPBACK === 'true',
      retentionDays: e.EVENT_RETENTION_DAYS,
      maxPendingPerStream: e.EVENT_STREAM_MAX_PENDING,
      pushTimeoutMs: e.EVENT_PUSH_TIMEOUT_MS,
    },
  };
}
