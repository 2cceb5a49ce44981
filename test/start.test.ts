// `npm start` as a supervisor runs it: the built server, not rebuilt when current, stopped cleanly by SIGTERM to npm.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILD_STAMP, buildState, stampBuild } from '../src/build-state.js';
import { removeDir, startServer, tempDirs } from './helpers/processes.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const UNIT = join(ROOT, 'docs', 'deploy', 'usher.service');
const SYSTEMD_ANALYZE = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((path) => existsSync(path));

const { dir, cleanUp } = tempDirs();
afterAll(cleanUp);

/** Sets a file's modification time to `at` seconds from now. */
function touch(path: string, at: number): void {
  const when = new Date(Date.now() + at * 1000);
  utimesSync(path, when, when);
}

describe('whether the build is current', () => {
  /** A project with one source in each place the build reads, and a migration, built 10 s ago. */
  function project(): string {
    const root = dir();
    for (const folder of ['src/http', 'conformance', 'sql', 'dist']) mkdirSync(join(root, folder), { recursive: true });
    for (const file of ['src/http/app.ts', 'conformance/run.ts', 'sql/0001_init.sql', 'tsconfig.json', 'package.json']) {
      writeFileSync(join(root, file), '');
      touch(join(root, file), -60);
    }
    for (const folder of ['src/http', 'src', 'conformance', 'sql']) touch(join(root, folder), -60);
    stampBuild(root, new Date());
    touch(join(root, BUILD_STAMP), -10);
    return root;
  }

  it('is stale without a stamp, current when the stamp is newer than every source', () => {
    const root = project();
    expect(buildState(root)).toBe('current');
    removeDir(join(root, BUILD_STAMP));
    expect(buildState(root)).toBe('stale');
  });

  it('is stale once a source, a conformance file or a compiler setting is newer than the stamp; not for a migration', () => {
    for (const file of ['src/http/app.ts', 'conformance/run.ts', 'tsconfig.json', 'package.json']) {
      const root = project();
      touch(join(root, file), 0);
      expect({ file, state: buildState(root) }).toEqual({ file, state: 'stale' });
    }
    const root = project();
    touch(join(root, 'sql/0001_init.sql'), 0);
    expect(buildState(root)).toBe('current');
    // A new file in a source folder changes the folder, as a deleted one does.
    writeFileSync(join(root, 'src/http/new.ts'), '');
    expect(buildState(root)).toBe('stale');
  });
});

describe('npm start under a supervisor', { timeout: 90_000 }, () => {
  it('starts the current build without rebuilding, writes only JSON lines on stdout, and exits 0 on SIGTERM to npm', async () => {
    const server = await startServer({ DATA_DIR: dir(), LOG_LEVEL: 'info' }, 60_000, [], ['npm', 'start', '--silent']);
    const messages = server.logs().map((entry) => entry.msg);
    expect(messages).not.toContain('building: the sources changed since the last build');
    // npm's script execs node: the server is npm's own child, so npm's SIGTERM reaches it.
    const starting = server.logs().find((entry) => entry.msg === 'starting')!;
    expect(starting.pid).not.toBe(server.pid);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(server.logs().map((entry) => entry.msg)).toEqual(expect.arrayContaining(['shutting down', 'stopped']));
    for (const line of server.lines.filter((l) => l !== '')) expect(() => JSON.parse(line)).not.toThrow();
    // The server process is gone with npm: nothing is left answering with parent 1.
    expect(() => process.kill(Number(starting.pid), 0)).toThrow();
  });
});

describe('the systemd unit in docs/deploy', { timeout: 90_000 }, () => {
  const unit = readFileSync(UNIT, 'utf8');
  const setting = (name: string) => unit.split('\n').filter((line) => line.startsWith(`${name}=`)).map((line) => line.slice(name.length + 1));

  it.skipIf(!SYSTEMD_ANALYZE)('passes systemd-analyze verify without a complaint', () => {
    // systemd only warns of an unknown key (and ignores it): a warning fails this test too.
    const verified = spawnSync(SYSTEMD_ANALYZE!, ['verify', UNIT], { encoding: 'utf8' });
    expect({ status: verified.status, stderr: verified.stderr }).toEqual({ status: 0, stderr: '' });
  });

  it('starts the command it names (the server itself, not npm), which stops cleanly on its KillSignal', async () => {
    const [execStart] = setting('ExecStart');
    expect(setting('KillSignal')).toEqual(['SIGTERM']);
    const [command, ...args] = execStart!.replaceAll('/opt/usher', ROOT.replace(/\/$/, '')).split(' ');
    expect(args.at(-1)).toBe(join(ROOT, 'dist', 'main.js'));
    const dataDir = dir();
    const server = await startServer({ DATA_DIR: dataDir, LOG_LEVEL: 'info' }, 60_000, [], [command!, ...args]);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  });
});
