import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

const TOKEN = 'usher_0123456789abcdefghijklmnopqrstuvwxyzABCDEF';

/** The message loadConfig throws for this environment (fails the test when it does not throw). */
function failure(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({})).toEqual({
      host: '127.0.0.1',
      port: 8080,
      dataDir: resolve('./data'),
      databaseUrl: undefined,
      databasePoolSize: 10,
      statementTimeoutMs: 5000,
      publicUrl: undefined,
      logLevel: 'info',
      maxPayloadSize: 1_048_576,
      maxResults: 1000,
      cursorTtlSeconds: 3600,
      shutdownTimeoutMs: 10_000,
      limits: { authFailuresPerMinute: 20, scimRequestsPerSecond: 0, trustProxy: 0 },
      smtpUrl: undefined,
      mailDir: resolve('./data/mail'),
      mailFrom: 'Usher <no-reply@usher.invalid>',
      auth: {
        sessionIdleSeconds: 1800,
        sessionAbsoluteSeconds: 43_200,
        lockoutThreshold: 50,
        lockoutSeconds: 900,
        lockoutWindowSeconds: 3600,
        throttleThreshold: 5,
        throttleSeconds: 60,
        throttleMaxSeconds: 900,
        currentPasswordAttempts: 3,
        resetLinkSeconds: 3600,
        welcomeLinkSeconds: 604_800,
        changeTokenSeconds: 600,
        temporaryPasswordSeconds: 259_200,
        passwordPolicy: { minLength: 12, maxLength: 256 },
        hashQueueMax: 32,
        accountMailLimit: 5,
      },
      bootstrap: undefined,
      events: { allowHttpLoopback: false, retentionDays: 7, maxPendingPerStream: 100_000, pushTimeoutMs: 10_000 },
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      HOST: '0.0.0.0',
      PORT: '0',
      DATA_DIR: 'var/usher',
      DATABASE_URL: 'postgresql://usher:secret@db.internal:5432/usher',
      DATABASE_POOL_SIZE: '25',
      STATEMENT_TIMEOUT_MS: '0',
      PUBLIC_URL: 'https://scim.example.com/',
      LOG_LEVEL: 'warn',
      MAX_PAYLOAD_SIZE: '2048',
      MAX_RESULTS: '200',
      CURSOR_TTL_SECONDS: '60',
      SHUTDOWN_TIMEOUT_MS: '1500',
      AUTH_RATE_LIMIT: '5',
      SCIM_RATE_LIMIT: '25',
      TRUST_PROXY: '1',
      SMTP_URL: 'smtp://mailer:s3cret@mail.example.com:587',
      MAIL_DIR: '/var/spool/usher',
      MAIL_FROM: 'Acme Portal <portal@acme.example>',
      SESSION_IDLE_MINUTES: '10',
      SESSION_MAX_HOURS: '2',
      LOCKOUT_THRESHOLD: '30',
      LOCKOUT_MINUTES: '0',
      LOGIN_THROTTLE_THRESHOLD: '4',
      LOGIN_THROTTLE_SECONDS: '30',
      LOGIN_THROTTLE_MAX_MINUTES: '60',
      CURRENT_PASSWORD_ATTEMPTS: '5',
      RESET_LINK_MINUTES: '30',
      WELCOME_LINK_DAYS: '3',
      TEMP_PASSWORD_HOURS: '24',
      PASSWORD_MIN_LENGTH: '14',
      PASSWORD_MAX_LENGTH: '128',
      HASH_QUEUE_MAX: '0',
      ACCOUNT_MAIL_LIMIT: '2',
      USHER_BOOTSTRAP_TENANT: 'acme',
      USHER_BOOTSTRAP_TOKEN: TOKEN,
      EVENTS_ALLOW_HTTP_LOOPBACK: 'true',
      EVENT_RETENTION_DAYS: '3',
      EVENT_STREAM_MAX_PENDING: '500',
      EVENT_PUSH_TIMEOUT_MS: '2500',
    });
    expect(config).toEqual({
      host: '0.0.0.0',
      port: 0,
      dataDir: resolve('var/usher'),
      databaseUrl: 'postgresql://usher:secret@db.internal:5432/usher',
      databasePoolSize: 25,
      statementTimeoutMs: 0,
      publicUrl: 'https://scim.example.com',
      logLevel: 'warn',
      maxPayloadSize: 2048,
      maxResults: 200,
      cursorTtlSeconds: 60,
      shutdownTimeoutMs: 1500,
      limits: { authFailuresPerMinute: 5, scimRequestsPerSecond: 25, trustProxy: 1 },
      smtpUrl: 'smtp://mailer:s3cret@mail.example.com:587',
      mailDir: '/var/spool/usher',
      mailFrom: 'Acme Portal <portal@acme.example>',
      auth: {
        sessionIdleSeconds: 600,
        sessionAbsoluteSeconds: 7200,
        lockoutThreshold: 30,
        lockoutSeconds: 0,
        lockoutWindowSeconds: 3600,
        throttleThreshold: 4,
        throttleSeconds: 30,
        throttleMaxSeconds: 3600,
        currentPasswordAttempts: 5,
        resetLinkSeconds: 1800,
        welcomeLinkSeconds: 259_200,
        changeTokenSeconds: 600,
        temporaryPasswordSeconds: 86_400,
        passwordPolicy: { minLength: 14, maxLength: 128 },
        hashQueueMax: 0,
        accountMailLimit: 2,
      },
      bootstrap: { tenant: 'acme', token: TOKEN },
      events: { allowHttpLoopback: true, retentionDays: 3, maxPendingPerStream: 500, pushTimeoutMs: 2500 },
    });
  });

  it('names SMTP_URL without echoing it (it may hold a password)', () => {
    expect(() => loadConfig({ SMTP_URL: 'http://user:hunter2@mail' })).toThrow(/^Invalid SMTP_URL: must be an smtp/);
    try {
      loadConfig({ SMTP_URL: 'http://user:hunter2@mail' });
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter2');
    }
  });

  it('refuses a maximum password length below the minimum', () => {
    expect(() => loadConfig({ PASSWORD_MIN_LENGTH: '20', PASSWORD_MAX_LENGTH: '16' })).toThrow(/^Invalid PASSWORD_MAX_LENGTH/);
  });

  it('refuses an account-wide lockout one address could reach, and a throttle cap below its first delay', () => {
    expect(() => loadConfig({ LOCKOUT_THRESHOLD: '5' })).toThrow(/^Invalid LOCKOUT_THRESHOLD: it must be larger than LOGIN_THROTTLE_THRESHOLD/);
    expect(() => loadConfig({ LOCKOUT_THRESHOLD: '10', LOGIN_THROTTLE_THRESHOLD: '10' })).toThrow(/^Invalid LOCKOUT_THRESHOLD/);
    expect(loadConfig({ LOCKOUT_THRESHOLD: '11', LOGIN_THROTTLE_THRESHOLD: '10' }).auth.lockoutThreshold).toBe(11);
    expect(() => loadConfig({ LOGIN_THROTTLE_SECONDS: '600', LOGIN_THROTTLE_MAX_MINUTES: '5' })).toThrow(/^Invalid LOGIN_THROTTLE_MAX_MINUTES/);
    expect(() => loadConfig({ LOGIN_THROTTLE_THRESHOLD: '0' })).toThrow(/^Invalid LOGIN_THROTTLE_THRESHOLD/);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '', LOG_LEVEL: '', USHER_BOOTSTRAP_TENANT: '' })).toMatchObject({
      port: 8080,
      databaseUrl: undefined,
      logLevel: 'info',
      bootstrap: undefined,
    });
  });

  it('turns each rate limit off with 0', () => {
    expect(loadConfig({ AUTH_RATE_LIMIT: '0', SCIM_RATE_LIMIT: '0', TRUST_PROXY: '0' }).limits).toEqual({
      authFailuresPerMinute: 0,
      scimRequestsPerSecond: 0,
      trustProxy: 0,
    });
  });

  it('takes a bootstrap tenant without a token', () => {
    expect(loadConfig({ USHER_BOOTSTRAP_TENANT: 'acme' }).bootstrap).toEqual({ tenant: 'acme', token: undefined });
  });

  it('accepts postgres:// as well as postgresql://', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres' }).databaseUrl).toBe(
      'postgres://postgres@127.0.0.1:5432/postgres',
    );
  });

  const invalid: Array<[string, NodeJS.ProcessEnv]> = [
    ['PORT', { PORT: 'eighty' }],
    ['PORT', { PORT: '65536' }],
    ['PORT', { PORT: '-1' }],
    ['PORT', { PORT: '80.5' }],
    ['PORT', { PORT: ' ' }],
    ['PORT', { PORT: '1e3' }],
    ['PORT', { PORT: '0x50' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://localhost/usher' }],
    ['DATABASE_URL', { DATABASE_URL: 'localhost:5432' }],
    ['DATABASE_POOL_SIZE', { DATABASE_POOL_SIZE: '0' }],
    ['DATABASE_POOL_SIZE', { DATABASE_POOL_SIZE: '1001' }],
    ['STATEMENT_TIMEOUT_MS', { STATEMENT_TIMEOUT_MS: '5s' }],
    ['STATEMENT_TIMEOUT_MS', { STATEMENT_TIMEOUT_MS: '86400001' }],
    ['PUBLIC_URL', { PUBLIC_URL: 'scim.example.com' }],
    ['PUBLIC_URL', { PUBLIC_URL: 'ftp://scim.example.com' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'verbose' }],
    ['MAX_PAYLOAD_SIZE', { MAX_PAYLOAD_SIZE: '0' }],
    ['MAX_RESULTS', { MAX_RESULTS: '10001' }],
    ['CURSOR_TTL_SECONDS', { CURSOR_TTL_SECONDS: '86401' }],
    ['SHUTDOWN_TIMEOUT_MS', { SHUTDOWN_TIMEOUT_MS: 'soon' }],
    ['AUTH_RATE_LIMIT', { AUTH_RATE_LIMIT: '-1' }],
    ['AUTH_RATE_LIMIT', { AUTH_RATE_LIMIT: 'off' }],
    ['SCIM_RATE_LIMIT', { SCIM_RATE_LIMIT: '2.5' }],
    ['SCIM_RATE_LIMIT', { SCIM_RATE_LIMIT: '100001' }],
    // A proxy count, not a boolean or an address list: "true" would say nothing about which hop to believe.
    ['TRUST_PROXY', { TRUST_PROXY: 'true' }],
    ['TRUST_PROXY', { TRUST_PROXY: '11' }],
    ['USHER_BOOTSTRAP_TENANT', { USHER_BOOTSTRAP_TENANT: 'Acme Corp' }],
    ['USHER_BOOTSTRAP_TENANT', { USHER_BOOTSTRAP_TENANT: '-acme' }],
    ['USHER_BOOTSTRAP_TOKEN', { USHER_BOOTSTRAP_TENANT: 'acme', USHER_BOOTSTRAP_TOKEN: 'too-short' }],
    ['USHER_BOOTSTRAP_TOKEN', { USHER_BOOTSTRAP_TENANT: 'acme', USHER_BOOTSTRAP_TOKEN: 'x'.repeat(513) }],
    // A token with a space or a quote could never be sent as `Authorization: Bearer <token>` (RFC 6750 §2.1).
    ['USHER_BOOTSTRAP_TOKEN', { USHER_BOOTSTRAP_TENANT: 'acme', USHER_BOOTSTRAP_TOKEN: `${TOKEN} with spaces` }],
    ['USHER_BOOTSTRAP_TOKEN', { USHER_BOOTSTRAP_TENANT: 'acme', USHER_BOOTSTRAP_TOKEN: `${TOKEN}"` }],
    ['USHER_BOOTSTRAP_TOKEN', { USHER_BOOTSTRAP_TOKEN: TOKEN }],
  ];

  it.each(invalid)('names %s when it is invalid (%o)', (variable, env) => {
    const message = failure(env);
    expect(message.startsWith(`Invalid ${variable}: `)).toBe(true);
    expect(message).not.toContain('\n');
  });

  it('never echoes a secret value in its message', () => {
    const password = 'hunter2-very-secret';
    expect(failure({ DATABASE_URL: `mysql://usher:${password}@db/usher` })).not.toContain(password);
    expect(failure({ USHER_BOOTSTRAP_TENANT: 'acme', USHER_BOOTSTRAP_TOKEN: 'short-secret' })).not.toContain('short-secret');
  });

  it('reads process.env when given nothing', () => {
    const saved = process.env.MAX_RESULTS;
    process.env.MAX_RESULTS = '42';
    try {
      expect(loadConfig().maxResults).toBe(42);
    } finally {
      if (saved === undefined) delete process.env.MAX_RESULTS;
      else process.env.MAX_RESULTS = saved;
    }
  });
});
