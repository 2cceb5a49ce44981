// The embedded transport: each mail an RFC 5322 .eml file under a directory, announced by one log line.
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/http/logger.js';
import { createFileTransport } from '../../src/mail/transport.js';
import { welcomeMail } from '../../src/mail/templates.js';
import { parseMail } from './smtp-sink.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'usher-mail-'));
});
afterEach(() => rm(root, { recursive: true, force: true }));

function capture() {
  const lines: Record<string, unknown>[] = [];
  return { lines, logger: createLogger('debug', (line) => lines.push(JSON.parse(line) as Record<string, unknown>)) };
}

const content = welcomeMail({
  tenant: { name: 'Acme Portal' },
  user: { displayName: 'Zoë Jensen', userName: 'zjensen' },
  link: 'https://portal.acme.example/welcome?token=abc123',
  expiresInDays: 7,
});
const message = { from: 'Acme Portal <no-reply@acme.example>', to: 'zoe@example.com', ...content };

describe('the file transport', () => {
  it('writes a parseable .eml, creating the directory, and leaves no temporary file', async () => {
    const dir = join(root, 'mail');
    const { logger } = capture();
    const transport = createFileTransport(dir, logger);
    await transport.send(message);
    await transport.close();

    const files = await readdir(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^[^.].*\.eml$/);
    const raw = await readFile(join(dir, files[0]!), 'utf8');
    expect(raw).toMatch(/\r\n/);
    expect(raw.replace(/\r\n/g, '')).not.toMatch(/\n/);
    const mail = parseMail(raw);
    expect(mail.headers.get('from')).toBe('Acme Portal <no-reply@acme.example>');
    expect(mail.headers.get('to')).toBe('zoe@example.com');
    expect(mail.headers.get('message-id')).toMatch(/^<.+@.+>$/);
    expect(mail.headers.get('date')).toBeTruthy();
    expect(mail.subject).toBe('Welcome to Acme Portal');
    expect(mail.text).toBe(content.text);
    expect(mail.html).toBe(content.html);
  });

  it('keeps the files to the server user, since their links are secrets', async () => {
    const dir = join(root, 'mail');
    const transport = createFileTransport(dir, capture().logger);
    await transport.send(message);
    const [file] = await readdir(dir);
    expect((await stat(join(dir, file!))).mode & 0o777).toBe(0o600);
  });

  it('logs one line with the file path, never the link (the file is the place to read it)', async () => {
    const dir = join(root, 'mail');
    const { lines, logger } = capture();
    const transport = createFileTransport(dir, logger);
    await transport.send(message);
    const [file] = await readdir(dir);
    expect(lines).toEqual([expect.objectContaining({ level: 'info', msg: 'mail written', path: join(dir, file!) })]);
    expect(lines[0]).not.toHaveProperty('link');
    expect(JSON.stringify(lines)).not.toContain('abc123');
  });

  it('writes one file per mail', async () => {
    const transport = createFileTransport(root, capture().logger);
    await Promise.all(Array.from({ length: 5 }, (_, i) => transport.send({ ...message, subject: `mail ${i}` })));
    const files = (await readdir(root)).filter((f) => f.endsWith('.eml'));
    expect(files).toHaveLength(5);
    const subjects = await Promise.all(files.map(async (f) => parseMail(await readFile(join(root, f), 'utf8')).subject));
    expect(subjects.sort()).toEqual(['mail 0', 'mail 1', 'mail 2', 'mail 3', 'mail 4']);
  });

  it('fails with a MailTransportError when the directory cannot be written', async () => {
    await writeFile(join(root, 'a-file'), '');
    const { lines, logger } = capture();
    const transport = createFileTransport(join(root, 'a-file', 'mail'), logger);
    await expect(transport.send(message)).rejects.toMatchObject({ name: 'MailTransportError', message: expect.stringMatching(/^ENOTDIR: /) });
    expect(lines).toEqual([]);
  });
});

describe('temporary files left by a write that never finished (kill -9)', () => {
  it('are removed when the transport is created, before any mail is sent; mails and other files stay', async () => {
    const dir = join(root, 'mail');
    await mkdir(dir);
    const leftover = '.2030-01-01T00-00-00-000Z-0badcafe.eml.tmp';
    await writeFile(join(dir, leftover), 'Subject: Welcome\r\n\r\nhttps://portal.acme.example/welcome?token=secret\r\n');
    await writeFile(join(dir, '2030-01-01T00-00-00-000Z-12345678.eml'), 'a finished mail');
    await writeFile(join(dir, 'notes.tmp'), 'not ours');
    const transport = createFileTransport(dir, capture().logger);
    await transport.close();
    expect((await readdir(dir)).sort()).toEqual(['2030-01-01T00-00-00-000Z-12345678.eml', 'notes.tmp']);
  });

  it('a directory that does not exist yet is no error', async () => {
    const { lines, logger } = capture();
    await createFileTransport(join(root, 'none'), logger).close();
    expect(lines).toEqual([]);
  });
});

