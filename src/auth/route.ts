// The /auth API for portal users themselves: login, password change, reset and welcome links, logout.
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../http/env.js';
import { boundedBody } from '../http/middleware/body-limit.js';
import { addressKey, authFailureLimit, clientAddress, type RateLimits } from '../http/middleware/rate-limit.js';
import type { MfaService } from './mfa.js';
import { HashQueueFullError } from './passwords.js';
import { USER_NAME_MAX_BYTES } from '../scim/schema/limits.js';
import { isStorableText, utf8Length } from '../scim/text.js';
import type { RequestMeta, SecurityLog } from './security-log.js';
import { AuthError, type AuthService, type SessionPrincipal } from './service.js';

/** Every /auth body is a few short strings. */
export const MAX_AUTH_BODY = 16 * 1024;
const secret = z.string().min(1).max(1024);

// Names are looked up in PostgreSQL, which stores no NUL or lone surrogate; a userName is bounded as a User's is.
const storable = (schema: z.ZodString) => schema.refine(isStorableText, 'must not contain a NUL character or a lone UTF-16 surrogate');
const loginBody = z.object({
  tenant: storable(z.string().min(1).max(63)),
  userName: storable(z.string().min(1)).refine((text) => utf8Length(text) <= USER_NAME_MAX_BYTES, `must be at most ${USER_NAME_MAX_BYTES} bytes (UTF-8)`),
  password: secret,
});
const passwordBody = z.union([
  z.object({ changeToken: secret, newPassword: secret }),
  z.object({ currentPassword: secret, newPassword: secret }),
]);
const resetBody = z.object({ token: secret, newPassword: secret });
const linkBody = z.object({ token: secret });
// A code is six digits (spaces as apps group them allowed); a recovery code 16 characters with dashes; bounded either way.
const code = z.string().min(1).max(64);
const proof = { code: code.optional(), recoveryCode: code.optional() };
const mfaVerifyBody = z.object({ mfaToken: secret, ...proof });
const mfaEnrolBody = z.union([z.object({ mfaToken: secret }), z.object({ currentPassword: secret })]);
const mfaConfirmBody = z.object({ mfaToken: secret.optional(), code });
const mfaChangeBody = z.object({ currentPassword: secret, ...proof });

/** The body each POST route below reads, by its path under /auth: what GET /openapi.json describes them with. */
export const AUTH_REQUEST_BODIES: Readonly<Record<string, z.ZodType>> = {
  '/login': loginBody,
  '/password': passwordBody,
  '/reset': resetBody,
  '/link': linkBody,
  '/mfa/verify': mfaVerifyBody,
  '/mfa/enrol': mfaEnrolBody,
  '/mfa/confirm': mfaConfirmBody,
  '/mfa/recovery-codes': mfaChangeBody,
  '/mfa/disable': mfaChangeBody,
};

async function readBody<T>(c: Context, schema: z.ZodType<T>): Promise<T> {
  // A body that cannot be read (the client went away) is not a malformed one: that error goes on to app.onError.
  const text = await c.req.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new AuthError(400, 'invalid_request', 'The request body must be a JSON object.');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AuthError(400, 'invalid_request', `Invalid request: ${issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'bad body'}.`);
  }
  return parsed.data;
}

export function authErrorResponse(c: Context, error: AuthError, headers: Record<string, string> = {}): Response {
  return c.json({ error: error.code, detail: error.message, ...error.extra }, error.status, {
    ...(error.status === 401 ? { 'WWW-Authenticate': 'Bearer realm="usher"' } : {}),
    'Cache-Control': 'no-store',
    ...headers,
  });
}

/** Who sent a request, for the throttles and the security log: the address as the rate limits see it (TRUST_PROXY). */
export function requestMeta(c: Context<AppEnv>, trustProxy: number): RequestMeta {
  const address = clientAddress(c, trustProxy);
  return {
    requestId: c.var.requestId,
    address,
    addressKey: address === undefined ? undefined : addressKey(address),
    userAgent: c.req.header('user-agent'),
  };
}

/**
 * `session` reads the caller's session from its bearer token, if it has one; routes that need a signed-in
 * user refuse without it.
 */
export function authRoutes(
  auth: AuthService,
  mfa: MfaService,
  session: (c: Context<AppEnv>) => Promise<SessionPrincipal | undefined>,
  limits: Pick<RateLimits, 'authFailuresPerMinute' | 'trustProxy'>,
  securityLog: SecurityLog,
) {
  const app = new Hono<AppEnv>();
  const metaOf = (c: Context<AppEnv>) => requestMeta(c, limits.trustProxy);
  app.onError((error, c) => {
    if (error instanceof AuthError) {
      return authErrorResponse(c, error, error.status === 429 && typeof error.extra.retryAfter === 'number' ? { 'Retry-After': String(error.extra.retryAfter) } : {});
    }
    if (error instanceof HashQueueFullError) {
      return authErrorResponse(c, new AuthError(503, 'busy', error.message), { 'Retry-After': String(error.retryAfterSeconds) });
    }
    throw error;
  });

  // Every route here checks a secret (a password, a link or change token, a session): one budget of failures per address.
  if (limits.authFailuresPerMinute > 0) {
    app.use(
      authFailureLimit({
        perMinute: limits.authFailuresPerMinute,
        trustProxy: limits.trustProxy,
        tooMany: (c, retryAfter) => {
          securityLog.record('auth.rateLimited', metaOf(c), { path: c.req.path, retryAfter });
          return c.json(
            {
              error: 'too_many_requests',
              detail: `Too many failed attempts from this address (more than ${limits.authFailuresPerMinute} a minute); try again in ${retryAfter} s.`,
            },
            429,
            { 'Retry-After': String(retryAfter), 'Cache-Control': 'no-store' },
          );
        },
      }),
    );
  }
  app.use(
    boundedBody({
      maxSize: MAX_AUTH_BODY,
      tooLarge: (c, maxSize) =>
        c.json(
          { error: 'payload_too_large', detail: maxSize === 0 ? `${c.req.method} takes no request body.` : `The request body is larger than ${maxSize} bytes.` },
          413,
          { 'Cache-Control': 'no-store' },
        ),
    }),
  );

  app.post('/login', async (c) => {
    const grant = await auth.login(await readBody(c, loginBody), metaOf(c));
    return c.json(grant, 200, { 'Cache-Control': 'no-store' });
  });

  app.post('/password', async (c) => {
    const body = await readBody(c, passwordBody);
    const grant =
      'changeToken' in body
        ? await auth.changePassword({ changeToken: body.changeToken, newPassword: body.newPassword }, metaOf(c))
        : await auth.changePassword(
            { session: await requireSession(c), currentPassword: body.currentPassword, newPassword: body.newPassword },
            metaOf(c),
          );
    return c.json(grant, 200, { 'Cache-Control': 'no-store' });
  });

  app.post('/reset', async (c) => {
    await auth.completeLink(await readBody(c, resetBody), metaOf(c));
    return c.body(null, 204);
  });

  // A reset or welcome link checked before its form is shown; the link stays unused. The token goes in the body, not
  // the URL, so that no log keeps it; a wrong one counts as a failure against the address like any other.
  app.post('/link', async (c) => {
    const { token } = await readBody(c, linkBody);
    return c.json(await auth.checkLink(token, metaOf(c)), 200, { 'Cache-Control': 'no-store' });
  });

  // The second step of a sign-in: a code from the authenticator app, or a recovery code.
  app.post('/mfa/verify', async (c) => {
    const body = await readBody(c, mfaVerifyBody);
    return c.json(await mfa.verify(body, metaOf(c)), 200, { 'Cache-Control': 'no-store' });
  });

  // Setting up an authenticator app: signed in (with the current password), or within a sign-in the tenant's
  // requirement stopped (with its token).
  app.post('/mfa/enrol', async (c) => {
    const body = await readBody(c, mfaEnrolBody);
    const enrolment =
      'mfaToken' in body ? await mfa.enrol({ mfaToken: body.mfaToken }, undefined, metaOf(c)) : await mfa.enrol({ session: await requireSession(c) }, body.currentPassword, metaOf(c));
    return c.json(enrolment, 200, { 'Cache-Control': 'no-store' });
  });

  app.post('/mfa/confirm', async (c) => {
    const body = await readBody(c, mfaConfirmBody);
    const who = body.mfaToken !== undefined ? { mfaToken: body.mfaToken } : { session: await requireSession(c) };
    return c.json(await mfa.confirm(who, body.code, metaOf(c)), 200, { 'Cache-Control': 'no-store' });
  });

  app.post('/mfa/recovery-codes', async (c) => {
    const body = await readBody(c, mfaChangeBody);
    const recoveryCodes = await mfa.renewRecoveryCodes(await requireSession(c), body.currentPassword, body, metaOf(c));
    return c.json({ recoveryCodes }, 200, { 'Cache-Control': 'no-store' });
  });

  app.post('/mfa/disable', async (c) => {
    const body = await readBody(c, mfaChangeBody);
    await mfa.disable(await requireSession(c), body.currentPassword, body, metaOf(c));
    return c.body(null, 204);
  });

  // Who the session is and what its personas allow: what a client such as the admin console shows and hides.
  app.get('/session', async (c) => {
    const principal = await requireSession(c);
    return c.json(
      {
        user: { id: principal.userId, userName: principal.userName, displayName: principal.label },
        permissions: [...principal.permissions].sort(),
        expiresAt: principal.expiresAt.toISOString(),
        mfa: await mfa.status(principal),
      },
      200,
      { 'Cache-Control': 'no-store' },
    );
  });

  app.post('/logout', async (c) => {
    await auth.logout(await requireSession(c), metaOf(c));
    return c.body(null, 204);
  });

  async function requireSession(c: Context<AppEnv>): Promise<SessionPrincipal> {
    const principal = await session(c);
    if (!principal) {
      securityLog.record('session.refused', metaOf(c), { path: c.req.path, reason: c.req.header('authorization') ? 'invalidSession' : 'noSession' });
      throw new AuthError(401, 'invalid_session', 'Sign in first: send the session token as Authorization: Bearer <token>.');
    }
    return principal;
  }

  return app;
}
