// The server as a process: health checks, bootstrap, access log, graceful stop, and configuration errors.
import { randomBytes } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../src/admin/lock.js';
import { SOCKET_FILE } from '../src/admin/socket.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { startSmtpSink } from './mail/smtp-sink.js';
import { MAIN, childEnv, cli, killAll, removeDir, run, startServer, tempDataDir, type ServerProcess } from './helpers/processes.js';

const ON_POSTGRES = Boolean(process.env.DATABASE_URL);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const BOOTSTRAP_TOKEN = `bootstrap_${randomBytes(24).toString('base64url')}`;

const dirs: string[] = [];
function dataDir(): string {
  const dir = tempDataDir();
  dirs.push(dir);
  return dir;
}

// On PostgreSQL every server of this file shares one fresh database; on PGlite each has its own DATA_DIR.
let database: TestDatabase | undefined;
const backend = (): Record<string, string> => (database ? { DATABASE_URL: database.url! } : {});
beforeAll(async () => {
  if (ON_POSTGRES) database = await createTestDatabase();
});
afterAll(async () => {
  killAll();
  await database?.close();
  for (const dir of dirs) removeDir(dir);
});

function expectGone(dir: string) {
  expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  expect(existsSync(join(dir, SOCKET_FILE))).toBe(false);
}

/** A raw HTTP/1.1 connection, to hold a request half-sent or a keep-alive connection open. */
class RawConnection {
  readonly socket: Socket;
  private received = '';
  readonly closed: Promise<void>;
  constructor(url: string) {
    const { hostname, port } = new URL(url);
    this.socket = connect(Number(port), hostname);
    this.socket.setEncoding('utf8').on('data', (chunk: string) => (this.received += chunk));
    this.socket.on('error', () => {});
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
  }
  write(text: string): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(text, (error) => (error ? reject(error) : resolve())));
  }
  /** Waits until a whole response (headers and Content-Length bytes of body) has arrived; returns and consumes it. */
  async response(timeoutMs = 20_000): Promise<{ status: number; headers: string; body: string }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = this.received.indexOf('\r\n\r\n');
      if (end >= 0) {
        const headers = this.received.slice(0, end);
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(headers)?.[1] ?? 0);
        const body = this.received.slice(end + 4);
        if (Buffer.byteLength(body) >= length) {
          this.received = '';
          return { status: Number(headers.split(' ')[1]), headers, body };
        }
      }
      if (Date.now() > deadline) throw new Error(`no whole response within ${timeoutMs} ms; got: ${this.received}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

describe('a running server', { timeout: 60_000 }, () => {
  let dir: string;
  let env: Record<string, string>;
  let server: ServerProcess;
  beforeAll(async () => {
    dir = dataDir();
    // A stop given more time than the default 10 s, so that a CI machine busy with other suites cannot make the
    // timeout cut the stop: whether it had to is read from the logs instead (the SIGTERM test).
    env = { DATA_DIR: dir, ...backend(), USHER_BOOTSTRAP_TENANT: 'acme', USHER_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN, SHUTDOWN_TIMEOUT_MS: '40000' };
    server = await startServer(env);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  const scim = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/scim/v2${path}`, {
      method,
      headers: { Authorization: `Bearer ${BOOTSTRAP_TOKEN}`, ...(body ? { 'Content-Type': 'application/scim+json' } : {}), ...headers },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });

  it('logs where it listens, as JSON', () => {
    const listening = server.logs().find((entry) => entry.msg === 'listening')!;
    expect(listening).toMatchObject({ level: 'info', url: server.url, database: ON_POSTGRES ? 'postgres' : 'pglite' });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.url).not.toMatch(/:0$/);
  });

  it('logs each step of its start with how long it took, and that mail is only written to files', () => {
    const logs = server.logs();
    const messages = logs.map((entry) => entry.msg);
    const opened = logs.find((entry) => entry.msg === 'database opened')!;
    expect(opened).toMatchObject({ level: 'info', database: ON_POSTGRES ? 'postgres' : 'pglite', ms: expect.any(Number) });
    if (!ON_POSTGRES) {
      // A first start creates the embedded database: it says so before the long wait, not after.
      expect(messages.indexOf('creating the embedded database')).toBeLessThan(messages.indexOf('database opened'));
      expect(opened).toMatchObject({ created: true, dataDir: dir });
    }
    const migrations = logs.filter((entry) => entry.msg === 'migration applied');
    if (!ON_POSTGRES) expect(migrations[0]).toMatchObject({ name: '0001_init.sql', ms: expect.any(Number) });
    for (const step of migrations) expect(step).toMatchObject({ name: expect.stringMatching(/^\d{4}_.+\.sql$/), ms: expect.any(Number) });
    expect(logs.find((entry) => String(entry.msg).startsWith('mail is written to files'))).toMatchObject({ level: 'warn', mailDir: join(dir, 'mail') });
    expect(logs.find((entry) => entry.msg === 'mail worker started')).toMatchObject({ delivery: 'file', mailDir: join(dir, 'mail') });
    expect(logs.find((entry) => entry.msg === 'listening')).toMatchObject({ startupMs: expect.any(Number) });
    expect(messages.indexOf('database opened')).toBeLessThan(messages.indexOf('listening'));
  });

  it('answers /healthz and /readyz', async () => {
    for (const path of ['/healthz', '/readyz']) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: 'ok' });
    }
  });

  it('created the bootstrap tenant and token at start', async () => {
    expect(server.logs().filter((entry) => entry.msg === 'bootstrap tenant created')).toEqual([expect.objectContaining({ tenant: 'acme' })]);
    expect(server.logs().filter((entry) => entry.msg === 'bootstrap token created')).toHaveLength(1);
    expect((await scim('GET', '/Users')).status).toBe(200);
  });

  it('gives resources locations on the port it actually listens on', async () => {
    const response = await scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'located@example.com' });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { id: string; meta: { location: string } };
    expect(response.headers.get('location')).toBe(`${server.url}/scim/v2/Users/${body.id}`);
    expect(body.meta.location).toBe(`${server.url}/scim/v2/Users/${body.id}`);
  });

  it('logs one JSON line per request, with no token, password or body in it', async () => {
    const password = `Pa55-${randomBytes(8).toString('hex')}`;
    const userName = `logged-${randomBytes(6).toString('hex')}@example.com`;
    const wrongToken = `usher_${randomBytes(32).toString('base64url')}`;
    const run = randomBytes(4).toString('hex');
    const ids = { health: `health-${run}`, create: `create-${run}`, denied: `denied-${run}`, bad: `bad-${run}`, list: `list-${run}` };

    expect((await fetch(`${server.url}/healthz`, { headers: { 'X-Request-Id': ids.health, 'User-Agent': 'probe/1.0 (health)' } })).status).toBe(200);
    const created = await scim('POST', '/Users', { schemas: [USER_SCHEMA], userName, password }, { 'X-Request-Id': ids.create });
    expect(created.status).toBe(201);
    const denied = await scim('GET', '/Users', undefined, { Authorization: `Bearer ${wrongToken}`, 'X-Request-Id': ids.denied });
    expect(denied.status).toBe(401);
    const bad = await scim('POST', '/Users', undefined, { 'Content-Type': 'application/scim+json', 'X-Request-Id': ids.bad });
    expect(bad.status).toBe(400);
    const listed = await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`, undefined, { 'X-Request-Id': ids.list });
    expect(listed.status).toBe(200);

    // The line is written when the response is done; give the pipe a moment.
    const requestLines = async () => {
      for (let i = 0; i < 100; i++) {
        const lines = server.logs().filter((entry) => entry.msg === 'request' && Object.values(ids).includes(String(entry.requestId)));
        if (lines.length >= 5) return lines;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`missing request lines:\n${server.lines.join('\n')}`);
    };
    const lines = await requestLines();
    const byId = (id: string) => lines.filter((line) => line.requestId === id);

    const tenantList = await cli(['tenant', 'list'], env);
    const tenantId = tenantList.stdout.split('\n').find((line) => line.includes('  acme  '))!.split(' ')[0];
    expect(tenantId).toMatch(UUID);

    const common = {
      level: 'info',
      msg: 'request',
      time: expect.any(String),
      durationMs: expect.any(Number),
      client: '127.0.0.1',
      userAgent: expect.any(String),
    };
    const token = expect.stringMatching(/^token:[0-9a-f-]{36}$/);
    const users = { path: '/scim/v2/Users', route: '/scim/v2/Users' };
    expect(byId(ids.health)).toEqual([
      { ...common, method: 'GET', path: '/healthz', route: '/healthz', status: 200, requestId: ids.health, tenant: null, tenantId: null, actor: null, userAgent: 'probe/1.0 (health)' },
    ]);
    expect(byId(ids.create)).toEqual([{ ...common, method: 'POST', ...users, status: 201, requestId: ids.create, tenant: 'acme', tenantId, actor: token }]);
    // Refused before any route ran: no route, no tenant, no actor.
    expect(byId(ids.denied)).toEqual([{ ...common, method: 'GET', path: '/scim/v2/Users', route: null, status: 401, requestId: ids.denied, tenant: null, tenantId: null, actor: null }]);
    expect(byId(ids.bad)).toEqual([{ ...common, method: 'POST', ...users, status: 400, requestId: ids.bad, tenant: 'acme', tenantId, actor: token }]);
    // The path only: a filter can carry a user's name or e-mail address.
    expect(byId(ids.list)).toEqual([{ ...common, method: 'GET', ...users, status: 200, requestId: ids.list, tenant: 'acme', tenantId, actor: token }]);
    expect(byId(ids.create)[0]!.actor).toBe(byId(ids.list)[0]!.actor);
    for (const line of lines) expect(line.durationMs as number).toBeGreaterThanOrEqual(0);

    // Every line of stdout is JSON, and none carries a secret or a piece of a body.
    for (const line of server.lines) expect(() => JSON.parse(line)).not.toThrow();
    const output = server.lines.join('\n') + server.stderr();
    for (const secret of [BOOTSTRAP_TOKEN, wrongToken, password, userName]) expect(output).not.toContain(secret);
  });

  it('restarts with the same bootstrap variables without failing or duplicating (stopped by SIGINT)', async () => {
    expect(await server.stop('SIGINT')).toEqual({ code: 0, signal: null });
    server = await startServer(env);
    const messages = server.logs().map((entry) => entry.msg);
    expect(messages).not.toContain('bootstrap tenant created');
    expect(messages).not.toContain('bootstrap token created');
    expect(messages).not.toContain('migrations applied');

    const tenants = await cli(['tenant', 'list'], env);
    expect(tenants.stdout.split('\n').filter((line) => line.includes('  acme  '))).toHaveLength(1);
    const tokens = await cli(['token', 'list', '--tenant', 'acme'], env);
    expect(tokens.code).toBe(0);
    expect(tokens.stdout.trimEnd().split('\n')).toEqual([expect.stringMatching(/^[0-9a-f-]{36} {2}bootstrap {2}created /)]);
    expect((await scim('GET', '/Users')).status).toBe(200);
  });

  it('on SIGTERM stops accepting, finishes the request in flight, closes idle connections, and exits 0', async () => {
    const body = JSON.stringify({ schemas: [USER_SCHEMA], userName: 'in-flight@example.com', password: 'correct horse battery staple' });
    const inFlight = new RawConnection(server.url);
    const { host } = new URL(server.url);
    await inFlight.write(
      `POST /scim/v2/Users HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${BOOTSTRAP_TOKEN}\r\n` +
        `Content-Type: application/scim+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 20)}`,
    );
    const idle = new RawConnection(server.url);
    await idle.write(`GET /healthz HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
    expect((await idle.response()).status).toBe(200);
    // Let the server read the half-sent request's headers, so that it is in flight.
    await new Promise((resolve) => setTimeout(resolve, 300));

    server.child.kill('SIGTERM');
    await server.waitForLog('shutting down', 10_000);
    await idle.closed;
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();

    await inFlight.write(body.slice(20));
    const response = await inFlight.response();
    expect(response.status).toBe(201);
    expect(JSON.parse(response.body)).toMatchObject({ userName: 'in-flight@example.com' });
    expect(await server.exited).toEqual({ code: 0, signal: null });
    // Nothing was left for the timeout to cut: every part stopped by itself (the logs say so when it did not).
    const logs = server.logs();
    const stopLogs = logs.slice(logs.findIndex((entry) => entry.msg === 'shutting down'));
    expect(stopLogs.filter((entry) => entry.level !== 'info'), JSON.stringify(stopLogs)).toEqual([]);
    expect(stopLogs.at(-1)).toMatchObject({ msg: 'stopped' });
    expectGone(dir);
  });

  it('refuses in one line a bootstrap token that already belongs to another tenant', async () => {
    const result = await run(MAIN, [], { ...env, USHER_BOOTSTRAP_TENANT: 'other' });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('usher: Invalid USHER_BOOTSTRAP_TOKEN: That token is already in use by another tenant.\n');
    expectGone(dir);
  });
});

describe('start-up and stop', { timeout: 60_000 }, () => {
  let dir: string;
  beforeAll(() => {
    dir = dataDir();
  });

  it('a SIGTERM during start-up lets start-up finish, then stops cleanly', async () => {
    const env = { DATA_DIR: dir, ...backend() };
    const child = spawn(process.execPath, [MAIN], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<[number | null, string | null]>((resolve) => child.once('close', (code, signal) => resolve([code, signal])));
    try {
      // "starting" comes once the signal handlers are in place, seconds before a fresh data directory is ready.
      for (let i = 0; i < 300 && !stdout.includes('"msg":"starting"'); i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(stdout).toContain('"msg":"starting"');
      child.kill('SIGTERM');
      expect(await exited).toEqual([0, null]);
    } finally {
      child.kill('SIGKILL');
    }
    expect(stderr).toBe('');
    const messages = stdout.trimEnd().split('\n').map((line) => (JSON.parse(line) as { msg: string }).msg);
    // Start-up went on to the end, then the stop ran.
    expect(messages.slice(-3)).toEqual(['listening', 'shutting down', 'stopped']);
    if (!ON_POSTGRES) expectGone(dir);

    // The directory is sound: the next start finds it migrated.
    const server = await startServer(env);
    expect(server.logs().map((entry) => entry.msg)).not.toContain('migrations applied');
    expect(await server.stop()).toEqual({ code: 0, signal: null });
  });

  it('exits 1 naming HOST and PORT when it cannot listen, and lets go of the data directory', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const result = await run(MAIN, [], { DATA_DIR: dir, ...backend(), PORT: String(port) });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`usher: Cannot listen on 127.0.0.1:${port} (HOST, PORT): EADDRINUSE.\n`);
      expectGone(dir);
    } finally {
      taken.close();
    }
  });
});

describe('an unusable database', () => {
  it('exits 1 with one line naming DATABASE_URL, without its password, when PostgreSQL cannot be reached', async () => {
    const probe: Server = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    const result = await run(MAIN, [], { DATA_DIR: dataDir(), DATABASE_URL: `postgres://usher:pa55word@127.0.0.1:${port}/usher` });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`usher: Cannot use the database at 127.0.0.1:${port}/usher (DATABASE_URL): connect ECONNREFUSED 127.0.0.1:${port}\n`);
  });

  it('exits 1 with one line naming DATA_DIR when it is not a directory', async () => {
    const file = join(dataDir(), 'a-file');
    writeFileSync(file, '');
    const result = await run(MAIN, [], { DATA_DIR: file });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`usher: Cannot use the data directory ${file} (DATA_DIR): EEXIST.\n`);
  });
});

describe('invalid configuration', () => {
  const cases: Array<[string, Record<string, string>]> = [
    ['PORT', { PORT: 'eighty' }],
    ['PORT', { PORT: '65536' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://localhost/usher' }],
    ['USHER_BOOTSTRAP_TOKEN', { USHER_BOOTSTRAP_TENANT: 'acme', USHER_BOOTSTRAP_TOKEN: 'too-short' }],
    ['USHER_BOOTSTRAP_TOKEN', { USHER_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN }],
    ['USHER_BOOTSTRAP_TENANT', { USHER_BOOTSTRAP_TENANT: 'Acme Corp' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'chatty' }],
  ];

  it('exits 2 with exactly one line on stderr naming the variable, before touching any data', async () => {
    const dir = join(dataDir(), 'never-created');
    const results = await Promise.all(cases.map(([, vars]) => run(MAIN, [], { DATA_DIR: dir, ...vars })));
    results.forEach((result, i) => {
      const [variable] = cases[i]!;
      expect({ variable, code: result.code, stdout: result.stdout }).toEqual({ variable, code: 2, stdout: '' });
      expect(result.stderr).toMatch(new RegExp(`^usher: Invalid ${variable}: [^\\n]+\\n$`));
    });
    // Never the secret itself.
    expect(results[3]!.stderr).not.toContain('too-short');
    expect(existsSync(dir)).toBe(false);
  });
});

describe('the data directory', { skip: ON_POSTGRES || process.getuid === undefined, timeout: 60_000 }, () => {
  /** Every file and directory under dir whose mode lets anyone but its owner in. */
  function loose(dir: string): string[] {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .map((entry) => join(entry.parentPath, entry.name))
      .filter((path) => (lstatSync(path).mode & 0o077) !== 0 && !lstatSync(path).isSymbolicLink());
  }

  it('an existing DATA_DIR open to all is tightened to 0700, and every file the server writes is its own', async () => {
    const dir = join(dataDir(), 'open');
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    const server = await startServer({ DATA_DIR: dir, USHER_BOOTSTRAP_TENANT: 'acme', USHER_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    // A welcome mail to the file transport: its link goes through the WAL and into an .eml file.
    const created = await fetch(`${server.url}/scim/v2/Users`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${BOOTSTRAP_TOKEN}`, 'Content-Type': 'application/scim+json' },
      body: JSON.stringify({ schemas: [USER_SCHEMA], userName: 'umask', emails: [{ value: 'umask@example.com', primary: true }] }),
    });
    expect(created.status).toBe(201);
    await server.waitForLog('mail written', 10_000);
    expect(await server.stop()).toEqual({ code: 0, signal: null });
    expect(readdirSync(join(dir, 'mail'))).toHaveLength(1);
    expect(loose(dir)).toEqual([]);
  });

  it('writes mail under MAIL_DIR, on either database, and never logs it as sent', async () => {
    const dir = dataDir();
    const mailDir = join(dataDir(), 'outgoing');
    const server = await startServer({ DATA_DIR: dir, MAIL_DIR: mailDir, ...backend(), USHER_BOOTSTRAP_TENANT: 'mailco', USHER_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN });
    const created = await fetch(`${server.url}/scim/v2/Users`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${BOOTSTRAP_TOKEN}`, 'Content-Type': 'application/scim+json' },
      body: JSON.stringify({ schemas: [USER_SCHEMA], userName: 'mail.dir', emails: [{ value: 'mail.dir@example.com', primary: true }] }),
    });
    expect(created.status).toBe(201);
    await server.waitForLog('mail written to file, not delivered', 10_000);
    expect(await server.stop()).toEqual({ code: 0, signal: null });
    expect(readdirSync(mailDir).filter((name) => name.endsWith('.eml'))).toHaveLength(1);
    expect(existsSync(join(dir, 'mail'))).toBe(false);
    expect(server.logs().map((entry) => entry.msg)).not.toContain('mail sent');
  });

  it.skipIf(process.getuid?.() !== 0)("refuses in one line a DATA_DIR another user owns, and leaves it alone", async () => {
    const dir = join(dataDir(), 'theirs');
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    chownSync(dir, 65534, 65534);
    const result = await run(MAIN, [], { DATA_DIR: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `usher: Cannot use the data directory ${dir} (DATA_DIR): owned by uid 65534, not by this process's user (uid 0); give it to uid 0 or use another directory.\n`,
    );
    expect(readdirSync(dir)).toEqual([]);
    expect(statSync(dir).mode & 0o777).toBe(0o777);
  });
});

/** Whether this machine lets us run a process as pid 1 of a new pid namespace (root, util-linux unshare). */
function canUnshare(): boolean {
  if (process.platform !== 'linux') return false;
  return spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']).status === 0;
}

describe('a restart after kill -9 as pid 1 (a container)', { skip: ON_POSTGRES || !canUnshare(), timeout: 90_000 }, () => {
  const UNSHARE = ['unshare', '--pid', '--fork', '--mount-proc'];
  /** The server's own pid, seen from here: the child unshare forked. */
  const serverPid = (unshare: number) => Number(readFileSync(`/proc/${unshare}/task/${unshare}/children`, 'utf8').trim().split(' ')[0]);

  it('starts again on the same DATA_DIR, with what was written before the kill', async () => {
    const dir = dataDir();
    const env = { DATA_DIR: dir, USHER_BOOTSTRAP_TENANT: 'acme', USHER_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN };
    const first = await startServer(env, 45_000, UNSHARE);
    expect(first.logs().find((entry) => entry.msg === 'starting')).toMatchObject({ pid: 1 });
    const created = await fetch(`${first.url}/scim/v2/Users`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${BOOTSTRAP_TOKEN}`, 'Content-Type': 'application/scim+json' },
      body: JSON.stringify({ schemas: [USER_SCHEMA], userName: 'survivor' }),
    });
    expect(created.status).toBe(201);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: 1, role: 'server' });
    process.kill(serverPid(first.pid), 'SIGKILL');
    await first.exited;
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);

    for (let restart = 0; restart < 2; restart++) {
      const again = await startServer(env, 45_000, UNSHARE);
      const users = await fetch(`${again.url}/scim/v2/Users?filter=${encodeURIComponent('userName eq "survivor"')}`, {
        headers: { Authorization: `Bearer ${BOOTSTRAP_TOKEN}` },
      });
      expect(((await users.json()) as { totalResults: number }).totalResults).toBe(1);
      process.kill(serverPid(again.pid), 'SIGKILL');
      await again.exited;
    }
  });
});

describe('a stop that keeps to SHUTDOWN_TIMEOUT_MS', { timeout: 90_000 }, () => {
  const SHUTDOWN_TIMEOUT_MS = 3_000;
  const auth = { Authorization: `Bearer ${BOOTSTRAP_TOKEN}` };
  const json = { ...auth, 'Content-Type': 'application/scim+json' };
  const envOf = (dir: string, extra: Record<string, string> = {}) => ({
    DATA_DIR: dir,
    ...backend(),
    USHER_BOOTSTRAP_TENANT: 'acme',
    USHER_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN,
    SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    ...extra,
  });
  const stopTimed = async (server: ServerProcess) => {
    const started = Date.now();
    const exit = await server.stop('SIGTERM');
    return { exit, ms: Date.now() - started };
  };

  it('with a relay that accepts and never answers: exits 0 within the bound, and the mail is sent after the restart', async () => {
    const hung = createServer(() => {});
    const held: Socket[] = [];
    hung.on('connection', (socket) => held.push(socket));
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    const dir = dataDir();
    const address = `hung-relay-${randomBytes(4).toString('hex')}@example.com`;
    try {
      const server = await startServer(envOf(dir, { SMTP_URL: `smtp://127.0.0.1:${(hung.address() as { port: number }).port}` }));
      const created = await fetch(`${server.url}/scim/v2/Users`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ schemas: [USER_SCHEMA], userName: address, emails: [{ value: address, primary: true }] }),
      });
      expect(created.status).toBe(201);
      // The worker is in the middle of the send: connected, waiting for a greeting that never comes.
      for (let i = 0; i < 250 && held.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(held).toHaveLength(1);
      const { exit, ms } = await stopTimed(server);
      expect(exit).toEqual({ code: 0, signal: null });
      expect(ms).toBeLessThan(SHUTDOWN_TIMEOUT_MS + 1_000);
      expect(server.logs()).toContainEqual(expect.objectContaining({ msg: 'mail send aborted by the stop; it stays queued' }));
    } finally {
      held.forEach((socket) => socket.destroy());
      hung.close();
    }

    const relay = await startSmtpSink();
    try {
      const again = await startServer(envOf(dir, { SMTP_URL: `smtp://127.0.0.1:${relay.port}` }));
      await relay.arrivals(1);
      expect(relay.received.map((mail) => mail.envelopeTo)).toContainEqual([address]);
      expect(await again.stop()).toEqual({ code: 0, signal: null });
    } finally {
      await relay.close();
    }
  });

  it('answers requests sent on open keep-alive connections right after SIGTERM, with Connection: close, and resets none', async () => {
    const server = await startServer(envOf(dataDir()));
    const { host } = new URL(server.url);
    const clients = Array.from({ length: 50 }, () => new RawConnection(server.url));
    await Promise.all(clients.map((c) => c.write(`GET /healthz HTTP/1.1\r\nHost: ${host}\r\n\r\n`)));
    for (const c of clients) expect((await c.response()).status).toBe(200);

    server.child.kill('SIGTERM');
    await server.waitForLog('shutting down', 10_000);
    const resets = { count: 0 };
    const answers = await Promise.all(
      clients.map(async (c, i) => {
        c.socket.once('error', () => resets.count++);
        await c.write(`GET /scim/v2/Users?count=1&startIndex=${i + 1} HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${BOOTSTRAP_TOKEN}\r\n\r\n`).catch(() => {});
        return c.response(10_000).catch(() => undefined);
      }),
    );
    expect(resets.count).toBe(0);
    expect(answers.map((a) => a?.status)).toEqual(clients.map(() => 200));
    for (const a of answers) expect(a!.headers).toMatch(/\r\nconnection: close/i);
    await Promise.all(clients.map((c) => c.closed));
    expect(await server.exited).toEqual({ code: 0, signal: null });
  });

  it('during a long Bulk: exits 0 within the bound, lists what was not run as 503, and the database holds exactly what was done', async () => {
    const dir = dataDir();
    const server = await startServer(envOf(dir));
    const prefix = `bulk-stop-${randomBytes(4).toString('hex')}`;
    const Operations = Array.from({ length: 1000 }, (_, i) => ({
      method: 'POST',
      path: '/Users',
      bulkId: `u${i}`,
      data: { schemas: [USER_SCHEMA], userName: `${prefix}-${i}` },
    }));
    const bulk = fetch(`${server.url}/scim/v2/Bulk`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations }),
    });
    const count = async (url: string) => {
      const response = await fetch(`${url}/scim/v2/Users?count=0&filter=${encodeURIComponent(`userName sw "${prefix}"`)}`, { headers: auth });
      return ((await response.json()) as { totalResults: number }).totalResults;
    };
    // SIGTERM once the Bulk is under way.
    for (let i = 0; i < 500 && (await count(server.url)) < 20; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    const started = Date.now();
    server.child.kill('SIGTERM');
    const response = await bulk;
    expect(response.status).toBe(200);
    expect(response.headers.get('connection')).toBe('close');
    const results = ((await response.json()) as { Operations: Array<{ status: string; location?: string; response?: { detail: string } }> }).Operations;
    const exit = await server.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(SHUTDOWN_TIMEOUT_MS + 1_000);

    expect(results).toHaveLength(1000);
    const done = results.filter((r) => r.status === '201');
    const notRun = results.filter((r) => r.status === '503');
    expect(done.length).toBeGreaterThanOrEqual(20);
    expect(notRun.length).toBeGreaterThan(0);
    expect(done.length + notRun.length).toBe(1000);
    expect(notRun[0]!.response!.detail).toBe('The server was stopping, so this operation was not run. Send it again.');

    const again = await startServer(envOf(dir));
    expect(await count(again.url)).toBe(done.length);
    expect(await again.stop()).toEqual({ code: 0, signal: null });
  });
});
