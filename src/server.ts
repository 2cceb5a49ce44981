// Assembles Usher from its configuration and runs it: store, migrations, bootstrap, HTTP server, admin socket.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { acquireLock, isLock, tightenTree, type DataDirLock, type LockHolder } from './admin/lock.js';
import { startAdminSocket } from './admin/socket.js';
import type { Config } from './config.js';
import { createApp, type App } from './http/app.js';
import { closeLingering } from './http/lingering-close.js';
import { assembleAppDeps } from './http/assemble.js';
import { gracefulStop, type GracefulStop } from './http/graceful-stop.js';
import type { Logger } from './http/logger.js';
import { createFileTransport, createMailWorker, createSmtpTransport, type MailTransport, type MailWorker } from './mail/index.js';
import { observeStatements, withStatementLog } from './store/statement-log.js';
import { createMetrics } from './metrics/metrics.js';
import { selectMailQueueStats } from './mail/queries.js';
import { countPendingDeliveries, refreshEventStatistics } from './events/delivery-queries.js';
import { vacuumUsers } from './resources/users/queries.js';
import { createEventNotifier } from './events/notifier.js';
import { createSecurityLog } from './auth/security-log.js';
import { createPushWorker, type PushWorker } from './events/push-worker.js';
import { pruneEvents } from './events/retention.js';
import { createSigningKeys } from './events/signing-keys.js';
import { migrate, openStore, type Store } from './store/index.js';
import { settledWithin } from './settled-within.js';
import { serverSecret } from './store/secrets.js';
import { TenancyError, createTenancyService, type TenancyService } from './tenancy/service.js';

export const PGLITE_SUBDIR = 'pgdata';
/** However late the stop, the database is given this long to close cleanly (main.ts allows 900 ms past the bound). */
const STORE_CLOSE_MIN_MS = 300;
/**
 * How long a stop keeps idle keep-alive connections open: a request a client sent on one just as the stop began
 * is answered (with `Connection: close`) instead of being reset. Never more than half of SHUTDOWN_TIMEOUT_MS.
 */
const IDLE_GRACE_MS = 1_000;
/** The admin console `npm run build` made, beside this file in dist/. */
const CONSOLE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'console');

export class StartupError extends Error {
  override readonly name = 'StartupError';
}

/** Another live process holds the PGlite data directory. */
export class DataDirInUseError extends StartupError {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `The data directory ${dataDir} is in use by another Usher process (pid ${holder.pid}, ${holder.role}). Stop it first, or set DATA_DIR to another directory.`,
    );
  }
}

export interface RunningServer {
  /** The address actually listened on (PORT=0 picks a free port). */
  readonly url: string;
  stop(): Promise<void>;
}

/** The SMTP relay's host and port, without credentials, for the log. */
function smtpRelayOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}`;
}

/** Where DATABASE_URL points, without its credentials, for messages. */
/** Where a DATABASE_URL points, without its credentials: host:port/database. */
export function databaseLocation(url: string): string {
  const parsed = new URL(url);
  return `${parsed.host}${parsed.pathname}`;
}

/** Where people reach the server: PUBLIC_URL, or else the address it listens on (a wildcard host as loopback). */
export function publicUrlOf(config: Pick<Config, 'publicUrl' | 'host'>, port: number): string {
  if (config.publicUrl) return config.publicUrl;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

const reason = (error: unknown) => (error as NodeJS.ErrnoException).code ?? (error as Error).message;

/** Opens the configured database; for PGlite, takes the data directory's lock first. */
export async function openConfiguredStore(
  config: Config,
  role: 'server' | 'cli',
  /** The embedded database only: a backup to make the new database from (usher restore). */
  restore?: Uint8Array,
): Promise<{ store: Store; release: () => void }> {
  if (config.databaseUrl) {
    const store = await openStore({ ...config, dataDir: undefined });
    // postgres.js connects on first use: try it now, so an unreachable database is one clear line, not a stack.
    try {
      await store.query('select 1');
    } catch (error) {
      await store.close().catch(() => {});
      throw new StartupError(`Cannot use the database at ${databaseLocation(config.databaseUrl)} (DATABASE_URL): ${(error as Error).message}`, {
        cause: error,
      });
    }
    return { store, release: () => {} };
  }
  let lock;
  try {
    lock = acquireLock(config.dataDir, role);
  } catch (error) {
    throw new StartupError(`Cannot use the data directory ${config.dataDir} (DATA_DIR): ${reason(error)}.`, { cause: error });
  }
  if (!isLock(lock)) throw new DataDirInUseError(config.dataDir, lock);
  try {
    const store = await openStore({ ...config, dataDir: join(config.dataDir, PGLITE_SUBDIR), ...(restore ? { restore } : {}) });
    try {
      tightenTree(config.dataDir);
    } catch (error) {
      await store.close().catch(() => {});
      throw error;
    }
    return { store, release: () => lock.release() };
  } catch (error) {
    lock.release();
    throw error;
  }
}

async function bootstrap(config: Config, tenancy: TenancyService, logger: Logger): Promise<void> {
  if (!config.bootstrap) return;
  const { tenant, created } = await tenancy.createTenant(config.bootstrap.tenant);
  if (created) logger.info('bootstrap tenant created', { tenant: tenant.slug });
  if (config.bootstrap.token) {
    const token = await tenancy.createToken(tenant.slug, 'bootstrap', { secret: config.bootstrap.token }).catch((error: unknown) => {
      // The token is taken by another tenant: a configuration mistake to report in one line, not a crash.
      if (error instanceof TenancyError) throw new StartupError(`Invalid USHER_BOOTSTRAP_TOKEN: ${error.message}`, { cause: error });
      throw error;
    });
    if (token.created) logger.info('bootstrap token created', { tenant: tenant.slug, tokenId: token.info.id });
  }
}

/** Whether DATA_DIR holds an embedded database already (else opening it creates one). */
export function embeddedDatabaseExists(dataDir: string): boolean {
  return existsSync(join(dataDir, PGLITE_SUBDIR));
}

/** Milliseconds since `started`, whole: how long a step of start-up took, for its log line. */
const since = (started: number) => Math.round(performance.now() - started);

export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const startedAt = performance.now();
  // A new embedded database is created from nothing (tens of seconds on a small machine): say so, and time it.
  const creating = !config.databaseUrl && !embeddedDatabaseExists(config.dataDir);
  if (creating) logger.info('creating the embedded database', { dataDir: config.dataDir });
  const opened = await openConfiguredStore(config, 'server');
  const { release } = opened;
  // Every statement is counted for /metrics (and logged at debug); the mail queue's gauges read the bare store.
  const metrics = createMetrics({
    database: opened.store.kind,
    poolSize: config.databaseUrl ? config.databasePoolSize : 1,
    mailQueue: () => selectMailQueueStats(opened.store, new Date()),
    eventsPending: () => countPendingDeliveries(opened.store),
  });
  const observed = observeStatements(opened.store, metrics.statements);
  const store = config.logLevel === 'debug' ? withStatementLog(observed, logger) : observed;
  logger.info('database opened', {
    database: store.kind,
    ...(config.databaseUrl ? { at: databaseLocation(config.databaseUrl) } : { dataDir: config.dataDir, created: creating }),
    ms: since(startedAt),
  });
  let http: ServerType | undefined;
  let admin: Server | undefined;
  let mailer: MailWorker | undefined;
  let pusher: PushWorker | undefined;
  let mailTransport: MailTransport | undefined;
  let lock: DataDirLock | undefined = { release };
  try {
    const migrating = performance.now();
    const applied = await migrate(store, undefined, (name, ms) => logger.info('migration applied', { name, ms }));
    logger.info(applied.length > 0 ? 'migrations applied' : 'database is up to date', { applied: applied.length, ms: since(migrating) });
    const clock = () => new Date();
    const tenancy = createTenancyService({ store, clock, newId: randomUUID });
    await bootstrap(config, tenancy, logger);

    // Mail waits in the outbox until this worker delivers it: over SMTP_URL, or as .eml files for a developer.
    if (config.smtpUrl) {
      mailTransport = createSmtpTransport(config.smtpUrl);
    } else {
      mailTransport = createFileTransport(config.mailDir, logger);
      logger.warn('mail is written to files, not delivered: set SMTP_URL to deliver it', { mailDir: config.mailDir });
    }
    const startingMail = performance.now();
    mailer = createMailWorker({ store, transport: mailTransport, clock, logger, from: config.mailFrom, counted: metrics.mailAttempt });
    mailer.start();
    logger.info('mail worker started', {
      ...(config.smtpUrl ? { delivery: 'smtp', relay: smtpRelayOf(config.smtpUrl) } : { delivery: 'file', mailDir: config.mailDir }),
      ms: since(startingMail),
    });

    const cursorSecret = await serverSecret(store, 'list-cursor');
    // Without PUBLIC_URL the SCIM base URL is the address listened on, known only once listening (PORT=0):
    // the app is built right then, in the same tick, so no request can find it missing (that would be a 503).
    let app: App | undefined;
    let stopping: Promise<void> | undefined;
    let connections: GracefulStop | undefined;
    // Aborted when the stop begins: long work (a Bulk) ends after the operation in flight instead of holding the stop.
    const shutdown = new AbortController();
    const address = await new Promise<{ port: number }>((resolve, reject) => {
      http = serve(
        {
          fetch: async (request, env) => {
            if (!app) return new Response(null, { status: 503 });
            const response = await app.fetch(request, env);
            // Answered before the request body was read to its end (refused, or never needed): close the connection
            // with the answer instead of reading the rest, which may be endless, to reach the next request.
            if (!env.incoming.complete && 'shouldKeepAlive' in env.outgoing) {
              env.outgoing.shouldKeepAlive = false;
              closeLingering(env.outgoing.socket as Socket);
            }
            return response;
          },
          hostname: config.host,
          port: config.port,
        },
        (info) => resolve(info),
      );
      connections = gracefulStop(http as Server);
      http.once('error', (error: NodeJS.ErrnoException) =>
        reject(new StartupError(`Cannot listen on ${config.host}:${config.port} (HOST, PORT): ${error.code ?? error.message}.`, { cause: error })),
      );
    });
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    const url = `http://${host}:${address.port}`;
    const publicUrl = publicUrlOf(config, address.port);
    // Events wait in event_deliveries until this worker pushes them (push streams) or a receiver polls them.
    const startingEvents = performance.now();
    const workerSecurityLog = createSecurityLog(logger, metrics.securityEvent);
    const signingKeys = createSigningKeys({ store, clock });
    const eventNotifier = createEventNotifier();
    pusher = createPushWorker({
      store,
      clock,
      logger,
      signingKeys,
      issuer: publicUrl,
      allowHttpLoopback: config.events.allowHttpLoopback,
      timeoutMs: config.events.pushTimeoutMs,
      notifier: eventNotifier,
      counted: (outcome, delivery) => {
        metrics.eventPush(outcome);
        // A delivery given up on (refused by its receiver, or unreachable for a day) is a loss the tenant must hear of.
        if (outcome === 'failed') {
          workerSecurityLog.record('stream.deliveryFailed', {}, { tenant: delivery.tenantId, streamId: delivery.streamId, reason: delivery.error ?? 'unknown' });
        }
      },
      housekeeping: async () => {
        const pruned = await pruneEvents(store, clock(), config.events);
        for (const stream of pruned.disabled) logger.warn('event stream disabled', stream);
        // PostgreSQL's autovacuum keeps the planner's statistics and the users' visibility map; the embedded database
        // runs no autovacuum of its own.
        if (store.kind === 'pglite') {
          await refreshEventStatistics(store);
          await vacuumUsers(store);
        }
      },
    });
    pusher.start();
    logger.info('event push worker started', {
      retentionDays: config.events.retentionDays,
      maxPendingPerStream: config.events.maxPendingPerStream,
      ...(config.events.allowHttpLoopback ? { allowHttpLoopback: true } : {}),
      ms: since(startingEvents),
    });
    const deps = assembleAppDeps({
      signingKeys,
      eventNotifier,
      eventsAllowHttpLoopback: config.events.allowHttpLoopback,
      store,
      clock,
      newId: randomUUID,
      tenancy,
      logger,
      publicUrl,
      settings: config,
      cursorSecret,
      notifyMail: () => mailer?.notify(),
      consoleDir: CONSOLE_DIR,
      shutdown: shutdown.signal,
      metrics,
      ...(config.metricsToken ? { metricsToken: config.metricsToken } : {}),
    });
    app = createApp(deps);
    // The CLI's way in while this process holds the PGlite data directory.
    if (!config.databaseUrl) admin = await startAdminSocket(config.dataDir, deps);
    logger.info('listening', { url, database: store.kind, ...(store.kind === 'pglite' ? { dataDir: config.dataDir } : {}), startupMs: since(startedAt) });

    const adminServer = admin;
    return {
      url,
      stop() {
        stopping ??= (async () => {
          // Stop accepting; let requests in flight and a mail being sent finish; at SHUTDOWN_TIMEOUT_MS cut
          // whatever still runs: connections, and the SMTP send (its mail stays queued for the next start).
          const timeoutMs = config.shutdownTimeoutMs;
          const deadline = Date.now() + timeoutMs;
          shutdown.abort();
          const drained = Promise.all([
            connections!.stop(Math.min(IDLE_GRACE_MS, timeoutMs / 2)),
            new Promise<void>((resolve) => (adminServer ? adminServer.close(() => resolve()) : resolve())),
            mailer?.stop(),
            pusher?.stop(),
          ]);
          if (!(await settledWithin(drained, timeoutMs))) {
            logger.warn('stop timed out; closing what is still open', { shutdownTimeoutMs: timeoutMs });
            connections!.destroyAll();
            adminServer?.closeAllConnections();
            mailer?.abort();
            pusher?.abort();
            await drained;
          }
          await mailTransport?.close();
          // The database gets what is left of the bound (at least a moment to close cleanly): a statement still
          // running at the deadline is cut when the process exits, as by a kill, which the database survives.
          const closing = store.close();
          const closed = await settledWithin(closing, Math.max(STORE_CLOSE_MIN_MS, deadline - Date.now()));
          // A close that failed fails the stop, as it always has.
          if (closed) await closing;
          // Not closed: the lock stays, and names this process, which the next start will find gone.
          if (!closed) logger.warn('the database did not close within SHUTDOWN_TIMEOUT_MS; leaving it to the exit', { shutdownTimeoutMs: timeoutMs });
          else lock?.release();
          lock = undefined;
        })();
        return stopping;
      },
    };
  } catch (error) {
    (http as Server | undefined)?.close();
    admin?.close();
    await mailer?.stop();
    await pusher?.stop();
    await mailTransport?.close();
    await store.close();
    release();
    throw error;
  }
}
