// The real Hono app on a real database, with one tenant and its API token, for tests that speak HTTP to it.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { PasswordHasher } from '../../src/auth/passwords.js';
import { DEFAULT_AUTH_SETTINGS, type AuthSettings } from '../../src/auth/service.js';
import { createApp, type App } from '../../src/http/app.js';
import { assembleAppDeps } from '../../src/http/assemble.js';
import { silentLogger, type Logger } from '../../src/http/logger.js';
import { DEFAULT_RATE_LIMITS, type RateLimits } from '../../src/http/middleware/rate-limit.js';
import { serverSecret } from '../../src/store/secrets.js';
import type { Store } from '../../src/store/index.js';
import { createTenancyService, type TenancyService } from '../../src/tenancy/service.js';
import { openStore } from '../../src/store/index.js';
import { createTestDatabase, type TestDatabase } from './database.js';

async function openSecondStore(other: TestContext): Promise<TestDatabase> {
  if (!other.databaseUrl) throw new Error('a second app on one database needs PostgreSQL');
  const store = await openStore({ databaseUrl: other.databaseUrl, databasePoolSize: 8, dataDir: undefined });
  return { store, url: other.databaseUrl, close: () => store.close() };
}

export const PUBLIC_URL = 'http://usher.test';
/** The console `npm test` built first (pretest). */
const CONSOLE_DIR = fileURLToPath(new URL('../../dist/console', import.meta.url));
export const BASE = `${PUBLIC_URL}/scim/v2`;
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

export interface ScimResponse {
  readonly status: number;
  readonly headers: Headers;
  // Tests read arbitrary JSON; `any` keeps assertions short.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
}

export interface Client {
  readonly token: string;
  readonly tenantId: string;
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ScimResponse>;
}

export interface TestContext {
  readonly app: App;
  /** The PostgreSQL URL of this context's database; undefined on PGlite. */
  readonly databaseUrl: string | undefined;
  readonly store: Store;
  readonly tenancy: TenancyService;
  /** A client of tenant "acme", authenticated with an API token. */
  readonly client: Client;
  /** Creates another tenant with its own token. */
  newTenant(slug: string, options?: NewTenantOptions): Promise<Client>;
  close(): Promise<void>;
}

export interface NewTenantOptions {
  /** Remove the personas every tenant starts with, for tests that count a tenant's groups. */
  readonly withoutPersonas?: boolean;
}

export interface TestOptions {
  readonly maxResults?: number;
  readonly maxPayloadSize?: number;
  readonly cursorTtlSeconds?: number;
  readonly clock?: () => Date;
  readonly auth?: Partial<AuthSettings>;
  readonly limits?: Partial<RateLimits>;
  /** PostgreSQL only: a second app, with its own connection pool, on the database of another context (a second server). */
  readonly shareDatabaseOf?: TestContext;
  readonly logger?: Logger;
  /** Called after a change that queued mail commits (a mail worker's notify). */
  readonly notifyMail?: () => void;
  /** The server's stop signal (see AssembleInput.shutdown). */
  readonly shutdown?: AbortSignal;
  /** The app's password hasher in place of the one the settings make (e.g. a real one that records its calls). */
  readonly passwords?: PasswordHasher;
  /** Wraps the store the app and the tenancy service use (e.g. to watch its transactions); `store` stays the bare one. */
  readonly wrapStore?: (store: Store) => Store;
  /** PostgreSQL's statement_timeout (STATEMENT_TIMEOUT_MS) for this context's store. */
  readonly statementTimeoutMs?: number;
  /** METRICS_TOKEN: GET /metrics is served to whoever presents it. */
  readonly metricsToken?: string;
  /** EVENTS_ALLOW_HTTP_LOOPBACK; true unless a test says otherwise (receivers in tests listen on 127.0.0.1). */
  readonly eventsAllowHttpLoopback?: boolean;
  /** Resolves receivers' host names in place of the system resolver. */
  readonly resolveHost?: (host: string) => Promise<readonly string[]>;
}

export async function createTestContext(options: TestOptions = {}): Promise<TestContext> {
  const database = options.shareDatabaseOf ? await openSecondStore(options.shareDatabaseOf) : await createTestDatabase(options);
  const { store } = database;
  const appStore = options.wrapStore ? options.wrapStore(store) : store;
  const clock = options.clock ?? (() => new Date());
  const deps = assembleAppDeps({
    store: appStore,
    clock,
    newId: randomUUID,
    tenancy: createTenancyService({ store: appStore, clock, newId: randomUUID }),
    logger: options.logger ?? silentLogger,
    publicUrl: PUBLIC_URL,
    settings: {
      maxResults: options.maxResults ?? 100,
      maxPayloadSize: options.maxPayloadSize ?? 1_048_576,
      cursorTtlSeconds: options.cursorTtlSeconds ?? 3600,
      auth: { ...DEFAULT_AUTH_SETTINGS, ...options.auth },
      limits: { ...DEFAULT_RATE_LIMITS, ...options.limits },
    },
    cursorSecret: await serverSecret(store, 'list-cursor'),
    ...(options.notifyMail ? { notifyMail: options.notifyMail } : {}),
    ...(options.passwords ? { passwords: options.passwords } : {}),
    consoleDir: CONSOLE_DIR,
    ...(options.shutdown ? { shutdown: options.shutdown } : {}),
    ...(options.metricsToken ? { metricsToken: options.metricsToken } : {}),
    eventsAllowHttpLoopback: options.eventsAllowHttpLoopback ?? true,
    ...(options.resolveHost ? { resolveHost: options.resolveHost } : {}),
  });
  const app = createApp(deps);
  // The app's own tenancy service, as the server's admin socket uses: a token revoked through it is dropped from
  // the app's token cache at once.
  const { tenancy } = deps;

  const clientFor = (token: string, tenantId: string): Client => ({
    token,
    tenantId,
    request: (method, path, body, headers) => scimRequest(app, token, method, path, body, headers),
  });

  const newTenant = async (slug: string, options: NewTenantOptions = {}) => {
    const { tenant } = await tenancy.createTenant(slug);
    if (options.withoutPersonas) await store.query('delete from groups where tenant_id = $1', [tenant.id]);
    const { token } = await tenancy.createToken(slug, 'test');
    return clientFor(token, tenant.id);
  };

  const first = options.shareDatabaseOf;
  return {
    app,
    store,
    tenancy,
    client: first ? clientFor(first.client.token, first.client.tenantId) : await newTenant('acme'),
    newTenant,
    databaseUrl: database.url,
    close: () => database.close(),
  };
}

/** A minimal valid User body. */
export function userBody(userName: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { schemas: [USER_SCHEMA], userName, ...extra };
}

export function groupBody(displayName: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { schemas: [GROUP_SCHEMA], displayName, ...extra };
}

/**
 * A SCIM request to the app with a bearer token (an API token or a portal session's): a path starting with / is
 * under /scim/v2; the body parsed as JSON when it is JSON, else kept as text for the test to show.
 */
export async function scimRequest(app: App, token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ScimResponse> {
  const init: RequestInit = {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'Content-Type': 'application/scim+json' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  };
  const response = await app.request(path.startsWith('/') ? `/scim/v2${path}` : path, init);
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // Not JSON: keep the text so the test can show it.
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

/** POSTs JSON to the app (the /auth API's way), with a bearer token if given; the body parsed when there is one. */
export async function postJson(app: App, path: string, body: unknown, token?: string): Promise<ScimResponse> {
  const response = await app.request(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

/** The bindings @hono/node-server gives the app: the request's socket, whose peer is the client address. */
export const fromAddress = (address: string) => ({ incoming: { socket: { remoteAddress: address, remotePort: 50_000, remoteFamily: 'IPv4' } } });

/**
 * A request to the app from a client address, JSON both ways (SCIM's media type under /scim/), with a bearer token
 * if given; what the throttles and the security log see as a real client's request.
 */
export async function requestFrom(
  app: App,
  method: string,
  path: string,
  body: unknown,
  options: { token?: string; address: string },
): Promise<{ status: number; headers: Headers; body: any }> {
  const response = await app.request(
    path,
    {
      method,
      headers: {
        ...(body !== undefined ? { 'Content-Type': path.startsWith('/scim/') ? 'application/scim+json' : 'application/json' } : {}),
        ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    },
    fromAddress(options.address),
  );
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}
