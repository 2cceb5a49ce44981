// The server as a process at its edges: endless chunked bodies refused at the bound, clients that go away mid-request.
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { killAll, removeDir, startServer, tempDataDir, type ServerProcess } from './helpers/processes.js';

const TOKEN = 'bootstrap_edges_0123456789abcdefghijklmnopqrstuvwxyz';
const MiB = 1024 * 1024;

let database: TestDatabase | undefined;
let dir: string;
let server: ServerProcess;

beforeAll(async () => {
  if (process.env.DATABASE_URL) database = await createTestDatabase();
  dir = tempDataDir();
  server = await startServer({
    DATA_DIR: dir,
    ...(database ? { DATABASE_URL: database.url! } : {}),
    USHER_BOOTSTRAP_TENANT: 'acme',
    USHER_BOOTSTRAP_TOKEN: TOKEN,
  });
}, 90_000);
afterAll(async () => {
  await server?.stop();
  killAll();
  await database?.close();
  if (dir) removeDir(dir);
});

/** The server's resident memory, from /proc. */
function residentBytes(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) * 1024;
}

interface Refusal {
  readonly status: number | undefined;
  readonly headers: Record<string, unknown>;
  readonly body: string;
  /** Bytes of body the client had written when the answer came. */
  readonly writtenBeforeAnswer: number;
  /** Whether the server closed the connection within a few seconds of its answer. */
  readonly closed: boolean;
}

/**
 * Sends up to `total` bytes of body with no Content-Length (so chunked), 64 KiB every few milliseconds, and stops
 * at the first answer.
 */
async function sendChunked(method: string, path: string, headers: Record<string, string>, total = 64 * MiB): Promise<Refusal> {
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  const request = httpRequest(new URL(path, server.url), { method, headers: { 'Content-Type': 'application/json', ...headers } });
  let written = 0;
  let answered: Refusal | undefined;
  const closed = new Promise<void>((resolve) => request.once('close', resolve));
  const answer = new Promise<Refusal>((resolve) => {
    request.once('response', (response) => {
      const writtenBeforeAnswer = written;
      let body = '';
      response.setEncoding('utf8').on('data', (piece: string) => (body += piece));
      response.once('end', () => {
        answered = { status: response.statusCode, headers: response.headers, body, writtenBeforeAnswer, closed: false };
        resolve(answered);
      });
    });
  });
  request.on('error', () => {});
  request.write('{"tenant":"acme","userName":"');
  while (written < total && !answered && !request.destroyed) {
    request.write(chunk);
    written += chunk.length;
    await new Promise((resolve) => setTimeout(resolve, 2));
    if (request.writableNeedDrain) await Promise.race([new Promise((resolve) => request.once('drain', resolve)), answer, closed]);
  }
  const result = await Promise.race([answer, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 10_000))]);
  const wasClosed = await Promise.race([closed.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5000))]);
  request.destroy();
  if (!result) throw new Error(`no answer to ${method} ${path} after ${written} bytes`);
  return { ...result, closed: wasClosed };
}

describe('a chunked body of 64 MB', { timeout: 120_000 }, () => {
  const cases: Array<[string, string, string, Record<string, string>, RegExp]> = [
    ['/auth/login (16 KiB)', 'POST', '/auth/login', {}, /"error":"payload_too_large"/],
    ['/scim/v2/Users (MAX_PAYLOAD_SIZE)', 'POST', '/scim/v2/Users', { Authorization: `Bearer ${TOKEN}` }, /"status":"413"/],
    // Node's client frames a GET body only when told to.
    ['/healthz (no body)', 'GET', '/healthz', { 'Transfer-Encoding': 'chunked' }, /takes no request body/],
  ];

  it.each(cases)('to %s is refused with 413 before 8 MB were sent, and the connection closed', async (_label, method, path, headers, body) => {
    const before = residentBytes(server.pid);
    const refusal = await sendChunked(method, path, headers);
    expect(refusal.status).toBe(413);
    expect(refusal.body).toMatch(body);
    expect(refusal.headers.connection).toBe('close');
    expect(refusal.writtenBeforeAnswer).toBeLessThan(8 * MiB);
    expect(refusal.closed).toBe(true);
    // The body was not taken in: the server grew by far less than the 64 MB sent at it.
    expect(residentBytes(server.pid) - before).toBeLessThan(24 * MiB);
  });

  it('before authentication on /scim/v2 is answered 401 and not read either', async () => {
    const refusal = await sendChunked('POST', '/scim/v2/Users', {});
    expect(refusal.status).toBe(401);
    expect(refusal.headers.connection).toBe('close');
    expect(refusal.writtenBeforeAnswer).toBeLessThan(8 * MiB);
    expect(refusal.closed).toBe(true);
  });

  it('leaves the server answering', async () => {
    expect((await fetch(new URL('/healthz', server.url))).status).toBe(200);
  });
});

describe('a client that goes away mid-request', { timeout: 60_000 }, () => {
  /** Sends the head and half the body of a request on a raw connection, then destroys it. */
  async function halfSent(path: string, chunked: boolean, headers = ''): Promise<void> {
    const { hostname, port } = new URL(server.url);
    const socket = connect(Number(port), hostname);
    socket.on('error', () => {});
    await new Promise((resolve) => socket.once('connect', resolve));
    const body = JSON.stringify({ tenant: 'acme', userName: 'kim@example.com', password: 'correct horse battery staple' });
    const framing = chunked ? 'Transfer-Encoding: chunked\r\n' : `Content-Length: ${body.length}\r\n`;
    const half = body.slice(0, body.length / 2);
    socket.write(
      `POST ${path} HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\n${headers}${framing}\r\n` +
        (chunked ? `${half.length.toString(16)}\r\n${half}\r\n` : half),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    socket.destroy();
  }

  it('is logged as info, with an access line of 499, never as an error or a 500', async () => {
    const auth = `Authorization: Bearer ${TOKEN}\r\n`;
    await halfSent('/auth/login', false);
    await halfSent('/auth/login', true);
    await halfSent('/scim/v2/Users', false, auth);
    await halfSent('/scim/v2/Users', true, auth);

    const deadline = Date.now() + 10_000;
    while (server.logs().filter((line) => line.msg === 'client closed the request').length < 4 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const logs = server.logs();
    const gone = logs.filter((line) => line.msg === 'client closed the request');
    expect(gone.map((line) => [line.level, line.path])).toEqual([
      ['info', '/auth/login'],
      ['info', '/auth/login'],
      ['info', '/scim/v2/Users'],
      ['info', '/scim/v2/Users'],
    ]);
    for (const line of gone) {
      expect(logs.find((access) => access.msg === 'request' && access.requestId === line.requestId)).toMatchObject({ status: 499 });
    }
    expect(logs.filter((line) => line.level === 'error' || line.status === 500)).toEqual([]);
    expect(server.stderr()).toBe('');
  });
});
