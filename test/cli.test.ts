// The `usher` command as people run it: dist/cli.js beside a stopped or running dist/main.js.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../src/admin/lock.js';
import { SOCKET_FILE } from '../src/admin/socket.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { MAIN, cli, run, startServer, tempDirs, type ServerProcess } from './helpers/processes.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// The prefix, the tenant's id (16 bytes) and the secret (32 bytes), base64url.
const TOKEN = /^usher_[A-Za-z0-9_-]{22}_[A-Za-z0-9_-]{43}$/;
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';

async function scim(server: ServerProcess, token: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${server.url}/scim/v2${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/scim+json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

async function post(url: string, body: unknown) {
  const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

/** Follows the link `usher admin create` printed: sets the password, signs in, and checks the session may manage users. */
async function followAdminLink(server: ServerProcess, link: string, tenant: string, userName: string): Promise<void> {
  const token = new URL(link).searchParams.get('token')!;
  expect((await post(`${server.url}/auth/reset`, { token, newPassword: 'the first admin passphrase' })).status).toBe(204);
  const session = await post(`${server.url}/auth/login`, { tenant, userName, password: 'the first admin passphrase' });
  expect(session.status).toBe(200);
  const users = await scim(server, String(session.body!.token), 'GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
  expect(users.status).toBe(200);
  expect(users.body!.totalResults).toBe(1);
}

/** The id of the token with this label, from `usher token list`. */
function tokenId(listing: string, label: string): string {
  const line = listing.split('\n').find((l) => l.split(/\s{2,}/)[1] === label);
  if (!line) throw new Error(`no token "${label}" in:\n${listing}`);
  return line.split(/\s+/)[0]!;
}

const lockHolder = (dir: string) => JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as { pid: number; role: string };

const { dir: dataDir, cleanUp } = tempDirs();
afterAll(cleanUp);

describe('usage', () => {
  const bad: string[][] = [
    [],
    ['frobnicate'],
    ['tenant'],
    ['tenant', 'delete', 'acme'],
    ['tenant', 'create'],
    ['tenant', 'create', 'acme', 'extra'],
    ['tenant', 'list', 'extra'],
    ['tenant', 'update', 'acme'],
    ['tenant', 'update', '--welcome-mail', 'off'],
    ['tenant', 'update', 'acme', '--welcome-mail', 'maybe'],
    ['tenant', 'update', 'acme', '--require-mfa', 'yes'],
    ['token', 'create'],
    ['token', 'list', 'acme'],
    ['token', 'revoke'],
    ['token', 'create', '--tenant'],
    ['admin', 'create', '--tenant', 'acme', '--user-name', 'ada@acme.example'],
    ['admin', 'create', '--user-name', 'ada@acme.example', '--email', 'ada@acme.example'],
    ['--bogus'],
  ];

  it('exits 2 with the usage on stderr for a bad command, before touching any data', async () => {
    const dir = join(dataDir(), 'never-created');
    const results = await Promise.all(bad.map((args) => cli(args, { DATA_DIR: dir })));
    results.forEach((result, i) => {
      expect({ args: bad[i], code: result.code, stdout: result.stdout }).toEqual({ args: bad[i], code: 2, stdout: '' });
      expect(result.stderr).toMatch(/^usher: .+\n\nusage: usher <command>\n/);
      expect(result.stderr).toContain('usher token create --tenant <slug>');
    });
    expect(existsSync(dir)).toBe(false);
  });

  it('prints its version for --version, -v and version, and the usage for help and <command> --help', async () => {
    const env = { DATA_DIR: join(dataDir(), 'never-created') };
    const version = JSON.parse(readFileSync(join(MAIN, '..', '..', 'package.json'), 'utf8')).version as string;
    for (const args of [['--version'], ['-v'], ['version']]) {
      expect(await cli(args, env)).toMatchObject({ code: 0, stdout: `usher ${version}\n`, stderr: '' });
    }
    for (const args of [['help'], ['tenant', 'update', '--help']]) {
      const result = await cli(args, env);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toMatch(/^usage: usher <command>\n/);
    }
    expect(existsSync(env.DATA_DIR)).toBe(false);
  });

  it('names a mistyped option, the one meant, and an option that needs a value', async () => {
    const env = { DATA_DIR: join(dataDir(), 'never-created') };
    const typo = await cli(['token', 'create', '--tenat', 'acme'], env);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/^usher: unknown option --tenat; did you mean --tenant\?\n\nusage: /);
    const unknown = await cli(['tenant', 'list', '--frobnicate'], env);
    expect(unknown.stderr).toMatch(/^usher: unknown option --frobnicate\n\nusage: /);
    const missing = await cli(['tenant', 'create', 'acme', '--name'], env);
    expect(missing.stderr).toMatch(/^usher: --name needs a value: --name <value>\n\nusage: /);
    expect(existsSync(env.DATA_DIR)).toBe(false);
  });

  it('prints the usage on stdout and exits 0 for --help', async () => {
    const result = await cli(['--help'], { DATA_DIR: join(dataDir(), 'never-created') });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^usage: usher <command>\n/);
  });

  it('exits 2 naming the variable when the configuration is invalid', async () => {
    const result = await cli(['tenant', 'list'], { DATA_DIR: dataDir(), DATABASE_URL: 'mysql://localhost/usher' });
    expect(result.code).toBe(2);
    expect(result.stderr.trimEnd().split('\n')).toEqual([expect.stringContaining('DATABASE_URL')]);
  });
});

describe('with the server stopped: the CLI opens the data directory itself', { timeout: 120_000 }, () => {
  let dir: string;
  let env: Record<string, string>;
  let tenantId: string;
  beforeAll(() => {
    dir = join(dataDir(), 'data');
    env = { DATA_DIR: dir };
  });
  const onDisk = () => `usher: on the embedded database in ${dir} (DATA_DIR)\n`;

  it('refuses to make a database in a DATA_DIR that has none, unless asked, and says which database it used', async () => {
    const refused = await cli(['tenant', 'list'], env);
    expect(refused).toMatchObject({ code: 1, stdout: '' });
    expect(refused.stderr).toBe(
      `usher: There is no database in ${dir} (DATA_DIR). If the server uses another data directory, set DATA_DIR to it; ` +
        'to make a new database here, run: usher migrate (or add --create to this command).\n',
    );
    expect(existsSync(dir)).toBe(false);
    const created = await cli(['tenant', 'list', '--create'], env);
    expect(created).toMatchObject({ code: 0, stdout: 'no tenants\n', stderr: `usher: creating the embedded database in ${dir} (DATA_DIR)\n` });
  });

  it('creates a tenant (its id is the last line), idempotently, and lists it', async () => {
    const created = await cli(['tenant', 'create', 'acme', '--name', 'Acme Corp'], env);
    expect(created).toMatchObject({ code: 0, stderr: onDisk() });
    // The data directory was created on first use, for its owner only.
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(created.stdout).toContain('created tenant acme (Acme Corp)');
    expect(created.last).toMatch(UUID);
    tenantId = created.last;
    // The CLI let go of the directory when it finished.
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);

    const again = await cli(['tenant', 'create', 'acme'], env);
    expect(again).toMatchObject({ code: 0, last: tenantId });
    expect(again.stdout).toContain('exists');

    const list = await cli(['tenant', 'list'], env);
    expect(list.code).toBe(0);
    expect(list.stdout.trimEnd().split('\n')).toEqual([`${tenantId}  acme  Acme Corp  welcome-mail on  require-mfa off`]);
  });

  it('exits 1 with a clear message for a missing tenant or token', async () => {
    const create = await cli(['token', 'create', '--tenant', 'nope'], env);
    const list = await cli(['token', 'list', '--tenant', 'nope'], env);
    const revoke = await cli(['token', 'revoke', '00000000-0000-4000-8000-000000000000'], env);
    expect(create).toMatchObject({ code: 1, stdout: '', stderr: `${onDisk()}usher: No tenant "nope". Create it with: usher tenant create nope\n` });
    expect(list).toMatchObject({ code: 1, stdout: '' });
    expect(list.stderr).toContain('No tenant "nope"');
    expect(revoke).toMatchObject({ code: 1, stdout: '', stderr: `${onDisk()}usher: No token with id "00000000-0000-4000-8000-000000000000".\n` });
  });

  it('runs two commands started at once one after the other', async () => {
    const [beta, gamma] = await Promise.all([cli(['tenant', 'create', 'beta'], env), cli(['tenant', 'create', 'gamma'], env)]);
    expect([beta.code, beta.stderr, gamma.code, gamma.stderr]).toEqual([0, onDisk(), 0, onDisk()]);
    const list = await cli(['tenant', 'list'], env);
    expect(list.stdout).toContain(`${beta.last}  beta  beta`);
    expect(list.stdout).toContain(`${gamma.last}  gamma  gamma`);
  });

  it('creates tokens the server then accepts, lists them without the secret, and revokes one', async () => {
    const okta = await cli(['token', 'create', '--tenant', 'acme', '--label', 'okta'], env);
    expect(okta.code).toBe(0);
    expect(okta.last).toMatch(TOKEN);
    const spare = await cli(['token', 'create', '--tenant', 'acme'], env);
    expect(spare.last).toMatch(TOKEN);
    const reports = await cli(['token', 'create', '--tenant', 'acme', '--label', 'reports', '--scope', 'users:read', '--expires-in', '90d'], env);
    expect(reports.code).toBe(0);
    expect(reports.last).toMatch(TOKEN);
    // stderr holds the security log's line for the new token, and never the token itself.
    expect(reports.stderr).toContain('"event":"token.created"');
    expect(reports.stderr).not.toContain(reports.last);
    const badExpiry = await cli(['token', 'create', '--tenant', 'acme', '--expires-in', '3w'], env);
    expect(badExpiry.code).toBe(2);
    expect(badExpiry.stderr).toContain('--expires-in "3w" is not a duration');
    const badScope = await cli(['token', 'create', '--tenant', 'acme', '--scope', 'billing:pay'], env);
    expect(badScope.code).not.toBe(0);
    expect(badScope.stderr).toContain('"billing:pay" is not a token scope');

    const list = await cli(['token', 'list', '--tenant', 'acme'], env);
    expect(list.code).toBe(0);
    expect(list.stdout.trimEnd().split('\n')).toHaveLength(3);
    expect(list.stdout.split('\n').find((l) => l.includes('  reports  '))).toMatch(/scope users:read {2}expires \d{4}-\d\d-\d\dT/);
    expect(list.stdout.split('\n').find((l) => l.includes('  api  '))).toContain('scope all  expires never');
    expect(list.stdout).not.toContain(okta.last);
    expect(list.stdout).not.toContain(spare.last);
    // Not even a part of the secret (the tenant part before it is no secret).
    expect(list.stdout).not.toContain(okta.last.slice(-20));
    const oktaId = tokenId(list.stdout, 'okta');
    expect(oktaId).toMatch(UUID);
    expect(tokenId(list.stdout, 'api')).toMatch(UUID);

    const revoked = await cli(['token', 'revoke', oktaId], env);
    expect(revoked.code).toBe(0);
    // The security log, on stderr: which token of which tenant, never the token itself.
    for (const [result, event] of [[okta, 'token.created'], [revoked, 'token.revoked']] as const) {
      const [where, ...log] = result.stderr.trimEnd().split('\n');
      expect(`${where}\n`).toBe(onDisk());
      const lines = log.map((line) => JSON.parse(line));
      expect(lines).toEqual([expect.objectContaining({ level: 'warn', msg: 'security', event, tenant: expect.stringMatching(UUID), tokenId: expect.stringMatching(UUID), by: 'cli' })]);
      expect(result.stderr).not.toContain(okta.last);
    }
    expect(JSON.parse(revoked.stderr.trimEnd().split('\n')[1]!).tokenId).toBe(oktaId);
    expect(revoked.stdout).toContain(`revoked token ${oktaId} "okta"`);
    const after = await cli(['token', 'list', '--tenant', 'acme'], env);
    expect(after.stdout.split('\n').find((l) => l.startsWith(oktaId))).toContain('REVOKED');

    // One start of the server shows both: a token made while it was stopped works, one revoked does not.
    const server = await startServer(env);
    const refused = await scim(server, okta.last, 'GET', '/Users');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('Bearer');
    expect((await scim(server, spare.last, 'GET', '/Users')).status).toBe(200);
    expect((await scim(server, reports.last, 'GET', '/Users')).status).toBe(200);
    expect((await scim(server, reports.last, 'POST', '/Users', { schemas: [USER_SCHEMA], userName: 'not.by.reports' })).status).toBe(403);
    expect(await server.stop()).toEqual({ code: 0, signal: null });
  });
});

describe('with the server running: the CLI sends commands over the admin socket', { timeout: 60_000 }, () => {
  let dir: string;
  let env: Record<string, string>;
  let server: ServerProcess;
  let token: string;
  beforeAll(async () => {
    dir = dataDir();
    env = { DATA_DIR: dir };
    server = await startServer(env);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  const inServer = () => `usher: through the running server (pid ${server.pid}) that holds the embedded database in ${dir} (DATA_DIR)\n`;

  /** The server still holds the directory: the CLI never took the lock, so it never opened PGlite. */
  const expectServerHoldsDir = () => {
    expect(lockHolder(dir)).toEqual({ pid: server.pid, role: 'server', startTime: expect.stringMatching(/^\d+$/) });
    expect(statSync(join(dir, SOCKET_FILE)).mode & 0o777).toBe(0o600);
  };

  it('creates and lists tenants', async () => {
    const created = await cli(['tenant', 'create', 'globex', '--name', 'Globex Corporation'], env);
    expect(created).toMatchObject({ code: 0, stderr: inServer() });
    expect(created.last).toMatch(UUID);
    expectServerHoldsDir();
    const list = await cli(['tenant', 'list'], env);
    expect(list.stdout.trimEnd().split('\n')).toEqual([`${created.last}  globex  Globex Corporation  welcome-mail on  require-mfa off`]);
    expectServerHoldsDir();
  });

  it('creates a token that works at once, lists it without the secret, and revokes it with effect at once', async () => {
    const created = await cli(['token', 'create', '--tenant', 'globex', '--label', 'okta'], env);
    expect(created.code).toBe(0);
    expect(created.last).toMatch(TOKEN);
    // The running server sees the row at once: the CLI wrote through the server's own database handle.
    expect((await scim(server, created.last, 'GET', '/Users')).status).toBe(200);

    const list = await cli(['token', 'list', '--tenant', 'globex'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).not.toContain(created.last);
    const id = tokenId(list.stdout, 'okta');

    const revoked = await cli(['token', 'revoke', id], env);
    expect(revoked.code).toBe(0);
    expect((await scim(server, created.last, 'GET', '/Users')).status).toBe(401);
    expectServerHoldsDir();

    token = (await cli(['token', 'create', '--tenant', 'globex'], env)).last;
    expect((await scim(server, token, 'GET', '/Users')).status).toBe(200);
  });

  it('exits 1 with the same clear message for a missing tenant', async () => {
    const result = await cli(['token', 'create', '--tenant', 'nope'], env);
    expect(result).toMatchObject({ code: 1, stdout: '', stderr: `${inServer()}usher: No tenant "nope". Create it with: usher tenant create nope\n` });
  });

  it('creates a portal administrator whose printed link sets the password; the welcome mail is written too', async () => {
    // Even in a tenant whose identity provider's users get no welcome mail: the command line is an operator.
    const updated = await cli(['tenant', 'update', 'globex', '--welcome-mail', 'off'], env);
    expect(updated).toMatchObject({ code: 0, stderr: inServer() });
    expect(updated.last).toMatch(/^updated tenant globex \(.*\): welcome-mail off {2}require-mfa off$/);
    expect((await cli(['tenant', 'list'], env)).stdout).toMatch(/ globex .* welcome-mail off {2}require-mfa off\n/);
    const created = await cli(['admin', 'create', '--tenant', 'globex', '--user-name', 'ada@globex.example', '--email', 'ada@globex.example', '--given-name', 'Ada', '--family-name', 'Lovelace'], env);
    expect(created).toMatchObject({ code: 0, stderr: inServer() });
    expect(created.last).toMatch(new RegExp(`^${server.url}/welcome\\?token=ulink_[A-Za-z0-9_-]{22}_[A-Za-z0-9_-]{43}&org=globex$`));
    expectServerHoldsDir();
    // The server's mail worker writes the welcome mail, with the same link, as a file (no SMTP_URL here).
    const mailDir = join(dir, 'mail');
    const mails = () => (existsSync(mailDir) ? readdirSync(mailDir).filter((name) => name.endsWith('.eml')) : []);
    await expect.poll(() => mails().length, { timeout: 10_000 }).toBe(1);
    const mail = readFileSync(join(mailDir, mails()[0]!), 'utf8');
    expect(mail).toContain('To: ada@globex.example');
    expect(mail.replace(/=\r?\n/g, '').replace(/=3D/g, '=')).toContain(created.last);
    // The server logs the file it wrote (once the file is in place: the line may reach us a moment later), never the link in it.
    await expect.poll(() => server.lines.join('\n')).toContain('mail written');
    expect(server.lines.join('\n')).not.toContain(new URL(created.last).searchParams.get('token')!);
    await followAdminLink(server, created.last, 'globex', 'ada@globex.example');
    // History names the command line as a system actor, not as a token.
    const history = await scim(server, token, 'GET', `/History?filter=${encodeURIComponent('event eq "created" and userName eq "ada@globex.example"')}`);
    expect((history.body!.Resources as unknown[])[0]).toMatchObject({ updatedBy: 'Usher CLI', actor: { type: 'system', value: 'cli', display: 'Usher CLI' } });

    const again = await cli(['admin', 'create', '--tenant', 'globex', '--user-name', 'ADA@globex.example', '--email', 'ada@globex.example'], env);
    expect(again).toMatchObject({ code: 1, stdout: '' });
    expect(again.stderr).toContain('already taken');
    const bad = await cli(['admin', 'create', '--tenant', 'globex', '--user-name', 'bob@globex.example', '--email', 'not an address'], env);
    expect(bad).toMatchObject({ code: 1, stdout: '' });
  });

  it('rotates the event signing key inside the server: the JWKS then publishes the new key and, for a day, the old', async () => {
    const before = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
    expect(before.keys).toHaveLength(1);
    const [old] = before.keys.map((k) => k.kid);
    const rotated = await cli(['keys', 'rotate'], env);
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toContain(`retired ${old}`);
    const kid = rotated.last;
    expect(kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const after = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string; d?: string }[] };
    expect(after.keys.map((k) => k.kid)).toEqual([kid, old]);
    expect(after.keys.every((k) => k.d === undefined)).toBe(true);
    const list = await cli(['keys', 'list'], env);
    expect(list.code).toBe(0);
    const lines = list.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^${kid}  ES256  created \\S+  current$`));
    expect(lines[1]).toMatch(new RegExp(`^${old}  ES256  created \\S+  retired \\S+  published until \\S+$`));
    expectServerHoldsDir();
  });

  it('runs migrate inside the server', async () => {
    const result = await cli(['migrate'], env);
    expect(result).toMatchObject({ code: 0, stdout: 'database is up to date\n' });
  });

  it('refuses a second server on the same DATA_DIR, and the first one keeps serving', async () => {
    const second = await run(MAIN, [], env);
    expect(second.code).not.toBe(0);
    expect(second.code).not.toBeNull();
    expect(second.stderr).toContain(`The data directory ${dir} is in use by another Usher process (pid ${server.pid}, server)`);
    expectServerHoldsDir();
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('keeps data across a restart', async () => {
    const created = await scim(server, token, 'POST', '/Users', { schemas: [USER_SCHEMA], userName: 'persistent@example.com', name: { givenName: 'Per' } });
    expect(created.status).toBe(201);
    expect(await server.stop()).toEqual({ code: 0, signal: null });
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);

    server = await startServer(env);
    const fetched = await scim(server, token, 'GET', `/Users/${String(created.body!.id)}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toMatchObject({ id: created.body!.id, userName: 'persistent@example.com', name: { givenName: 'Per' } });
  });
});

describe.skipIf(!process.env.DATABASE_URL)('on PostgreSQL: the CLI works on the database beside the server', { timeout: 60_000 }, () => {
  let database: TestDatabase;
  let env: Record<string, string>;
  let server: ServerProcess;
  beforeAll(async () => {
    database = await createTestDatabase();
    env = { DATABASE_URL: database.url!, DATA_DIR: dataDir(), PUBLIC_URL: 'https://portal.initech.example' };
    server = await startServer(env);
  }, 60_000);
  const onPostgres = () => {
    const url = new URL(env.DATABASE_URL!);
    return `usher: on PostgreSQL at ${url.host}${url.pathname} (DATABASE_URL)\n`;
  };
  afterAll(async () => {
    await server?.stop();
    await database?.close();
  });

  it('creates a tenant and a token that works at once, and revokes it with effect at once', async () => {
    const tenant = await cli(['tenant', 'create', 'initech', '--name', 'Initech'], env);
    expect(tenant).toMatchObject({ code: 0, stderr: onPostgres() });
    expect(tenant.last).toMatch(UUID);
    const token = await cli(['token', 'create', '--tenant', 'initech', '--label', 'entra'], env);
    expect(token.last).toMatch(TOKEN);
    expect((await scim(server, token.last, 'GET', '/Users')).status).toBe(200);

    const list = await cli(['token', 'list', '--tenant', 'initech'], env);
    expect(list.stdout).not.toContain(token.last);
    expect((await cli(['token', 'revoke', tokenId(list.stdout, 'entra')], env)).code).toBe(0);
    expect((await scim(server, token.last, 'GET', '/Users')).status).toBe(401);

    // Nothing of PGlite's: no lock, no socket, no data directory contents.
    expect(existsSync(join(env.DATA_DIR!, LOCK_FILE))).toBe(false);
    expect(existsSync(join(env.DATA_DIR!, SOCKET_FILE))).toBe(false);
  });

  it('creates a portal administrator with a link to PUBLIC_URL that the running server accepts', async () => {
    const created = await cli(['admin', 'create', '--tenant', 'initech', '--user-name', 'bill@initech.example', '--email', 'bill@initech.example'], env);
    expect(created).toMatchObject({ code: 0, stderr: onPostgres() });
    expect(created.last).toMatch(/^https:\/\/portal\.initech\.example\/welcome\?token=ulink_/);
    await followAdminLink(server, created.last, 'initech', 'bill@initech.example');
  });

  it('exits 1 for a missing tenant', async () => {
    const result = await cli(['token', 'list', '--tenant', 'nope'], env);
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toContain('No tenant "nope"');
  });
});
