// Pushes the events of push streams to their receivers (RFC 8935): each delivery is sent until the receiver takes
// it (2xx), refuses it with an RFC 8935 error (400: failed, not sent again), or has not taken it for retryWindowMs
// (24 h by default: failed). In between it is tried again with exponential backoff and jitter.
//
// Delivery is at least once, as the mail worker's (src/mail/worker.ts, whose header explains the claim): a delivery
// is marked delivered only after the receiver answered, so a crash between the two sends the same token (same jti)
// again, and RFC 8935 receivers tell a repeat by its jti.
//
// Per-subject order: only the first pending delivery of a stream and subject can be claimed (see DUE_PUSH in
// delivery-queries.ts), so the events of one user reach the receiver in the order they were committed, even across
// an outage of the receiver, and two of them are never in flight at once. Subjects are independent of each other:
// `concurrency` deliveries are sent at once, each claimed on its own.
//
// - PostgreSQL: the delivery is claimed with `for update skip locked` in a transaction held open across the push
//   and the writing of its outcome; a worker that dies releases it with its connection.
// - PGlite: claims are kept in memory per store, taken and dropped under one mutex, the outcome written before the
//   claim is dropped (no transaction is held open across a push: PGlite runs one transaction at a time).
import { setMaxListeners } from 'node:events';
import type { Logger } from '../http/logger.js';
import { createSecretBox, type SecretBox } from '../auth/secret-box.js';
import { createBackoff } from '../queue/backoff.js';
import { createStoreClaims } from '../queue/claims.js';
import { clip, errorText } from '../queue/error-text.js';
import { positive } from '../queue/options.js';
import { createWorkerLoop } from '../queue/worker-loop.js';
import { serverSecret } from '../store/secrets.js';
import type { Queryable, Store } from '../store/index.js';
import { addStreamTallies, claimDuePush, markPushDelivered, markPushFailed, markPushRetry, type DeliveryKey, type PushCandidate, type PushDeliveryRow, type StreamTally } from './delivery-queries.js';
import type { EventNotifier } from './notifier.js';
import { PushAborted, pushSet, type PushResult } from './push.js';
import { signSet } from './set-claims.js';
import type { SigningKeys } from './signing-keys.js';

export interface PushBackoff {
  /** Delay after the first failed attempt; it doubles with each further one. Default 10 s. */
  readonly baseMs?: number;
  /** Longest delay between attempts. Default 1 hour. */
  readonly capMs?: number;
  /** Each delay is shortened by up to this fraction, at random. Default 0.2. */
  readonly jitter?: number;
}

export type PushOutcome = 'delivered' | 'retry' | 'failed';

export interface PushWorkerOptions {
  readonly store: Store;
  readonly clock: () => Date;
  readonly logger: Logger;
  readonly signingKeys: SigningKeys;
  /** The tokens' iss: PUBLIC_URL. */
  readonly issuer: string;
  /** EVENTS_ALLOW_HTTP_LOOPBACK. */
  readonly allowHttpLoopback: boolean;
  /** Bounds connecting and each wait for the receiver's answer (the whole push: three times it). Default 10 s. */
  readonly timeoutMs?: number;
  /** How long a delivery is tried before it counts as failed. Default 24 hours. */
  readonly retryWindowMs?: number;
  readonly backoff?: PushBackoff;
  /** How often to look for due deliveries when nothing calls notify(). Default 1 s. */
  readonly pollIntervalMs?: number;
  /** Claims under way at once (each a database connection on PostgreSQL, held across its pushes). Default 4. */
  readonly concurrency?: number;
  /** Deliveries (of different subjects) one claim takes and pushes at once. Default 8. */
  readonly claimBatch?: number;
  /** Deliveries one cycle sends at most before it looks at stop() again. Default 200. */
  readonly batchSize?: number;
  /** A number in [0, 1) for the jitter (tests make it fixed). Default Math.random. */
  readonly random?: () => number;
  /** Wakes the worker when a change that wrote events commits. */
  readonly notifier?: EventNotifier;
  /** Hears each attempt's outcome (the /metrics counter). */
  readonly counted?: (outcome: PushOutcome, delivery: { readonly tenantId: string; readonly streamId: string; readonly error?: string }) => void;
  /** Runs now and then between cycles (retention: pruneEvents); its failure is logged. */
  readonly housekeeping?: () => Promise<unknown>;
  /** How often housekeeping runs. Default 60 s. */
  readonly housekeepingIntervalMs?: number;
  /** Resolves receiver host names (tests); the system resolver by default. */
  readonly resolve?: (host: string) => Promise<readonly string[]>;
}

export interface PushDrainResult {
  readonly delivered: number;
  readonly retried: number;
  readonly failed: number;
}

export interface PushWorker {
  /** Starts in the background; calling it again does nothing. */
  start(): void;
  /** Stops, and resolves once the pushes under way are answered and recorded (or, after abort(), left pending). */
  stop(): Promise<void>;
  /** Cuts the pushes under way: their deliveries stay pending as they were. For a stop that cannot wait. */
  abort(): void;
  /** Asks for a cycle soon. */
  notify(): void;
  /** Delivers until nothing is due at the clock's time (tests, bench). Database errors reject. */
  drain(): Promise<PushDrainResult>;
}

type Outcome = 'none' | PushOutcome;

const FACTORY = 'createPushWorker';

export function createPushWorker(options: PushWorkerOptions): PushWorker {
  const { store, clock, logger, signingKeys, issuer } = options;
  const timeoutMs = positive(FACTORY, 'timeoutMs', options.timeoutMs ?? 10_000);
  const retryWindowMs = positive(FACTORY, 'retryWindowMs', options.retryWindowMs ?? 24 * 3_600_000);
  const pollIntervalMs = positive(FACTORY, 'pollIntervalMs', options.pollIntervalMs ?? 1_000);
  const concurrency = positive(FACTORY, 'concurrency', options.concurrency ?? 4);
  const batchSize = positive(FACTORY, 'batchSize', options.batchSize ?? 200);
  const claimBatch = positive(FACTORY, 'claimBatch', options.claimBatch ?? 8);
  const housekeepingIntervalMs = positive(FACTORY, 'housekeepingIntervalMs', options.housekeepingIntervalMs ?? 60_000);
  const nextAttemptAt = createBackoff({ factory: FACTORY, settings: options.backoff, defaultBaseMs: 10_000, random: options.random, clock });

  let box: Promise<SecretBox> | undefined;
  const secretBox = () => {
    box ??= serverSecret(store, 'event-stream-secrets').then(createSecretBox, (error: unknown) => {
      box = undefined;
      throw error;
    });
    return box;
  };

  async function send(row: PushDeliveryRow): Promise<PushResult> {
    let authorization: string | undefined;
    if (row.authorization_header !== null) {
      const opened = (await secretBox()).open(row.authorization_header, `stream-authorization:${row.tenant_id}:${row.stream_id}`);
      if (opened === undefined) {
        return { outcome: 'retry', error: "the stream's authorization header cannot be opened (sealed under another server secret); set it again" };
      }
      authorization = new TextDecoder().decode(opened);
    }
    const token = await signSet(signingKeys, row, issuer, clock());
    return pushSet({
      url: row.endpoint_url,
      token,
      authorization,
      allowHttpLoopback: options.allowHttpLoopback,
      timeoutMs,
      signal: loop.signal,
      ...(options.resolve ? { resolve: options.resolve } : {}),
    });
  }

  type Totals = { delivered: number; retry: number; failed: number };

  /**
   * Pushes claimed deliveries (of different subjects) at once and records their outcomes with q (the claiming
   * transaction, or the store). A stop that aborts one push leaves them all as they were (on PostgreSQL the claim
   * rolls back): those the receiver already took are sent again after the restart, with the same jti.
   */
  async function attemptAll(q: Queryable, rows: readonly PushDeliveryRow[]): Promise<Totals> {
    const results = await Promise.all(rows.map((row) => send(row).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))))));
    const aborted = results.findIndex((r) => r instanceof PushAborted);
    if (aborted >= 0) throw new DeliveryAborted({ tenantId: rows[aborted]!.tenant_id, streamId: rows[aborted]!.stream_id, jti: rows[aborted]!.jti });
    const broken = results.find((r): r is Error => r instanceof Error);
    if (broken) throw broken;
    const now = clock();
    const totals: Totals = { delivered: 0, retry: 0, failed: 0 };
    const delivered = rows.filter((_, i) => (results[i] as PushResult).outcome === 'delivered');
    if (delivered.length > 0) {
      const changed = await markPushDelivered(q, delivered, now);
      for (const row of delivered) {
        if (changed.has(deliveryKey(row))) tally(row, 'delivered');
        logger.debug('event delivered', { tenantId: row.tenant_id, streamId: row.stream_id, jti: row.jti, attempts: row.attempts + 1 });
        options.counted?.('delivered', { tenantId: row.tenant_id, streamId: row.stream_id });
      }
      totals.delivered = delivered.length;
    }
    for (const [i, row] of rows.entries()) {
      const result = results[i] as PushResult;
      if (result.outcome === 'delivered') continue;
      totals[await recordFailure(q, row, result, now)]++;
    }
    return totals;
  }

  async function recordFailure(q: Queryable, row: PushDeliveryRow, result: Exclude<PushResult, { outcome: 'delivered' }>, now: Date): Promise<'retry' | 'failed'> {
    const attempts = row.attempts + 1;
    const key: DeliveryKey = { tenantId: row.tenant_id, streamId: row.stream_id, eventId: row.event_id };
    const fields = { tenantId: row.tenant_id, streamId: row.stream_id, jti: row.jti, attempts };
    const error = clip(result.error);
    if (result.outcome === 'refused' || now.getTime() - new Date(row.created_at).getTime() >= retryWindowMs) {
      const final = result.outcome === 'refused' ? error : clip(`${error} (given up after ${attempts} attempts over ${Math.round(retryWindowMs / 3_600_000)} h)`);
      if (await markPushFailed(q, key, attempts, final)) tally(row, 'failed', { text: final, at: now });
      logger.warn('event delivery failed', { ...fields, error: final });
      options.counted?.('failed', { tenantId: row.tenant_id, streamId: row.stream_id, error: final });
      return 'failed';
    }
    const next = nextAttemptAt(attempts);
    if (await markPushRetry(q, key, row.subject_key, attempts, error, next)) tally(row, 'retry', { text: error, at: now });
    logger.info('event not delivered, will retry', { ...fields, error, nextAttemptAt: next.toISOString() });
    options.counted?.('retry', { tenantId: row.tenant_id, streamId: row.stream_id, error });
    return 'retry';
  }

  // The streams' counters and latest errors, added up in memory and written once a cycle: written with each
  // delivery, every push to a stream would wait for the commit of the one before on the stream's row. A crash
  // between a delivery and the write loses the count, never the delivery.
  const tallies = new Map<string, { tenantId: string; streamId: string } & { -readonly [K in keyof StreamTally]: StreamTally[K] }>();
  function tally(row: PushDeliveryRow, outcome: PushOutcome, error?: { text: string; at: Date }): void {
    const k = `${row.tenant_id}/${row.stream_id}`;
    let t = tallies.get(k);
    if (!t) tallies.set(k, (t = { tenantId: row.tenant_id, streamId: row.stream_id, delivered: 0, failed: 0, lastError: undefined }));
    if (outcome === 'delivered') t.delivered++;
    if (outcome === 'failed') t.failed++;
    if (error && (!t.lastError || t.lastError.at <= error.at)) t.lastError = error;
  }
  async function flushTallies(): Promise<void> {
    const pending = [...tallies.values()];
    tallies.clear();
    for (const t of pending) await addStreamTallies(store, t.tenantId, t.streamId, t);
  }

  /** Candidates a claim looks at: more than can be in flight (this worker's lanes and a few other workers'). */
  const candidateLimit = concurrency * claimBatch * 2 + claimBatch;

  // PostgreSQL: the row locks are held from the claim to the commit of the outcomes, across the pushes. The
  // statements after the claim touch the locked rows, their subjects' later deliveries (which no one can hold: they
  // are not claimable) and nothing else: nothing to deadlock on, so the store never re-runs the transaction (a
  // re-run after a push would push again).
  function deliverLocked(): Promise<Totals | 'none'> {
    return store.transaction(async (tx) => {
      const rows = await claimDuePush(tx, clock(), candidateLimit, claimBatch);
      return rows.length > 0 ? attemptAll(tx, rows) : 'none';
    });
  }

  async function deliverClaimed(): Promise<Totals | 'none'> {
    const claims = claimsOf(store);
    const rows = await claims.lock(async () => {
      const claimed: PushDeliveryRow[] = [];
      const limit = claims.held.size + candidateLimit;
      for (const row of await claimDuePush(store, clock(), limit, claims.held.size + claimBatch, false)) {
        if (claimed.length >= claimBatch) break;
        if (claims.held.has(claimKey(row))) continue;
        claims.held.add(claimKey(row));
        claimed.push(row);
      }
      return claimed;
    });
    if (rows.length === 0) return 'none';
    try {
      return await attemptAll(store, rows);
    } finally {
      await claims.lock(async () => {
        for (const row of rows) claims.held.delete(claimKey(row));
      });
    }
  }

  const deliverSome = store.kind === 'postgres' ? deliverLocked : deliverClaimed;

  /** One cycle: up to batchSize deliveries, `concurrency` claims at a time; each delivery keeps its own schedule. */
  async function cycle(totals: Totals): Promise<'more' | 'idle'> {
    let budget = batchSize;
    let idle = false;
    const lane = async () => {
      while (!loop.stopping && !idle && budget > 0) {
        budget -= claimBatch;
        const outcome = await deliverSome();
        if (outcome === 'none') idle = true;
        else for (const k of ['delivered', 'retry', 'failed'] as const) totals[k] += outcome[k];
      }
    };
    const lanes = await Promise.allSettled(Array.from({ length: concurrency }, lane));
    await flushTallies();
    const failed = lanes.find((l): l is PromiseRejectedResult => l.status === 'rejected');
    if (failed) throw failed.reason;
    return idle || loop.stopping ? 'idle' : 'more';
  }

  let lastHousekeeping = 0;
  async function housekeep(): Promise<void> {
    if (!options.housekeeping || Date.now() - lastHousekeeping < housekeepingIntervalMs) return;
    lastHousekeeping = Date.now();
    try {
      await options.housekeeping();
    } catch (error) {
      logger.error('event retention failed', { error: clip(errorText(error)) });
    }
  }

  const loop = createWorkerLoop({
    cycle: () => cycle({ delivered: 0, retry: 0, failed: 0 }),
    pollIntervalMs,
    failed(error) {
      if (error instanceof DeliveryAborted) logger.info('event push aborted by the stop; it stays pending', error.fields);
      else logger.error('event push cycle failed', { error: clip(errorText(error)) });
    },
    between: housekeep,
    aborter: newAborter,
  });

  options.notifier?.subscribe(() => loop.notify());

  return {
    start: loop.start,
    stop: loop.stop,
    abort: loop.abort,
    notify: loop.notify,
    drain() {
      const totals = { delivered: 0, retry: 0, failed: 0 };
      return loop.drain(
        () => cycle(totals),
        () => totals.delivered + totals.retry + totals.failed,
        () => ({ delivered: totals.delivered, retried: totals.retry, failed: totals.failed }),
      );
    },
  };
}

/** A push that abort() cut short; its delivery was left as it was. */
class DeliveryAborted extends Error {
  override readonly name = 'DeliveryAborted';
  constructor(readonly fields: Record<string, unknown>) {
    super('event push aborted');
  }
}

const claimsOf = createStoreClaims();

// A subject, not a delivery: while one delivery of a subject is claimed, the subject's next is not due anyway, and
// this keeps it so should the first one's outcome be written before its claim is dropped.
const deliveryKey = (row: PushCandidate) => `${row.tenant_id}/${row.stream_id}/${row.event_id}`;
const claimKey = (row: PushCandidate) => `${row.tenant_id}/${row.stream_id}/${row.subject_key}`;

/** Every push in flight listens to the one signal: more than Node's default ten listeners is expected. */
function newAborter(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}
