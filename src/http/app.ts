// The Hono application: middleware, the SCIM routes under /scim/v2, health checks, and one error renderer.
import { Hono, type Context } from 'hono';
import { getPath } from 'hono/utils/url';
import { AccountMailLimitError } from '../auth/account-mail.js';
import { HashQueueFullError } from '../auth/passwords.js';
import type { MfaService } from '../auth/mfa.js';
import { authRoutes, requestMeta } from '../auth/route.js';
import type { SecurityLog } from '../auth/security-log.js';
import { SESSION_TOKEN_PREFIX } from '../auth/service.js';
import { HTTPException } from 'hono/http-exception';
import { bulkRoutes } from '../resources/bulk/route.js';
import { createBulkService } from '../resources/bulk/service.js';
import { createGroupsService } from '../resources/groups/service.js';
import { pollRoutes } from '../resources/ssf-poll/route.js';
import { createPollService } from '../resources/ssf-poll/service.js';
import type { EventNotifier } from '../events/notifier.js';
import type { Deps } from '../resources/context.js';
import { discoveryRoutes } from '../resources/discovery/route.js';
import { meRoutes } from '../resources/me/route.js';
import { historyRoutes } from '../resources/history/route.js';
import { createHistoryService } from '../resources/history/service.js';
import { resourceRoutes } from '../resources/route.js';
import { searchRoutes } from '../resources/search/route.js';
import { createSearchService } from '../resources/search/service.js';
import { createAccountActions } from '../resources/users/account-actions.js';
import { accountRoutes } from '../resources/users/account-routes.js';
import { createUsersService } from '../resources/users/service.js';
import { MAX_BULK_OPERATIONS } from '../scim/bulk/request.js';
import { ScimError } from '../scim/errors.js';
import { isTimeout } from '../store/errors.js';
import type { TenancyService } from '../tenancy/service.js';
import { createTenantSlugs } from '../tenancy/tenant-slugs.js';
import { TOKENS_PREFIX, tokenRoutes } from '../tenancy/tokens-route.js';
import type { AppEnv } from './env.js';
import type { Logger } from './logger.js';
import { consoleRoutes } from './console.js';
import { accessLog } from './middleware/access-log.js';
import { boundedBody } from './middleware/body-limit.js';
import { clientGone } from './middleware/client-gone.js';
import { scimRequestLimit, type RateLimits } from './middleware/rate-limit.js';
import { metricsRoute } from './metrics-route.js';
import { openApiRoutes } from './openapi.js';
import type { Metrics } from '../metrics/metrics.js';
import { authorize } from './middleware/authorize.js';
import { AuthenticationError, bearerAuth, bearerToken } from './middleware/bearer-auth.js';
import { requirePermission } from './middleware/require-permission.js';
import { EVENTS_MANAGE } from '../auth/permissions.js';
import type { ReceiverUrlPolicy } from '../events/receiver-url.js';
import type { SigningKeys } from '../events/signing-keys.js';
import { streamRoutes } from '../events/streams/route.js';
import { createStreamsService } from '../events/streams/service.js';
import { wellKnownRoutes } from '../events/streams/well-known.js';
import { requestId } from './middleware/request-id.js';
import { storableUrl } from './middleware/storable-url.js';
import { scimError } from './responses.js';
import { allowedMethods, canonicalPaths } from './routing.js';

export const SCIM_PREFIX = '/scim/v2';
/** The status the access log shows for a request whose client went away first (nginx's 499); never sent. */
export const CLIENT_CLOSED_REQUEST = 499;

export const SSF_PREFIX = '/ssf';

const isScimPath = (path: string) => path === SCIM_PREFIX || path.startsWith(`${SCIM_PREFIX}/`);
/** The SSF management API (and its poll endpoint): bearer-authenticated JSON, answered with SCIM errors. */
const isSsfPath = (path: string) => path.startsWith(`${SSF_PREFIX}/`);
/** The console's JSON API for what is not SCIM (API tokens): bearer-authenticated, answered with SCIM errors too. */
const isApiPath = (path: string) => path === TOKENS_PREFIX || path.startsWith(`${TOKENS_PREFIX}/`);

export interface AppDeps extends Deps {
  readonly tenancy: TenancyService;
  readonly logger: Logger;
  /** Authentication decisions, one JSON line each, through the logger. */
  readonly securityLog: SecurityLog;
  /** The second factor: /auth/mfa. */
  readonly mfa: MfaService;
  readonly maxPayloadSize: number;
  readonly limits: RateLimits;
  /** The built admin console (dist/console); undefined serves none. */
  readonly consoleDir: string | undefined;
  /** Aborted when the server begins to stop (see BulkDeps.shutdown). */
  readonly shutdown?: AbortSignal;
  /** What /metrics reports; requests, statements, security events and mail count into it. */
  readonly metrics: Metrics;
  /** The bearer token GET /metrics asks for; undefined: /metrics is not served. */
  readonly metricsToken: string | undefined;
  /** The keys SETs are signed with: GET /.well-known/jwks.json publishes them, the poll endpoint signs with them. */
  readonly signingKeys: SigningKeys;
  /** Where event streams may push (EVENTS_ALLOW_HTTP_LOOPBACK). */
  readonly receiverUrlPolicy: ReceiverUrlPolicy;
  /** Wakes long polls (and the push worker) once a change that wrote events commits. */
  readonly eventNotifier: EventNotifier;
  /** Notifies eventNotifier if some request wrote deliveries since it last did: called once a write is answered. */
  readonly announceEvents: () => void;
}

export function createApp(deps: AppDeps) {
  const { logger } = deps;
  // Routes see SCIM paths in their own spelling (see canonicalPaths); the routes are all registered before a request comes.
  const canonical = canonicalPaths(SCIM_PREFIX, () => app.routes);
  const app: Hono<AppEnv> = new Hono<AppEnv>({ getPath: (request) => canonical(getPath(request)) });

  app.use(requestId());
  // A write's transaction has committed by the time it is answered: wake what waits for the events it wrote.
  app.use(async (c, next) => {
    await next();
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') deps.announceEvents();
  });
  app.use(accessLog(logger, { trustProxy: deps.limits.trustProxy, metrics: deps.metrics, tenantSlugs: createTenantSlugs(deps.store) }));
  // SCIM answers carry personal data and /auth answers carry secrets: no cache keeps either, errors included.
  app.use(async (c, next) => {
    await next();
    if (isScimPath(c.req.path) || isSsfPath(c.req.path) || isApiPath(c.req.path) || c.req.path.startsWith('/auth/')) c.res.headers.set('Cache-Control', 'no-store');
  });
  // /auth, /scim/v2 and /ssf bound their bodies themselves; every other route takes none.
  const noBody = boundedBody({ maxSize: 0, tooLarge: (c) => c.json({ error: 'payload_too_large', detail: `${c.req.method} ${c.req.path} takes no request body.` }, 413) });
  app.use((c, next) => (isScimPath(c.req.path) || isSsfPath(c.req.path) || isApiPath(c.req.path) || c.req.path.startsWith('/auth/') ? next() : noBody(c, next)));

  // The console is what a person opening the server's address looks for. 302, not 308: a permanent redirect stays in
  // browsers' caches, and the root may serve something of its own one day.
  app.get('/', (c) => c.redirect('/admin', 302));
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  metricsRoute(app, deps.metrics, deps.metricsToken);
  app.route('/', openApiRoutes({ serverUrl: deps.scimBaseUrl.slice(0, -SCIM_PREFIX.length), metrics: deps.metricsToken !== undefined }));
  app.get('/readyz', async (c) => {
    try {
      await deps.store.query('select 1');
      return c.json({ status: 'ok' });
    } catch (error) {
      logger.warn('database not reachable', { requestId: c.var.requestId, error: (error as Error).message });
      return c.json({ status: 'unavailable' }, 503);
    }
  });

  // The portal users' own API: sign in, change or reset a password, sign out.
  const sessionOf = async (c: Context<AppEnv>) => {
    const token = bearerToken(c.req.header('authorization'));
    return token?.startsWith(`${SESSION_TOKEN_PREFIX}_`) ? deps.auth.authenticate(token) : undefined;
  };
  app.route('/auth', authRoutes(deps.auth, deps.mfa, sessionOf, deps.limits, deps.securityLog));
  // The admin console, and the pages behind the reset and welcome links: a client of /auth and /scim/v2.
  app.route('/', consoleRoutes({ dir: deps.consoleDir }));

  const scim = new Hono<AppEnv>();
  scim.use(async (c, next) => {
    c.set('requestMeta', requestMeta(c, deps.limits.trustProxy));
    await next();
  });
  scim.use(bearerAuth({ tenancy: deps.tenancy, sessions: deps.auth, securityLog: deps.securityLog, trustProxy: deps.limits.trustProxy }));
  const perSecond = deps.limits.scimRequestsPerSecond;
  if (perSecond > 0) {
    scim.use(
      scimRequestLimit({
        perSecond,
        tooMany: (c, retryAfter) => {
          deps.metrics.rateLimited('scim');
          return scimError(
            c,
            new ScimError(429, undefined, `Too many requests for this token (SCIM_RATE_LIMIT: ${perSecond} a second, bursts of ${perSecond * 2}); try again in ${retryAfter} s.`),
            { 'Retry-After': String(retryAfter) },
          );
        },
      }),
    );
  }
  scim.use(
    boundedBody({
      maxSize: deps.maxPayloadSize,
      tooLarge: (c, maxSize) =>
        scimError(
          c,
          ScimError.payloadTooLarge(
            maxSize === 0 ? `${c.req.method} takes no request body.` : `The request body is larger than maxPayloadSize (${maxSize} bytes).`,
          ),
        ),
    }),
  );
  scim.use(storableUrl());
  const features = {
    maxResults: deps.maxResults,
    maxPayloadSize: deps.maxPayloadSize,
    maxBulkOperations: MAX_BULK_OPERATIONS,
    cursorTtlSeconds: deps.cursors.ttlSeconds,
  };
  const users = createUsersService(deps);
  // Discovery and /Me are open to every signed-in caller; everything registered after `authorize` needs a permission.
  scim.route('/', discoveryRoutes(features, deps.scimBaseUrl));
  scim.route('/Me', meRoutes(users));
  scim.use(authorize());
  scim.route('/', historyRoutes(createHistoryService(deps), deps));
  scim.route('/', searchRoutes(createSearchService(deps), deps));
  scim.route('/Users', accountRoutes(createAccountActions(deps)));
  scim.route('/Users', resourceRoutes(users, deps));
  scim.route('/Groups', resourceRoutes(createGroupsService(deps), deps));
  const resourceTypes = { Users: createUsersService, Groups: createGroupsService };
  scim.route('/Bulk', bulkRoutes(createBulkService({ ...deps, maxOperations: MAX_BULK_OPERATIONS, resourceTypes })));
  app.route(SCIM_PREFIX, scim);

  // Event streams (OpenID SSF 1.0): the transmitter's public documents, and the management API for events:manage.
  const publicUrl = deps.scimBaseUrl.slice(0, -SCIM_PREFIX.length);
  app.route('/', wellKnownRoutes({ publicUrl, signingKeys: deps.signingKeys }));
  const ssf = new Hono<AppEnv>();
  ssf.use(async (c, next) => {
    c.set('requestMeta', requestMeta(c, deps.limits.trustProxy));
    await next();
  });
  ssf.use(bearerAuth({ tenancy: deps.tenancy, sessions: deps.auth, securityLog: deps.securityLog, trustProxy: deps.limits.trustProxy }));
  if (perSecond > 0) {
    ssf.use(
      scimRequestLimit({
        perSecond,
        tooMany: (c, retryAfter) => {
          deps.metrics.rateLimited('scim');
          return scimError(c, new ScimError(429, undefined, `Too many requests for this token (SCIM_RATE_LIMIT: ${perSecond} a second); try again in ${retryAfter} s.`), {
            'Retry-After': String(retryAfter),
          });
        },
      }),
    );
  }
  ssf.use(
    boundedBody({
      maxSize: deps.maxPayloadSize,
      tooLarge: (c, maxSize) =>
        scimError(c, ScimError.payloadTooLarge(maxSize === 0 ? `${c.req.method} takes no request body.` : `The request body is larger than ${maxSize} bytes.`)),
    }),
  );
  ssf.use(storableUrl());
  ssf.use(requirePermission(EVENTS_MANAGE));
  // RFC 8936 poll endpoints: the stream's tenant is the caller's.
  ssf.route('/poll', pollRoutes(createPollService({ store: deps.store, clock: deps.clock, signingKeys: deps.signingKeys, issuer: publicUrl, notifier: deps.eventNotifier, shutdown: deps.shutdown })));
  ssf.route('/', streamRoutes(createStreamsService({ ...deps, publicUrl, receiverUrlPolicy: deps.receiverUrlPolicy }), publicUrl, deps.securityLog));
  app.route(SSF_PREFIX, ssf);

  // The tenant's API tokens, for the console's Integrations page: sessions with events:manage only.
  const tokensApi = new Hono<AppEnv>();
  tokensApi.use(async (c, next) => {
    c.set('requestMeta', requestMeta(c, deps.limits.trustProxy));
    await next();
  });
  tokensApi.use(bearerAuth({ tenancy: deps.tenancy, sessions: deps.auth, securityLog: deps.securityLog, trustProxy: deps.limits.trustProxy }));
  tokensApi.use(boundedBody({ maxSize: 16_384, tooLarge: (c) => scimError(c, ScimError.payloadTooLarge('The request body is larger than 16384 bytes.')) }));
  tokensApi.route('/', tokenRoutes(deps.tenancy, deps.securityLog, deps.clock));
  app.route(TOKENS_PREFIX, tokensApi);

  // Hono consults only the top-level app's notFound, even for routes mounted with app.route(), so the
  // SCIM answer (RFC 7644 §3.12) is chosen here by path. A path some route serves with other methods is 405 with
  // Allow (RFC 9110 §15.5.6); RFC 7644 §3.12 names no scimType for it.
  const allowed = allowedMethods(() => app.routes);
  app.notFound((c) => {
    const path = c.req.path;
    const allow = allowed(path);
    if (allow.length > 0) {
      const detail = `${c.req.method} is not allowed on ${path}; it allows ${allow.join(', ')}.`;
      const headers = { Allow: allow.join(', ') };
      if (isScimPath(path) || isSsfPath(path) || isApiPath(path)) return scimError(c, ScimError.methodNotAllowed(detail), headers);
      return c.json({ error: 'method_not_allowed', detail }, 405, headers);
    }
    if (isSsfPath(path)) return scimError(c, ScimError.notFound(`No SSF endpoint at ${c.req.method} ${path}; /.well-known/ssf-configuration lists them.`));
    return isScimPath(path)
      ? scimError(c, ScimError.notFound(`No SCIM endpoint at ${c.req.method} ${path}.`))
      : c.json({ error: 'not_found', detail: `Nothing at ${path}.` }, 404);
  });

  app.onError((error, c) => {
    if (isTimeout(error)) {
      // Not the client's fault nor a bug: a sign the database is overloaded or a statement needs an index.
      logger.warn('statement timeout: request cancelled', { requestId: c.var.requestId, method: c.req.method, path: c.req.path });
      return statementTimeout(c);
    }
    if (error instanceof AuthenticationError) return scimError(c, error, { 'WWW-Authenticate': 'Bearer realm="usher"' });
    if (error instanceof ScimError) return scimError(c, error);
    // Nothing to answer and nothing wrong here: the client closed the connection before its request had arrived.
    if (clientGone(c)) {
      logger.info('client closed the request', { requestId: c.var.requestId, method: c.req.method, path: c.req.path });
      return new Response(null, { status: CLIENT_CLOSED_REQUEST });
    }
    if (error instanceof HashQueueFullError || error instanceof AccountMailLimitError) {
      const status = error instanceof HashQueueFullError ? 503 : 429;
      return scimError(c, new ScimError(status, undefined, error.message), { 'Retry-After': String(error.retryAfterSeconds) });
    }
    if (error instanceof HTTPException && error.status < 500) {
      return scimError(c, new ScimError(error.status, undefined, error.message || 'Bad request.'));
    }
    logger.error('unhandled error', {
      requestId: c.var.requestId,
      error: error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : String(error),
    });
    return scimError(c, new ScimError(500, undefined, `Internal server error (request id ${c.var.requestId}).`));
  });

  return app;
}

/** Seconds a client should wait before it retries a request the database cancelled. */
const TIMEOUT_RETRY_AFTER_SECONDS = 5;

/**
 * A request whose statement ran over STATEMENT_TIMEOUT_MS: PostgreSQL cancelled it and rolled its transaction
 * back, so the client may safely send it again once the database is less busy.
 */
function statementTimeout(c: Context<AppEnv>): Response {
  const detail = 'The request took too long and was cancelled; nothing was changed. Retry it later.';
  const headers = { 'Retry-After': String(TIMEOUT_RETRY_AFTER_SECONDS) };
  if (isScimPath(c.req.path) || isSsfPath(c.req.path) || isApiPath(c.req.path)) return scimError(c, new ScimError(503, undefined, detail), headers);
  return c.json({ error: 'temporarily_unavailable', detail }, 503, { ...headers, 'Cache-Control': 'no-store' });
}

export type App = ReturnType<typeof createApp>;
