// SQL for the mail outbox (sql/0004_accounts.sql): queueing a mail, and the worker's claim and outcome statements.
import type { Queryable } from '../store/index.js';

export interface OutboxRow {
  [key: string]: unknown;
  tenant_id: string;
  id: string;
  kind: string;
  recipient: string;
  subject: string;
  /** Cleared (null in the table) once the mail is sent; the due mail these rows are read as always has it. */
  text_body: string;
  html_body: string;
  attempts: number;
}

export interface OutboxInsert {
  readonly tenantId: string;
  readonly id: string;
  readonly kind: string;
  readonly userId?: string | null;
  readonly recipient: string;
  readonly subject: string;
  readonly textBody: string;
  readonly htmlBody: string;
}

const DUE_COLUMNS = 'tenant_id, id, kind, recipient, subject, text_body, html_body, attempts';

/** A new mail is due at once: next_attempt_at is its creation time. */
export async function insertOutboxMail(tx: Queryable, mail: OutboxInsert, now: Date): Promise<void> {
  await tx.query(
    `insert into outbox (tenant_id, id, kind, recipient, subject, text_body, html_body, created_at, next_attempt_at, user_id)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)`,
    [mail.tenantId, mail.id, mail.kind, mail.recipient, mail.subject, mail.textBody, mail.htmlBody, now.toISOString(), mail.userId ?? null],
  );
}

/**
 * Locks the most overdue mail that no other transaction holds, for the rest of the caller's transaction.
 * The one query that spans tenants on purpose: delivery is one queue for the whole server, served by
 * outbox_due_idx (next_attempt_at where sent_at is null).
 */
export async function claimDueMail(tx: Queryable, now: Date): Promise<OutboxRow | undefined> {
  const rows = await tx.query<OutboxRow>(
    `select ${DUE_COLUMNS}
       from outbox
      where sent_at is null and next_attempt_at <= $1
      order by next_attempt_at
      limit 1
        for update skip locked`,
    [now.toISOString()],
  );
  return rows[0];
}

/**
 * The most overdue mail, without locking: for PGlite, where one process owns the database and the worker keeps
 * its claims in memory (see worker.ts). Returns up to `limit` rows so that a caller can skip those it holds.
 */
export async function selectDueMail(q: Queryable, now: Date, limit: number): Promise<OutboxRow[]> {
  return q.query<OutboxRow>(
    `select ${DUE_COLUMNS}
       from outbox
      where sent_at is null and next_attempt_at <= $1
      order by next_attempt_at
      limit $2`,
    [now.toISOString(), limit],
  );
}

/**
 * Marks a mail sent and clears its body: its links are secrets, and the row is kept only for what needs no body
 * (the hourly account-mail limit counts rows by user and time; operators see recipient, kind and times).
 */
export async function markMailSent(tx: Queryable, tenantId: string, id: string, attempts: number, now: Date): Promise<void> {
  await tx.query(
    'update outbox set sent_at = $3, attempts = $4, last_error = null, text_body = null, html_body = null where tenant_id = $1 and id = $2',
    [tenantId, id, now.toISOString(), attempts],
  );
}

/** Records a failed attempt; a null nextAttemptAt gives up ('infinity': never due again until an operator requeues it). */
export async function markMailFailed(
  tx: Queryable,
  tenantId: string,
  id: string,
  attempts: number,
  error: string,
  nextAttemptAt: Date | null,
): Promise<void> {
  await tx.query(
    `update outbox set attempts = $3, last_error = $4, next_attempt_at = coalesce($5::timestamptz, 'infinity')
      where tenant_id = $1 and id = $2`,
    [tenantId, id, attempts, error, nextAttemptAt?.toISOString() ?? null],
  );
}

/** Makes every mail that was given up on due again, with a fresh count of attempts; returns how many. */
export async function requeueFailedMail(tx: Queryable, now: Date): Promise<number> {
  const rows = await tx.query(
    `update outbox set attempts = 0, next_attempt_at = $1
      where sent_at is null and next_attempt_at = 'infinity'
      returning id`,
    [now.toISOString()],
  );
  return rows.length;
}

/**
 * The outbox as /metrics shows it: mails not sent and still to be tried, the age of the oldest of them, and mails
 * given up (next attempt 'infinity'). Across tenants: the queue is the server's, not a tenant's. Served by
 * outbox_due_idx (unsent mail only).
 */
export async function selectMailQueueStats(q: Queryable, now: Date): Promise<{ depth: number; oldestSeconds: number; givenUp: number }> {
  const rows = await q.query<{ depth: number; oldest_seconds: number | null; given_up: number }>(
    `select count(*) filter (where next_attempt_at <> 'infinity')::int as depth,
            extract(epoch from $1::timestamptz - min(created_at) filter (where next_attempt_at <> 'infinity'))::float8 as oldest_seconds,
            count(*) filter (where next_attempt_at = 'infinity')::int as given_up
       from outbox where sent_at is null`,
    [now.toISOString()],
  );
  const row = rows[0]!;
  return { depth: row.depth, oldestSeconds: Math.max(0, row.oldest_seconds ?? 0), givenUp: row.given_up };
}
