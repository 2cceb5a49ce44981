// Delivering the outbox to a real SMTP server in this process: once, after an outage, and never twice with two
// workers (PGlite, or PostgreSQL when DATABASE_URL is set). Time is an injected clock; nothing waits on real time.
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/http/logger.js';
import { enqueueMail, type OutgoingMail } from '../../src/mail/outbox.js';
import { welcomeMail } from '../../src/mail/templates.js';
import { createFileTransport, createSmtpTransport, MailTransportError, type MailMessage, type MailTransport } from '../../src/mail/transport.js';
import { createMailWorker, type MailWorkerOptions } from '../../src/mail/worker.js';
import { openStore, type Store } from '../../src/store/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { barrier, parseMail, startSmtpSink, type SmtpSink } from './smtp-sink.js';

const engine = process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite';
const AUTH = { user: 'usher', pass: 'p@ss w0rd!' };
const smtpUrl = (port: number, pass = AUTH.pass) => `smtp://${AUTH.user}:${encodeURIComponent(pass)}@127.0.0.1:${port}`;
const FROM = 'Acme Portal <no-reply@acme.example>';

let db: TestDatabase;
let store: Store;
const tenantId = randomUUID();
let now: Date;
const clock = () => now;
let logLines: string[];
const logger = createLogger('debug', (line) => logLines.push(line));
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  store = db.store;
  await store.query('insert into tenants (id, slug, name, created_at) values ($1, $2, $3, $4)', [tenantId, 'acme', 'Acme Portal', new Date().toISOString()]);
});
afterAll(() => db?.close());
beforeEach(async () => {
  now = new Date('2030-01-01T00:00:00.000Z');
  logLines = [];
  await store.query('delete from outbox');
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function sink(options: Parameters<typeof startSmtpSink>[0] = {}): Promise<SmtpSink> {
  const s = await startSmtpSink({ auth: AUTH, ...options });
  cleanups.push(() => s.close());
  return s;
}

function smtp(port: number, pass?: string): MailTransport {
  const transport = createSmtpTransport(smtpUrl(port, pass));
  cleanups.push(() => transport.close());
  return transport;
}

function worker(transport: MailTransport, options: Partial<MailWorkerOptions> = {}) {
  const w = createMailWorker({
    store,
    transport,
    clock,
    logger,
    from: FROM,
    pollIntervalMs: 3_600_000,
    maxAttempts: 5,
    backoff: { baseMs: 60_000, capMs: 3_600_000, jitter: 0.2 },
    random: () => 0.5,
    ...options,
  });
  cleanups.push(() => w.stop());
  return w;
}

function welcome(to = 'bjensen@example.com', id = randomUUID()): OutgoingMail {
  const content = welcomeMail({
    tenant: { name: 'Acme Portal' },
    user: { displayName: 'Barbara Jensen', userName: 'bjensen' },
    link: `https://portal.acme.example/welcome?token=${id}`,
    expiresInDays: 7,
  });
  return { tenantId, id, kind: 'welcome', to, ...content };
}

async function queue(...mails: OutgoingMail[]): Promise<void> {
  await store.transaction(async (tx) => {
    for (const mail of mails) await enqueueMail(tx, mail, now);
  });
}

interface Row {
  [key: string]: unknown;
  id: string;
  attempts: number;
  next_attempt_at: Date;
  sent_at: Date | null;
  last_error: string | null;
  given_up: boolean;
}
async function row(id: string): Promise<Row> {
  const rows = await store.query<Row>(
    `select id, attempts, case when next_attempt_at = 'infinity' then null else next_attempt_at end as next_attempt_at,
            sent_at, last_error, next_attempt_at = 'infinity' as given_up
       from outbox where id = $1`,
    [id],
  );
  return rows[0]!;
}

const advance = (ms: number) => {
  now = new Date(now.getTime() + ms);
};

describe(`the mail worker over SMTP (${engine})`, () => {
  it('delivers a queued mail once, with both bodies', async () => {
    const relay = await sink();
    const mail = welcome();
    await queue(mail);

    expect(await worker(smtp(relay.port)).drain()).toEqual({ sent: 1, deferred: 0, failed: 0 });
    expect(relay.received).toHaveLength(1);
    const [got] = relay.received;
    expect(got!.envelopeFrom).toBe('no-reply@acme.example');
    expect(got!.envelopeTo).toEqual(['bjensen@example.com']);
    expect(got!.headers.get('from')).toBe(FROM);
    expect(got!.headers.get('to')).toBe('bjensen@example.com');
    expect(got!.subject).toBe('Welcome to Acme Portal');
    expect(got!.text).toBe(mail.text);
    expect(got!.html).toBe(mail.html);
    expect(got!.text).toContain(`https://portal.acme.example/welcome?token=${mail.id}`);
    expect(await row(mail.id)).toMatchObject({ attempts: 1, sent_at: now, last_error: null });

    expect(await worker(smtp(relay.port)).drain()).toEqual({ sent: 0, deferred: 0, failed: 0 });
    expect(relay.received).toHaveLength(1);
  });

  it('keeps the mail of a rolled-back change from ever being sent', async () => {
    const relay = await sink();
    await expect(
      store.transaction(async (tx) => {
        await enqueueMail(tx, welcome(), now);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await store.query('select id from outbox')).toEqual([]);
    expect(await worker(smtp(relay.port)).drain()).toEqual({ sent: 0, deferred: 0, failed: 0 });
    expect(relay.received).toEqual([]);
  });

  it('keeps a mail while the SMTP server is down, and sends it once after it is back', async () => {
    const first = await startSmtpSink({ auth: AUTH });
    const port = first.port;
    await first.close();
    const transport = smtp(port);
    const w = worker(transport);
    const mail = welcome();
    await queue(mail);

    expect(await w.drain()).toEqual({ sent: 0, deferred: 1, failed: 0 });
    const waiting = await row(mail.id);
    // First delay: baseMs, shortened by jitter * random = 0.2 * 0.5.
    expect(waiting).toMatchObject({ attempts: 1, sent_at: null, next_attempt_at: new Date(now.getTime() + 54_000), given_up: false });
    expect(waiting.last_error).toMatch(/ECONNREFUSED/);
    expect(waiting.last_error!.length).toBeLessThanOrEqual(300);

    // Not due yet: nothing is tried, even with the server back.
    const relay = await sink({ port });
    expect(await w.drain()).toEqual({ sent: 0, deferred: 0, failed: 0 });
    advance(53_999);
    expect(await w.drain()).toEqual({ sent: 0, deferred: 0, failed: 0 });
    expect(relay.received).toEqual([]);

    advance(1);
    expect(await w.drain()).toEqual({ sent: 1, deferred: 0, failed: 0 });
    expect(relay.received.map((m) => m.subject)).toEqual(['Welcome to Acme Portal']);
    // A failed attempt keeps the body for the next one; only the sent mail's body is cleared.
    expect(relay.received[0]!.text).toBe(mail.text);
    expect(await row(mail.id)).toMatchObject({ attempts: 2, sent_at: now, last_error: null });

    advance(3_600_000);
    expect(await w.drain()).toEqual({ sent: 0, deferred: 0, failed: 0 });
    expect(relay.received).toHaveLength(1);
  });

  it('sends each of 20 mails exactly once with two workers draining at the same time', async () => {
    // The first two sends must be in flight together before either is accepted: proof that the two workers
    // really overlap, each with its own mail (with a plain `for update` the second would wait for the first).
    const relay = await sink({ beforeAccept: barrier(2) });
    const mails = Array.from({ length: 20 }, (_, i) => ({ ...welcome(`user${i}@example.com`), subject: `Mail ${i}` }));
    await queue(...mails);

    // Two server instances: two stores on one PostgreSQL database. PGlite has one process: two workers, one store.
    let otherStore = store;
    if (db.url) {
      const second = await openStore({ databaseUrl: db.url, databasePoolSize: 2, dataDir: undefined });
      cleanups.push(() => second.close());
      otherStore = second;
    }
    const a = worker(smtp(relay.port), { batchSize: 3 });
    const b = worker(smtp(relay.port), { store: otherStore, batchSize: 3 });
    const [fromA, fromB] = await Promise.all([a.drain(), b.drain()]);

    expect(fromA.sent + fromB.sent).toBe(20);
    expect(fromA.sent).toBeGreaterThan(0);
    expect(fromB.sent).toBeGreaterThan(0);
    expect(relay.received).toHaveLength(20);
    expect(new Set(relay.received.map((m) => m.subject)).size).toBe(20);
    expect(new Set(relay.received.flatMap((m) => m.envelopeTo))).toEqual(new Set(mails.map((m) => m.to)));
    const rows = await store.query<{ attempts: number; sent: boolean }>('select attempts, sent_at is not null as sent from outbox');
    expect(rows).toHaveLength(20);
    expect(rows.every((r) => r.sent && r.attempts === 1)).toBe(true);
  });

  it('stores and logs a failed login without the SMTP password', async () => {
    const relay = await sink();
    const wrong = 'hunter2-not-it';
    const mail = welcome();
    await queue(mail);

    expect(await worker(smtp(relay.port, wrong)).drain()).toEqual({ sent: 0, deferred: 1, failed: 0 });
    const stored = await row(mail.id);
    expect(stored.last_error).toMatch(/^EAUTH: /);
    // The relay echoed the password in its reply (see smtp-sink.ts); it is blanked.
    expect(stored.last_error).toContain('with ***');
    expect(stored.last_error).not.toContain(wrong);
    expect(logLines.join('\n')).toContain('mail not sent, will retry');
    expect(logLines.join('\n')).not.toContain(wrong);
    expect(relay.received).toEqual([]);
  });
});

describe(`retries and giving up (${engine})`, () => {
  function failing(): MailTransport & { sends: number } {
    return {
      sends: 0,
      async send() {
        this.sends++;
        throw new MailTransportError('ECONNECTION: relay unreachable');
      },
      async close() {},
    };
  }

  it('doubles the delay after each failure up to the cap, then gives up and says so', async () => {
    const transport = failing();
    const w = worker(transport, { maxAttempts: 5, backoff: { baseMs: 60_000, capMs: 180_000, jitter: 0 } });
    const mail = welcome();
    await queue(mail);

    for (const [attempts, delay] of [
      [1, 60_000],
      [2, 120_000],
      [3, 180_000],
      [4, 180_000],
    ] as const) {
      expect(await w.drain()).toEqual({ sent: 0, deferred: 1, failed: 0 });
      expect(await row(mail.id)).toMatchObject({ attempts, next_attempt_at: new Date(now.getTime() + delay), last_error: 'ECONNECTION: relay unreachable' });
      advance(delay);
    }
    expect(await w.drain()).toEqual({ sent: 0, deferred: 0, failed: 1 });
    expect(await row(mail.id)).toMatchObject({ attempts: 5, sent_at: null, given_up: true, last_error: 'ECONNECTION: relay unreachable' });
    const errors = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.level === 'error');
    expect(errors).toEqual([expect.objectContaining({ msg: 'mail given up', mailId: mail.id, tenantId, kind: 'welcome', attempts: 5 })]);

    advance(365 * 86_400_000);
    expect(await w.drain()).toEqual({ sent: 0, deferred: 0, failed: 0 });
    expect(transport.sends).toBe(5);
  });

  it('tries each due mail once per drain while the relay is down, none twice', async () => {
    const transport = failing();
    await queue(welcome(), welcome(), welcome());
    const w = worker(transport, { batchSize: 10 });
    expect(await w.drain()).toEqual({ sent: 0, deferred: 3, failed: 0 });
    expect(transport.sends).toBe(3);
  });

  it('in the background, retries every queued mail on its own schedule while the relay is down, not one per poll', async () => {
    const transport = failing();
    const mails = [welcome('a@example.com'), welcome('b@example.com'), welcome('c@example.com')];
    await queue(...mails);
    // An hour between polls: whatever is tried was tried by the cycle notify() asked for.
    const w = worker(transport, { pollIntervalMs: 3_600_000, backoff: { baseMs: 60_000, capMs: 3_600_000, jitter: 0 } });
    w.start();
    w.notify();
    await vi.waitFor(() => expect(transport.sends).toBe(3), { timeout: 5_000 });
    for (const mail of mails) expect(await row(mail.id)).toMatchObject({ attempts: 1, next_attempt_at: new Date(now.getTime() + 60_000) });

    // The second attempts come when each mail's own time has come, all of them in one cycle.
    advance(60_000);
    w.notify();
    await vi.waitFor(() => expect(transport.sends).toBe(6), { timeout: 5_000 });
    for (const mail of mails) expect(await row(mail.id)).toMatchObject({ attempts: 2, next_attempt_at: new Date(now.getTime() + 120_000) });
    await w.stop();
  });
});

describe(`the worker in the background (${engine})`, () => {
  function controlled() {
    const sent: MailMessage[] = [];
    let release!: () => void;
    let called!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const sending = new Promise<void>((resolve) => (called = resolve));
    const transport: MailTransport = {
      async send(message) {
        called();
        await gate;
        sent.push(message);
      },
      async close() {},
    };
    return { transport, sent, release, sending };
  }

  it('sends soon after notify(), without waiting for the poll interval', async () => {
    const relay = await sink();
    const w = worker(smtp(relay.port), { pollIntervalMs: 3_600_000 });
    w.start();
    await queue(welcome());
    w.notify();
    await relay.arrivals(1);
    await w.stop();
    expect(relay.received).toHaveLength(1);
  });

  it('finds due mail by polling when nobody calls notify()', async () => {
    const relay = await sink();
    const w = worker(smtp(relay.port), { pollIntervalMs: 10 });
    w.start();
    await queue(welcome());
    await relay.arrivals(1);
    await w.stop();
    expect(relay.received).toHaveLength(1);
  });

  it('stop() waits for the mail being sent and records it', async () => {
    const { transport, sent, release, sending } = controlled();
    const mail = welcome();
    await queue(mail);
    const w = worker(transport);
    w.start();
    await sending;
    let stopped = false;
    const stopping = w.stop().then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(sent).toHaveLength(1);
    expect(await row(mail.id)).toMatchObject({ attempts: 1, sent_at: now });
  });

  it('abort() cuts a send short and leaves its mail queued as it was, due at once', async () => {
    let aborted = false;
    let called!: () => void;
    const sending = new Promise<void>((resolve) => (called = resolve));
    // A relay that never answers: only the signal ends the send.
    const transport: MailTransport = {
      send: (_message, signal) =>
        new Promise<void>((_resolve, reject) => {
          called();
          signal?.addEventListener('abort', () => {
            aborted = true;
            reject(new MailTransportError('AbortError: aborted'));
          });
        }),
      async close() {},
    };
    const mail = welcome();
    await queue(mail);
    const w = worker(transport);
    w.start();
    await sending;
    const stopped = w.stop();
    w.abort();
    await stopped;
    expect(aborted).toBe(true);
    expect(await row(mail.id)).toMatchObject({ attempts: 0, sent_at: null, last_error: null, next_attempt_at: now, given_up: false });
    expect(logLines.map((l) => JSON.parse(l) as Record<string, unknown>)).toContainEqual(
      expect.objectContaining({ level: 'info', msg: 'mail send aborted by the stop; it stays queued', mailId: mail.id }),
    );

    // Sent by the next worker (after the restart).
    const relay = await sink();
    expect(await worker(smtp(relay.port)).drain()).toEqual({ sent: 1, deferred: 0, failed: 0 });
  });

  it('abort() ends an SMTP send to a relay that accepted the connection and never answers, at once', async () => {
    const hung = createServer(() => {});
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    const sockets: Socket[] = [];
    hung.on('connection', (socket) => sockets.push(socket));
    cleanups.push(() => new Promise((resolve) => hung.close(resolve)));
    cleanups.push(async () => sockets.forEach((s) => s.destroy()));
    const mail = welcome();
    await queue(mail);
    const w = worker(smtp((hung.address() as AddressInfo).port));
    w.start();
    await vi.waitFor(() => expect(sockets).toHaveLength(1), { timeout: 5_000 });
    const started = Date.now();
    const stopped = w.stop();
    w.abort();
    await stopped;
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await row(mail.id)).toMatchObject({ attempts: 0, sent_at: null, last_error: null });
    // nodemailer's socket is gone too, not left waiting on the relay.
    await vi.waitFor(() => expect(sockets[0]!.closed).toBe(true), { timeout: 2_000 });
  });

  it('leaves the database free for other work while a mail is being sent', async () => {
    // On PGlite a transaction held across the send would block this until the send ends: the test would time out.
    const { transport, release, sending } = controlled();
    const mail = welcome();
    await queue(mail);
    const w = worker(transport);
    const drained = w.drain();
    await sending;
    const other = welcome();
    await queue(other);
    expect((await row(other.id)).sent_at).toBeNull();
    release();
    expect(await drained).toEqual({ sent: 2, deferred: 0, failed: 0 });
  });
});

describe(`the embedded default: .eml files (${engine})`, () => {
  it('writes each queued mail as a file, marks it sent and clears its body; the link is in the file, not the log', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'usher-mail-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const mail = welcome();
    await queue(mail);
    expect(await worker(createFileTransport(join(dir, 'mail'), logger)).drain()).toEqual({ sent: 1, deferred: 0, failed: 0 });
    const files = await readdir(join(dir, 'mail'));
    expect(files).toHaveLength(1);
    const parsed = parseMail(await readFile(join(dir, 'mail', files[0]!), 'utf8'));
    expect(parsed.headers.get('to')).toBe('bjensen@example.com');
    expect(parsed.text).toBe(mail.text);
    expect(parsed.text).toContain(`https://portal.acme.example/welcome?token=${mail.id}`);
    expect(logLines.join('\n')).toContain(join(dir, 'mail', files[0]!));
    expect(logLines.join('\n')).not.toContain(`?token=${mail.id}`);
    expect(await row(mail.id)).toMatchObject({ sent_at: now });
    expect(await store.query('select text_body, html_body from outbox where id = $1', [mail.id])).toEqual([{ text_body: null, html_body: null }]);
  });
});
