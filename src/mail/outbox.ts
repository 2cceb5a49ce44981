// Queueing mail: a mail is a row in the outbox, written in the transaction of the change that causes it.
import type { Queryable } from '../store/index.js';
import { insertOutboxMail, requeueFailedMail as requeueFailed } from './queries.js';

export type MailKind = 'welcome' | 'reset' | 'email-changed' | 'password-changed' | 'mfa-changed';

export interface OutgoingMail {
  readonly tenantId: string;
  /** A fresh UUID, chosen by the caller like every other id. */
  readonly id: string;
  readonly kind: MailKind;
  /** The user the mail is about, for the per-user limit of account mails; undefined for mail about no user. */
  readonly userId?: string;
  /** One bare address (`jane@example.com`): never a list, never a display name. */
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

// One mailbox, nothing that an address parser could read as a second recipient or a header.
const SINGLE_ADDRESS = /^[^\s@,;:<>()[\]"\\]+@[^\s@,;:<>()[\]"\\]+$/;

/**
 * Queues a mail. Run it with the caller's own transaction, so that the mail exists exactly when the change
 * that causes it commits; then call the worker's notify() after the commit to have it go out at once.
 */
/** Whether the text is one bare e-mail address that mail can be sent to. */
export function isMailAddress(text: string): boolean {
  return SINGLE_ADDRESS.test(text) && !/[\u0000-\u001f\u007f]/.test(text);
}

export async function enqueueMail(tx: Queryable, mail: OutgoingMail, now: Date): Promise<void> {
  if (!isMailAddress(mail.to)) {
    throw new TypeError('enqueueMail: `to` must be a single bare e-mail address');
  }
  await insertOutboxMail(
    tx,
    {
      tenantId: mail.tenantId,
      id: mail.id,
      kind: mail.kind,
      userId: mail.userId ?? null,
      recipient: mail.to,
      subject: mail.subject,
      textBody: mail.text,
      htmlBody: mail.html,
    },
    now,
  );
}

/** Makes the mail the worker gave up on due again, for an operator once the cause is fixed; returns how many. */
export function requeueFailedMail(q: Queryable, now: Date): Promise<number> {
  return requeueFailed(q, now);
}
