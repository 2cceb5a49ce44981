// What /metrics reports, in Prometheus's text format (prom-client): requests by route template, method and status,
// their latency, SQL statements, the mail queue, security events (sign-ins by outcome, lockouts, rate limits) and the
// process itself. One registry per server: nothing here is a module global.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { StatementObserver } from '../store/statement-log.js';

/** The mail outbox as /metrics shows it, read when scraped. */
export interface MailQueueStats {
  /** Mails not sent yet (waiting or retrying). */
  readonly depth: number;
  /** Seconds since the oldest of them was queued; 0 when there is none. */
  readonly oldestSeconds: number;
  /** Mails given up after their last attempt. */
  readonly givenUp: number;
}

export interface MetricsSources {
  /** Reads the mail queue; left out where no server runs (tests, the CLI). */
  readonly mailQueue?: () => Promise<MailQueueStats>;
  /** The store's kind, as a label of the statement metrics. */
  readonly database: 'pglite' | 'postgres';
  /** The PostgreSQL pool's size (DATABASE_POOL_SIZE); 1 for the embedded database. */
  readonly poolSize: number;
  /** Counts event deliveries waiting (push and poll, every stream); left out where no server runs. */
  readonly eventsPending?: () => Promise<number>;
}

export interface Metrics {
  readonly registry: Registry;
  /** A request answered: its method, the route template that answered (null: none) and the status. */
  request(method: string, route: string | null, status: number, seconds: number): void;
  /** Counts the statements the store runs (observeStatements). */
  readonly statements: StatementObserver;
  /** A security log event (login.succeeded, login.failed, account.lockedOut, auth.rateLimited, ...). */
  securityEvent(event: string): void;
  /** A request refused by a rate limit: `auth` (failed sign-ins per address) or `scim` (requests per token). */
  rateLimited(limiter: 'auth' | 'scim'): void;
  /** A mail's attempt ended: sent (or written to a file), to be retried, or given up. */
  mailAttempt(outcome: 'sent' | 'written' | 'retry' | 'givenUp'): void;
  /** An event push ended: delivered, to be retried, or failed (refused by the receiver, or retried too long). */
  eventPush(outcome: 'delivered' | 'retry' | 'failed'): void;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** Seconds: from a cached lookup (a few ms) to a large Bulk or a slow sign-in's Argon2 queue. */
const LATENCY_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const STATEMENT_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];

/** The metrics of one server; without sources (tests, the CLI) the database and mail gauges read 0. */
export function createMetrics(sources?: MetricsSources): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'usher_' });

  const requests = new Counter({
    name: 'usher_http_requests_total',
    help: 'HTTP requests answered, by method, route template (unmatched: none answered) and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'usher_http_request_duration_seconds',
    help: 'Time from a request to its answer, by method and route template.',
    labelNames: ['method', 'route'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const statementTime = new Histogram({
    name: 'usher_db_statement_duration_seconds',
    help: 'Time of each SQL statement from send to answer (queueing for a connection included), by outcome.',
    labelNames: ['database', 'outcome'] as const,
    buckets: STATEMENT_BUCKETS,
    registers: [registry],
  });
  const inFlight = new Gauge({
    name: 'usher_db_statements_in_flight',
    help: 'SQL statements sent and not yet answered: against usher_db_pool_size, how busy the pool is.',
    registers: [registry],
  });
  new Gauge({
    name: 'usher_db_pool_size',
    help: 'Connections the server may open to PostgreSQL (DATABASE_POOL_SIZE); 1 for the embedded database, which runs one statement at a time.',
    registers: [registry],
    collect() {
      this.set(sources?.poolSize ?? 0);
    },
  });
  const security = new Counter({
    name: 'usher_security_events_total',
    help: 'Security log events by name: login.succeeded, login.failed, login.throttled, account.lockedOut, auth.rateLimited, mfa.failed, ...',
    labelNames: ['event'] as const,
    registers: [registry],
  });
  const limited = new Counter({
    name: 'usher_rate_limited_total',
    help: 'Requests refused with 429 by a rate limit: auth (failed sign-ins per address), scim (requests per token).',
    labelNames: ['limiter'] as const,
    registers: [registry],
  });
  const mail = new Counter({
    name: 'usher_mail_attempts_total',
    help: 'Mail delivery attempts by outcome: sent, written (to a file: no SMTP_URL), retry (failed, tried again later), givenUp.',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  // Read when scraped, from the outbox itself: right across several servers on one database, and after a restart.
  let queue: Promise<MailQueueStats | undefined> | undefined;
  const readQueue = () => {
    // One read per scrape for the three gauges below.
    queue ??= (sources?.mailQueue?.() ?? Promise.resolve(undefined)).finally(() => setImmediate(() => (queue = undefined)));
    return queue;
  };
  new Gauge({
    name: 'usher_mail_queue_depth',
    help: 'Mails in the outbox not sent yet (waiting or retrying).',
    registers: [registry],
    async collect() {
      this.set((await readQueue())?.depth ?? 0);
    },
  });
  new Gauge({
    name: 'usher_mail_queue_oldest_seconds',
    help: 'Age of the oldest mail not sent yet, in seconds; 0 when the queue is empty.',
    registers: [registry],
    async collect() {
      this.set((await readQueue())?.oldestSeconds ?? 0);
    },
  });
  new Gauge({
    name: 'usher_mail_given_up',
    help: 'Mails in the outbox given up after their last attempt (they reach no one).',
    registers: [registry],
    async collect() {
      this.set((await readQueue())?.givenUp ?? 0);
    },
  });

  const pushes = new Counter({
    name: 'usher_event_pushes_total',
    help: 'Event push attempts (RFC 8935) by outcome: delivered, retry (tried again later), failed (refused with an RFC 8935 error, or not taken for 24 h).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'usher_event_deliveries_pending',
    help: 'Event deliveries waiting, pushed or polled, of every stream (paused streams included).',
    registers: [registry],
    async collect() {
      this.set((await sources?.eventsPending?.()) ?? 0);
    },
  });

  return {
    registry,
    request(method, route, status, seconds) {
      const m = METHODS.has(method) ? method : 'other';
      const r = route ?? 'unmatched';
      requests.inc({ method: m, route: r, status: String(status) });
      latency.observe({ method: m, route: r }, seconds);
    },
    statements: {
      started: () => inFlight.inc(),
      ended(run) {
        inFlight.dec();
        statementTime.observe({ database: sources?.database ?? 'unknown', outcome: run.failed === undefined ? 'ok' : 'error' }, run.seconds);
      },
    },
    securityEvent: (event) => security.inc({ event }),
    rateLimited: (limiter) => limited.inc({ limiter }),
    mailAttempt: (outcome) => mail.inc({ outcome }),
    eventPush: (outcome) => pushes.inc({ outcome }),
  };
}
