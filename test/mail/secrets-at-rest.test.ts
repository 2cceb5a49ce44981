// No link outlives its mail where it does not belong: in file mode a mail's link goes to its .eml file and never to
// the log, and a sent mail's body (links included) is cleared from the outbox, keeping what history and the
// account-mail limit need. Through the real app, its mail worker and the file transport.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/http/logger.js';
import { createFileTransport, createMailWorker, type MailTransport, type MailWorker } from '../../src/mail/index.js';
import { createTestContext, postJson, PUBLIC_URL, userBody, type TestContext } from '../helpers/app.js';
import { parseMail } from './smtp-sink.js';

let t: TestContext;
let dir: string;
let transport: MailTransport;
let worker: MailWorker;
const lines: string[] = [];
const logger = createLogger('debug', (line) => lines.push(line));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'usher-secrets-'));
  t = await createTestContext({ logger, auth: { accountMailLimit: 3 } });
  transport = createFileTransport(dir, logger);
  worker = createMailWorker({ store: t.store, transport, clock: () => new Date(), logger, from: 'Acme <no-reply@acme.example>', pollIntervalMs: 60_000 });
});
afterAll(async () => {
  await transport?.close();
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

/** The mails written so far, parsed, oldest first. */
async function written(): Promise<{ file: string; to: string; text: string }[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.eml')).sort();
  return Promise.all(
    files.map(async (file) => {
      const mail = parseMail(await readFile(join(dir, file), 'utf8'));
      return { file, to: mail.headers.get('to') ?? '', text: mail.text };
    }),
  );
}

function tokenIn(text: string, path: '/welcome' | '/reset'): string {
  const match = new RegExp(`${PUBLIC_URL}${path}\\?token=([A-Za-z0-9_%-]+)`).exec(text);
  expect(match, `a ${path} link in:\n${text}`).not.toBeNull();
  return match![1]!;
}

describe('mail in file mode', () => {
  let userId: string;
  let welcomeToken: string;

  beforeAll(async () => {
    const created = await t.client.request('POST', '/Users', userBody('wren@acme.example', { emails: [{ value: 'wren@acme.example', primary: true }] }));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    userId = created.body.id;
    expect(await worker.drain()).toEqual({ sent: 1, deferred: 0, failed: 0 });
    const [mail] = await written();
    welcomeToken = tokenIn(mail!.text, '/welcome');
  });

  it('writes the link to the .eml file, and logs the file without the link', async () => {
    const [mail] = await written();
    const line = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'mail written');
    expect(line).toMatchObject({ level: 'info', path: join(dir, mail!.file) });
    expect(line).not.toHaveProperty('link');
    const log = lines.join('\n');
    expect(log).not.toContain(welcomeToken);
    expect(log).not.toContain(decodeURIComponent(welcomeToken));
    expect(log).not.toContain('/welcome?token=');
  });

  it('clears a sent mail body from the outbox, keeping recipient user, kind and times', async () => {
    const rows = await t.store.query<Record<string, unknown>>(
      'select kind, user_id, recipient, text_body, html_body, created_at is not null as created, sent_at is not null as sent from outbox where tenant_id = $1',
      [t.client.tenantId],
    );
    expect(rows).toEqual([{ kind: 'welcome', user_id: userId, recipient: 'wren@acme.example', text_body: null, html_body: null, created: true, sent: true }]);
    const everything = JSON.stringify(await t.store.query('select * from outbox'));
    expect(everything).not.toContain(welcomeToken);
  });

  it('logs the page behind the link without its token', async () => {
    const page = await t.app.request(`/welcome?token=${welcomeToken}`);
    expect(page.status).toBe(200);
    await page.text();
    expect(lines.some((l) => l.includes('"/welcome"'))).toBe(true);
    expect(lines.join('\n')).not.toContain(welcomeToken);
  });

  it('keeps the link working from the .eml file, and the history of the mail', async () => {
    expect((await postJson(t.app, '/auth/reset', { token: decodeURIComponent(welcomeToken), newPassword: 'copper meadow forty lynx' })).status).toBe(204);
    const history = await t.client.request('GET', `/Users/${userId}/History?filter=${encodeURIComponent('event eq "welcomeEmailSent"')}`);
    expect(history.body.Resources).toEqual([expect.objectContaining({ attribute: 'email', newValue: 'wren@acme.example' })]);
  });

  it('still counts cleared mails toward the hourly account-mail limit', async () => {
    // One welcome was sent; two reset mails reach the limit of 3, and the fourth is refused.
    for (let i = 0; i < 2; i++) expect((await t.client.request('POST', `/Users/${userId}/password-reset`)).status).toBe(202);
    await worker.drain();
    const bodies = await t.store.query<{ n: number }>('select count(*)::int as n from outbox where tenant_id = $1 and text_body is not null', [t.client.tenantId]);
    expect(bodies).toEqual([{ n: 0 }]);
    expect((await t.client.request('POST', `/Users/${userId}/password-reset`)).status).toBe(429);
    const resets = (await written()).slice(1);
    expect(resets).toHaveLength(2);
    for (const mail of resets) expect(lines.join('\n')).not.toContain(tokenIn(mail.text, '/reset'));
  });

  it('keeps the body of a mail not yet sent, for the worker to send', async () => {
    const created = await t.client.request('POST', '/Users', userBody('queued@acme.example', { emails: [{ value: 'queued@acme.example', primary: true }] }));
    expect(created.status).toBe(201);
    const [row] = await t.store.query<{ text_body: string | null }>('select text_body from outbox where user_id = $1', [created.body.id]);
    expect(row!.text_body).toContain('/welcome?token=');
    await worker.drain();
    const [after] = await t.store.query<{ text_body: string | null }>('select text_body from outbox where user_id = $1', [created.body.id]);
    expect(after!.text_body).toBeNull();
  });
});
