// Delivers the outbox: each due mail is sent once, retried with exponential backoff, and given up after maxAttempts.
//
// Delivery is at least once, never at most once: a mail is marked sent only after the transport accepted it, so
// a crash or a failed database write between the two sends it again later. The other order (mark, commit, then
// send) loses the mail when the send fails or the process dies in between, and this module exists so that mail is
// never lost. The window for a duplicate is kept to one mail: each mail is claimed, sent and marked on its own,
// never a batch under one commit.
//
// Several workers, in one process or many, never send the same mail in normal operation:
// - PostgreSQL: the mail is claimed with `for update skip locked` in a transaction that stays open while it is
//   sent and marked, so another worker skips it, and a worker that dies releases it at once (the lock goes with
//   its connection). The transaction's connection is held for the length of one send, bounded by the transport's
//   timeouts.
// - PGlite: one process owns the database (a lock file ensures it) and PGlite runs one transaction at a time for
//   the whole server, so a transaction held open across an SMTP conversation would stall every request. The
//   claim is kept in memory instead, per store: claims are taken and dropped under one per-store mutex, and a
//   mail's outcome is written before its claim is dropped, so no other worker of the process can read it as due
//   while it is being sent or after it was sent.
//
// A stop that cannot wait for a send (a relay that accepted the connection and never answers) aborts it: the
// mail is left exactly as it was, due, and is sent after the restart (at least once: the relay may have taken it).
//
// A mail given up on stays in the outbox with sent_at null, its last_error, and next_attempt_at = 'infinity'
// (never due again); requeueFailedMail() in outbox.ts makes such mail due again once the cause is fixed.
import type { Logger } from '../http/logger.js';
import { createBackoff } from '../queue/backoff.js';
import { createStoreClaims } from '../queue/claims.js';
import { clip, errorText } from '../queue/error-text.js';
import { positive } from '../queue/options.js';
import { createWorkerLoop } from '../queue/worker-loop.js';
import type { Queryable, Store } from '../store/index.js';
import { claimDueMail, markMailFailed, markMailSent, selectDueMail, type OutboxRow } from './queries.js';
import { MailTransportError, type MailTransport } from './transport.js';

export interface MailBackoff {
  /** Delay after the first failed attempt; it doubles with each further one. Default 30 s. */
  readonly baseMs?: number;
  /** Longest delay between attempts. Default 1 hour. */
  readonly capMs?: number;
  /** Each delay is shortened by up to this fraction, at random, so that retries spread out. Default 0.2. */
  readonly jitter?: number;
}

export interface MailWorkerOptions {
  readonly store: Store;
  readonly transport: MailTransport;
  readonly clock: () => Date;
  readonly logger: Logger;
  /** The From of every mail, e.g. `Acme Portal <no-reply@acme.example>`. */
  readonly from: string;
  /** How often to look for due mail when nothing calls notify(). Default 5 s. */
  readonly pollIntervalMs?: number;
  /** Mails one cycle sends at most before it looks at stop() again. Default 20. */
  readonly batchSize?: number;
  /** Attempts before a mail is given up on. Default 30: about a day with the default backoff. */
  readonly maxAttempts?: number;
  readonly backoff?: MailBackoff;
  /** A number in [0, 1) for the jitter (tests make it fixed). Default Math.random. */
  readonly random?: () => number;
  /** Hears each attempt's outcome (the /metrics counter). */
  readonly counted?: (outcome: 'sent' | 'written' | 'retry' | 'givenUp') => void;
}

export interface DrainResult {
  /** Mails the transport accepted. */
  readonly sent: number;
  /** Failed attempts that were scheduled again. */
  readonly deferred: number;
  /** Mails given up on after maxAttempts. */
  readonly failed: number;
}

export interface MailWorker {
  /** Starts polling in the background; calling it again does nothing. */
  start(): void;
  /** Stops polling, and resolves once the mail being sent, if any, is marked (or, after abort(), left queued). */
  stop(): Promise<void>;
  /** Aborts the sends under way: their mails stay queued as they were, due at once. For a stop that cannot wait. */
  abort(): void;
  /** Asks for a cycle soon, e.g. after a transaction that queued mail has committed. */
  notify(): void;
  /** Delivers until no mail is due at the clock's time (tests, CLI). Database errors reject. */
  drain(): Promise<DrainResult>;
}

type Outcome = 'none' | 'sent' | 'deferred' | 'failed';

const FACTORY = 'createMailWorker';

export function createMailWorker(options: MailWorkerOptions): MailWorker {
  const { store, transport, clock, logger, from } = options;
  const pollIntervalMs = positive(FACTORY, 'pollIntervalMs', options.pollIntervalMs ?? 5_000);
  const batchSize = positive(FACTORY, 'batchSize', options.batchSize ?? 20);
  const maxAttempts = positive(FACTORY, 'maxAttempts', options.maxAttempts ?? 30);
  const nextAttemptAt = createBackoff({ factory: FACTORY, settings: options.backoff, defaultBaseMs: 30_000, random: options.random, clock });

  /** Sends one claimed mail and records the outcome with q (the claiming transaction, or the store). */
  async function attempt(q: Queryable, row: OutboxRow): Promise<Outcome> {
    const attempts = row.attempts + 1;
    const fields = { tenantId: row.tenant_id, mailId: row.id, kind: row.kind, attempts };
    const signal = loop.signal;
    try {
      await transport.send({ from, to: row.recipient, subject: row.subject, text: row.text_body, html: row.html_body }, signal);
    } catch (error) {
      // Not an attempt that failed: the stop cut it short. Nothing is written (on PostgreSQL the claim rolls back).
      if (signal.aborted) throw new SendAborted(row);
      const reason = describe(error);
      if (attempts >= maxAttempts) {
        await markMailFailed(q, row.tenant_id, row.id, attempts, reason, null);
        logger.error('mail given up', { ...fields, error: reason });
        options.counted?.('givenUp');
        return 'failed';
      }
      const next = nextAttemptAt(attempts);
      await markMailFailed(q, row.tenant_id, row.id, attempts, reason, next);
      logger.warn('mail not sent, will retry', { ...fields, error: reason, nextAttemptAt: next.toISOString() });
      options.counted?.('retry');
      return 'deferred';
    }
    await markMailSent(q, row.tenant_id, row.id, attempts, clock());
    // A file is no delivery: whoever reads the log must not believe the user got the mail.
    logger.info(transport.delivers === 'file' ? 'mail written to file, not delivered' : 'mail sent', fields);
    options.counted?.(transport.delivers === 'file' ? 'written' : 'sent');
    return 'sent';
  }

  // PostgreSQL: the row lock is held from the claim to the commit of the outcome, across the send. skip locked never
  // waits and the statements after the claim touch only the locked row, so the transaction can neither deadlock nor
  // fail serialization: the store has no reason to re-run it (a re-run after a send would send again).
  function deliverLocked(): Promise<Outcome> {
    return store.transaction(async (tx) => {
      const row = await claimDueMail(tx, clock());
      return row ? attempt(tx, row) : 'none';
    });
  }

  // PGlite: see the module comment and src/queue/claims.ts. No transaction is open while the transport works.
  async function deliverClaimed(): Promise<Outcome> {
    const claims = claimsOf(store);
    const row = await claims.lock(async () => {
      const due = await selectDueMail(store, clock(), claims.held.size + 1);
      const free = due.find((r) => !claims.held.has(claimKey(r)));
      if (free) claims.held.add(claimKey(free));
      return free;
    });
    if (!row) return 'none';
    try {
      return await attempt(store, row);
    } finally {
      // Released under the same mutex as the claim, so no claim can pair a read from before the mark with a
      // claim set from after it.
      await claims.lock(async () => claims.held.delete(claimKey(row)));
    }
  }

  const deliverOne = store.kind === 'postgres' ? deliverLocked : deliverClaimed;

  /**
   * One cycle: up to batchSize due mails. A failure does not end it: each mail keeps its own schedule, so while
   * the relay is down every due mail is tried when its time comes and put off by its own backoff, instead of one
   * mail per poll while the others wait their turn.
   */
  async function cycle(totals: { sent: number; deferred: number; failed: number }): Promise<'more' | 'idle'> {
    for (let i = 0; i < batchSize; i++) {
      if (loop.stopping) return 'idle';
      const outcome = await deliverOne();
      if (outcome === 'none') return 'idle';
      totals[outcome]++;
    }
    return 'more';
  }

  const loop = createWorkerLoop({
    cycle: () => cycle({ sent: 0, deferred: 0, failed: 0 }),
    pollIntervalMs,
    failed(error) {
      if (error instanceof SendAborted) logger.info('mail send aborted by the stop; it stays queued', error.fields);
      else logger.error('mail worker cycle failed', { error: describe(error) });
    },
  });

  return {
    start: loop.start,
    stop: loop.stop,
    abort: loop.abort,
    notify: loop.notify,
    drain() {
      const totals = { sent: 0, deferred: 0, failed: 0 };
      return loop.drain(() => cycle(totals), () => totals.sent + totals.deferred + totals.failed, () => totals);
    },
  };
}

/** A send that abort() cut short; its mail was left as it was. */
class SendAborted extends Error {
  override readonly name = 'SendAborted';
  readonly fields: Record<string, unknown>;
  constructor(row: OutboxRow) {
    super('mail send aborted');
    this.fields = { tenantId: row.tenant_id, mailId: row.id, kind: row.kind };
  }
}

const claimsOf = createStoreClaims();
const claimKey = (row: OutboxRow) => `${row.tenant_id}/${row.id}`;

// Transports make their own errors safe to store (MailTransportError); anything else is cut short.
function describe(error: unknown): string {
  return clip(error instanceof MailTransportError ? error.message : errorText(error));
}
