// usher backup and usher restore as an operator runs them: a running server's embedded database to a file, and the
// file into an empty DATA_DIR, where a server starts with everything it had.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, childEnv, cli, startServer, tempDirs, type ServerProcess } from './helpers/processes.js';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const TOKEN = `bootstrap_${randomBytes(24).toString('base64url')}`;

const { dir, cleanUp } = tempDirs();
afterAll(cleanUp);

/** `usher backup > file`: stdout straight into the file, as a shell redirection does. */
async function backupTo(file: string, vars: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const fd = openSync(file, 'w', 0o600);
  try {
    const child = spawn(process.execPath, [CLI, 'backup'], { env: childEnv(vars), stdio: ['ignore', fd, 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    return { code, stderr };
  } finally {
    closeSync(fd);
  }
}

async function scim(server: ServerProcess, method: string, path: string, body?: unknown) {
  const response = await fetch(`${server.url}/scim/v2${path}`, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, ...(body ? { 'Content-Type': 'application/scim+json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe.skipIf(!!process.env.DATABASE_URL)('usher backup and restore of the embedded database', { timeout: 180_000 }, () => {
  it('backs up a running server, and a server on the restored DATA_DIR has its users, tenant and token', async () => {
    const first = dir();
    const bootstrap = { USHER_BOOTSTRAP_TENANT: 'acme', USHER_BOOTSTRAP_TOKEN: TOKEN };
    let server = await startServer({ DATA_DIR: first, ...bootstrap });
    const created = await scim(server, 'POST', '/Users', { schemas: [USER_SCHEMA], userName: 'kept@acme.example', name: { givenName: 'Kept' } });
    expect(created.status).toBe(201);

    const file = join(dir(), 'usher.tar.gz');
    const taken = await backupTo(file, { DATA_DIR: first });
    expect(taken.code).toBe(0);
    expect(taken.stderr).toMatch(new RegExp(`^usher: through the running server \\(pid ${server.pid}\\) that holds the embedded database in ${first} \\(DATA_DIR\\)\\nusher: backup written: \\d+\\.\\d MB\\n$`));
    // A gzipped tar of the database directory.
    const tar = gunzipSync(readFileSync(file));
    expect(tar.subarray(0, 100).toString('latin1')).toMatch(/^\/?PG_VERSION\0/);
    // A change after the backup is not in it.
    expect((await scim(server, 'POST', '/Users', { schemas: [USER_SCHEMA], userName: 'later@acme.example' })).status).toBe(201);
    expect(server.logs().find((entry) => entry.msg === 'backup taken')).toMatchObject({ bytes: statSync(file).size });
    expect(await server.stop()).toEqual({ code: 0, signal: null });

    const second = join(dir(), 'restored');
    const restored = await cli(['restore', file], { DATA_DIR: second });
    expect(restored).toMatchObject({ code: 0, stdout: `restored ${file} into ${second}: 1 tenants, 1 users\n` });
    expect(statSync(second).mode & 0o777).toBe(0o700);

    server = await startServer({ DATA_DIR: second, ...bootstrap });
    const list = await scim(server, 'GET', '/Users');
    expect((list.body.Resources as { userName: string }[]).map((u) => u.userName)).toEqual(['kept@acme.example']);
    expect((await scim(server, 'GET', `/Users/${String(created.body.id)}`)).body).toMatchObject({ userName: 'kept@acme.example', name: { givenName: 'Kept' } });
    expect(await server.stop()).toEqual({ code: 0, signal: null });
  });

  it('backs up a stopped DATA_DIR; restores only into an empty one, and leaves it empty when the file is no backup', async () => {
    const source = dir();
    expect((await cli(['tenant', 'create', 'globex', '--create'], { DATA_DIR: source })).code).toBe(0);
    const file = join(dir(), 'stopped.tar.gz');
    const taken = await backupTo(file, { DATA_DIR: source });
    expect(taken).toEqual({ code: 0, stderr: expect.stringMatching(new RegExp(`^usher: on the embedded database in ${source} \\(DATA_DIR\\)\\n`)) });

    const occupied = await cli(['restore', file], { DATA_DIR: source });
    expect(occupied).toMatchObject({ code: 1, stdout: '', stderr: `usher: ${source} (DATA_DIR) holds a database already: restore into an empty DATA_DIR, or move this one away first.\n` });

    const notGzip = join(dir(), 'notes.txt');
    writeFileSync(notGzip, 'not a backup');
    const target = join(dir(), 'target');
    expect(await cli(['restore', notGzip], { DATA_DIR: target })).toMatchObject({ code: 1, stderr: `usher: ${notGzip} is not a backup made by usher backup (not gzip).\n` });
    expect(existsSync(target)).toBe(false);

    const truncated = join(dir(), 'truncated.tar.gz');
    writeFileSync(truncated, readFileSync(file).subarray(0, 2000));
    const broken = await cli(['restore', truncated], { DATA_DIR: target });
    expect(broken).toMatchObject({ code: 1, stderr: `usher: ${truncated} is not a whole backup: unexpected end of file.\n` });
    const otherTar = join(dir(), 'other.tar.gz');
    writeFileSync(otherTar, gzipSync(Buffer.alloc(1024)));
    expect(await cli(['restore', otherTar], { DATA_DIR: target })).toMatchObject({ code: 1, stderr: `usher: ${otherTar} is not a backup made by usher backup (no database directory in it).\n` });
    // Refused before anything was made there: a later restore of a good file works.
    expect(existsSync(target)).toBe(false);
    expect(await cli(['restore', file], { DATA_DIR: target })).toMatchObject({ code: 0, stdout: `restored ${file} into ${target}: 1 tenants, 0 users\n` });
    expect((await cli(['tenant', 'list'], { DATA_DIR: target })).stdout).toContain('  globex  globex');
  });

  it('refuses a backup on PostgreSQL, naming pg_dump, and of a DATA_DIR without a database', async () => {
    const onPostgres = await cli(['backup'], { DATA_DIR: dir(), DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres' });
    expect(onPostgres).toMatchObject({ code: 1, stdout: '' });
    expect(onPostgres.stderr).toContain('pg_dump --format=custom');
    const nothing = await backupTo(join(dir(), 'none.tar.gz'), { DATA_DIR: join(dir(), 'empty') });
    expect(nothing).toEqual({ code: 1, stderr: expect.stringMatching(/^usher: There is no database in .*\/empty \(DATA_DIR\) to back up\.\n$/) });
  });
});
