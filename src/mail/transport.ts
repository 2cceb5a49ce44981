// Delivering one composed mail (RFC 5322): over SMTP with nodemailer, or as an .eml file for a server with no relay.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import type { Logger } from '../http/logger.js';
import { clip } from '../queue/error-text.js';

export interface MailMessage {
  /** An RFC 5322 mailbox: `Usher <no-reply@example.com>` or a bare address. */
  readonly from: string;
  /** One bare address. */
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export interface MailTransport {
  /**
   * Resolves once the mail is accepted (by the relay, or on disk); throws MailTransportError otherwise. The signal
   * aborts the send: its connection is torn down and the promise rejects at once.
   */
  send(message: MailMessage, signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
  /** `file`: mail is written for a developer to read, and reaches no one; the log must not say "sent". */
  readonly delivers?: 'smtp' | 'file';
}

/** A failed send. Its message is short and never holds credentials, so it may be stored and logged. */
export class MailTransportError extends Error {
  override readonly name = 'MailTransportError';
}

export interface SmtpOptions {
  /** Upper bound on one send, connection to final reply (the worker holds a row lock meanwhile). Default 60 s. */
  readonly sendTimeoutMs?: number;
  /** Default 10 s: an unreachable relay should fail fast and be retried later, not hold the queue. */
  readonly connectionTimeoutMs?: number;
}

/**
 * SMTP through nodemailer: `smtp://user:pass@host:587` (STARTTLS when offered), `smtps://...:465` (TLS from the
 * start); query parameters pass nodemailer options through, e.g. `?requireTLS=true`. One connection per mail.
 */
export function createSmtpTransport(smtpUrl: string, options: SmtpOptions = {}): MailTransport {
  let url: URL;
  try {
    url = new URL(smtpUrl);
  } catch {
    throw new TypeError('SMTP_URL is not a URL (expected smtp://user:pass@host:port or smtps://...)');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new TypeError(`SMTP_URL must start with smtp:// or smtps://, not ${url.protocol}//`);
  }
  const secrets = [url.password, safeDecode(url.password)].filter((s) => s.length > 0);
  const connectionTimeout = options.connectionTimeoutMs ?? 10_000;
  const sendTimeoutMs = options.sendTimeoutMs ?? 60_000;
  const transporter = createTransport({
    url: smtpUrl,
    connectionTimeout,
    greetingTimeout: connectionTimeout,
    dnsTimeout: connectionTimeout,
    socketTimeout: sendTimeoutMs,
    // Bodies are strings we made; never let a field be read as a file path or a URL to fetch.
    disableFileAccess: true,
    disableUrlAccess: true,
    // How long a connection closed by an abort (a stop) may wait for the relay's side before it is destroyed:
    // a relay that hangs would otherwise keep it for nodemailer's default of 5 s.
    socketCloseTimeout: 500,
  } as Parameters<typeof createTransport>[0]);
  return {
    async send(message, signal) {
      try {
        await transporter.sendMail({
          from: message.from,
          to: { name: '', address: message.to },
          subject: message.subject,
          text: message.text,
          html: message.html,
          signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(sendTimeoutMs)]) : AbortSignal.timeout(sendTimeoutMs),
        });
      } catch (error) {
        throw new MailTransportError(describe(error, secrets));
      }
    },
    async close() {
      transporter.close();
    },
  };
}

/**
 * The embedded default: each mail becomes an .eml file in `dir` (open it with any mail client), written to a
 * temporary name and renamed, so a reader never sees half a file. Logs the file's path, never the link: a link sets
 * a password, logs travel further than a directory only the server's user can read, and the file holds it anyway.
 *
 * At creation (the server's start) it removes the temporary files a process killed in the middle of a write left
 * behind: they hold the same link tokens as the mails, and no one would ever read or remove them. A write of
 * another process on the same directory that loses its file this way fails its rename, and its mail is retried.
 */
export function createFileTransport(dir: string, logger: Logger): MailTransport {
  const composer = createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  const leftovers = removeTempMailFiles(dir).catch((error: unknown) =>
    logger.warn('could not remove temporary mail files', { dir, error: (error as Error).message }),
  );
  let dirReady: Promise<unknown> | undefined;
  return {
    delivers: 'file',
    async send(message) {
      let raw: Buffer;
      try {
        const info = await composer.sendMail({
          from: message.from,
          to: { name: '', address: message.to },
          subject: message.subject,
          text: message.text,
          html: message.html,
        });
        raw = info.message as Buffer;
      } catch (error) {
        throw new MailTransportError(describe(error, []));
      }
      // Sortable by time, unique without coordination; ':' is avoided for the sake of Windows file systems.
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.eml`;
      const path = join(dir, name);
      const temp = join(dir, `.${name}.tmp`);
      try {
        dirReady ??= leftovers.then(() => mkdir(dir, { recursive: true, mode: 0o700 }));
        await dirReady;
        // The links in these mails are secrets: readable by the server's user only.
        await writeFile(temp, raw, { mode: 0o600, flag: 'wx' });
        await rename(temp, path);
      } catch (error) {
        dirReady = undefined;
        await rm(temp, { force: true }).catch(() => {});
        throw new MailTransportError(describe(error, []));
      }
      logger.info('mail written', { path });
    },
    async close() {
      await leftovers;
    },
  };
}

/** Removes the `.<name>.eml.tmp` files of writes that never finished; returns their names. */
export async function removeTempMailFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    // No directory, nothing left over (a directory that cannot be used is the first send's error to report).
    if (['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) return [];
    throw error;
  }
  const temps = names.filter((name) => name.startsWith('.') && name.endsWith('.eml.tmp'));
  await Promise.all(temps.map((name) => rm(join(dir, name), { force: true })));
  return temps;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

// nodemailer's errors carry a code (ECONNECTION, EAUTH, EENVELOPE...) and the server's reply; a reply may echo
// what it was sent, so the password is blanked wherever it appears, and so is the user-info part of any URL.
function describe(error: unknown, secrets: readonly string[]): string {
  const e = error as { code?: unknown; message?: unknown; name?: unknown };
  const code = typeof e?.code === 'string' ? e.code : typeof e?.name === 'string' ? e.name : 'Error';
  let text = `${code}: ${typeof e?.message === 'string' ? e.message : String(error)}`;
  for (const secret of secrets) text = text.split(secret).join('***');
  return clip(text.replace(/(\w+:\/\/)[^/\s@]*@/g, '$1***@'));
}
