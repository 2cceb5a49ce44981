// Rate limits of this process (hono-rate-limiter's memory store): failed /auth attempts per client address, SCIM requests per token.
import { isIP } from 'node:net';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { rateLimiter } from 'hono-rate-limiter';
import type { AppEnv } from '../env.js';

export interface RateLimits {
  /** Failed /auth attempts a client address may make in a minute; 0 turns the limit off. */
  readonly authFailuresPerMinute: number;
  /** SCIM requests a token or session may make per second, with bursts of twice that; 0 turns the limit off. */
  readonly scimRequestsPerSecond: number;
  /** How many reverse proxies in front of Usher append to X-Forwarded-For; 0 uses the socket's address. */
  readonly trustProxy: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = { authFailuresPerMinute: 20, scimRequestsPerSecond: 0, trustProxy: 0 };

/**
 * The address a request came from: the socket's peer, or with `trustProxy` = N the N-th X-Forwarded-For entry
 * from the right, the one our own N-th proxy wrote (entries further left are whatever the client sent). With
 * fewer entries than N the left-most is taken: every entry there was written by a trusted proxy.
 * Undefined where there is no socket (a request not served by @hono/node-server).
 */
export function clientAddress(c: Context, trustProxy: number): string | undefined {
  const socket = c.env && typeof c.env === 'object' && 'incoming' in c.env ? getConnInfo(c).remote.address : undefined;
  if (trustProxy === 0) return socket;
  const hops = (c.req.header('x-forwarded-for') ?? '')
    .split(',')
    .map((hop) => hop.trim())
    .filter((hop) => hop !== '');
  if (hops.length === 0) return socket;
  return hops[Math.max(0, hops.length - trustProxy)];
}

/**
 * What a client address is counted by: an IPv4 address as it is, an IPv6 address by its /64 network, since one
 * subscriber usually holds a whole /64 (or more) and could otherwise take a fresh address for every attempt.
 * An IPv4-mapped IPv6 address (::ffff:192.0.2.1, how a dual-stack socket shows an IPv4 peer) is its IPv4 address.
 */
export function addressKey(address: string): string {
  const plain = address.split('%')[0]!;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(plain);
  if (mapped && isIP(mapped[1]!) === 4) return mapped[1]!;
  if (isIP(plain) !== 6) return address;
  // A dotted IPv4 tail stands for the last two groups.
  const groupsOf = (part: string) => (part === '' ? [] : part.split(':').flatMap((group) => (group.includes('.') ? ['0', '0'] : [group])));
  const [head, tail] = plain.split('::') as [string, string | undefined];
  const before = groupsOf(head);
  const after = tail === undefined ? [] : groupsOf(tail);
  const groups = tail === undefined ? before : [...before, ...Array<string>(8 - before.length - after.length).fill('0'), ...after];
  return `${groups
    .slice(0, 4)
    .map((group) => parseInt(group, 16).toString(16))
    .join(':')}::/64`;
}

/** Whole seconds until the window of the limit just hit ends; at least 1. */
export function retryAfterSeconds(c: Context<AppEnv>): number {
  const reset = c.var.rateLimit?.resetTime;
  return reset ? Math.max(1, Math.ceil((reset.getTime() - Date.now()) / 1000)) : 1;
}

export interface LimitOptions {
  /** The 429 in the route's own error format; it carries Retry-After. */
  readonly tooMany: (c: Context<AppEnv>, retryAfter: number) => Response;
}

/**
 * A fixed one-minute window per client address that counts only failed attempts (4xx answers): a user who mistypes
 * twice and then signs in is never in the way, a guesser gets 429 once `perMinute` guesses failed, until the window ends.
 * A 5xx is the server's fault, not the client's, and does not count.
 */
export function authFailureLimit(options: LimitOptions & { perMinute: number; trustProxy: number }): MiddlewareHandler<AppEnv> {
  return rateLimiter<AppEnv>({
    windowMs: 60_000,
    limit: options.perMinute,
    standardHeaders: false,
    skipSuccessfulRequests: true,
    // 403 is a right password that must be changed first: not a guess.
    requestWasSuccessful: (c) => c.res.status < 400 || c.res.status === 403 || c.res.status >= 500,
    keyGenerator: (c) => {
      const address = clientAddress(c, options.trustProxy);
      return `address:${address === undefined ? 'unknown' : addressKey(address)}`;
    },
    handler: (c) => options.tooMany(c, retryAfterSeconds(c)),
  });
}

/**
 * `perSecond` requests a second with bursts of twice that, as a fixed window of two seconds holding 2 x perSecond
 * requests: over any such window the average is at most perSecond, and a burst of up to 2 x perSecond passes at
 * once. (Across the edge of two windows up to 4 x perSecond can pass within a short time; a token bucket would
 * not allow that, and hono-rate-limiter has none.) The key is the token's or session's id, never the secret.
 */
export function scimRequestLimit(options: LimitOptions & { perSecond: number }): MiddlewareHandler<AppEnv> {
  return rateLimiter<AppEnv>({
    windowMs: 2000,
    limit: options.perSecond * 2,
    standardHeaders: false,
    keyGenerator: (c) => {
      const actor = c.var.actor;
      return actor.kind === 'token' ? `token:${actor.id}` : `session:${actor.sessionId}`;
    },
    handler: (c) => options.tooMany(c, retryAfterSeconds(c)),
  });
}
