// Assembles Usher from its configuration and runs it: store, migrations, bootstrap, HTTP server, admin socket.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { serve, type ServerType } from '@hono/node-server';
import { acquireLock, isLock, type DataDirLock } from './admin/lock.js';
import { startAdminSocket } from './admin/socket.js';
import { createPasswordHasher } from './auth/passwords.js';
import type { Config } from './config.js';
import { createApp, SCIM_PREFIX } from './http/app.js';
import type { Logger } from './http/logger.js';
import { createCursorCodec } from './scim/cursor.js';
import { migrate, openStore, type Store } from './store/index.js';
import { serverSecret } from './store/secrets.js';
import { createTenancyService, type TenancyService } from './tenancy/service.js';

export const PGLITE_SUBDIR = 'pgdata';

export class StartupError extends Error {
  override readonly name = 'StartupError';
}

export interface RunningServer {
  /** The address actually listened on (PORT=0 picks a free port). */
  readonly url: string;
  stop(): Promise<void>;
}

/** Opens the configured database; for PGlite, takes the data directory's lock first. */
export async function openConfiguredStore(config: Config, role: 'server' | 'cli'): Promise<{ store: Store; release: () => void }> {
  if (config.databaseUrl) {
    return { store: await openStore({ ...config, dataDir: undefined }), release: () => {} };
  }
  const lock = acquireLock(config.dataDir, role);
  if (!isLock(lock)) {
    throw new StartupError(
      `The data directory ${config.dataDir} is in use by another Usher process (pid ${lock.pid}, ${lock.role}). Stop it first, or set DATA_DIR to another directory.`,
    );
  }
  try {
    return { store: await openStore({ ...config, dataDir: join(config.dataDir, PGLITE_SUBDIR) }), release: () => lock.release() };
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
    const token = await tenancy.createToken(tenant.slug, 'bootstrap', config.bootstrap.token);
    if (token.created) logger.info('bootstrap token created', { tenant: tenant.slug, tokenId: token.info.id });
  }
}

export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const { store, release } = await openConfiguredStore(config, 'server');
  let http: ServerType | undefined;
  let admin: Server | undefined;
  let lock: DataDirLock | undefined = { release };
  try {
    const applied = await migrate(store);
    if (applied.length > 0) logger.info('migrations applied', { applied });
    const clock = () => new Date();
    const tenancy = createTenancyService({ store, clock, newId: randomUUID });
    await bootstrap(config, tenancy, logger);

    const app = createApp({
      store,
      clock,
      newId: randomUUID,
      passwords: createPasswordHasher(),
      scimBaseUrl: `${config.publicUrl}${SCIM_PREFIX}`,
      maxResults: config.maxResults,
      cursors: createCursorCodec(await serverSecret(store, 'list-cursor'), clock, config.cursorTtlSeconds),
      maxPayloadSize: config.maxPayloadSize,
      tenancy,
      logger,
    });
    if (!config.databaseUrl) admin = await startAdminSocket(config.dataDir, { store, tenancy });
    const address = await new Promise<{ port: number }>((resolve, reject) => {
      http = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, (info) => resolve(info));
      http.once('error', reject);
    });
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    const url = `http://${host}:${address.port}`;
    logger.info('listening', { url, database: store.kind, ...(store.kind === 'pglite' ? { dataDir: config.dataDir } : {}) });

    let stopping: Promise<void> | undefined;
    return {
      url,
      stop() {
        stopping ??= (async () => {
          const server = http as Server;
          // Stop accepting, let in-flight requests finish, then cut whatever is still open after the timeout.
          const closed = new Promise<void>((resolve) => server.close(() => resolve()));
          server.closeIdleConnections();
          const timer = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs);
          await closed;
          clearTimeout(timer);
          await new Promise<void>((resolve) => (admin ? admin.close(() => resolve()) : resolve()));
          await store.close();
          lock?.release();
          lock = undefined;
        })();
        return stopping;
      },
    };
  } catch (error) {
    (http as Server | undefined)?.close();
    admin?.close();
    await store.close();
    release();
    throw error;
  }
}
