// The data-directory lock: a live holder is told from a stale one by pid and start time, never by the pid alone.
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirPermissionError, LOCK_FILE, acquireLock, isLive, isLock, lockHolder, procStartTime, secureDataDir, type ProcessProbe } from '../../src/admin/lock.js';
import { ROOT, removeDir, tempDataDir } from '../helpers/processes.js';

const execFileAsync = promisify(execFile);

const dirs: string[] = [];
function dataDir(): string {
  const dir = tempDataDir();
  dirs.push(dir);
  return dir;
}
afterAll(() => dirs.forEach(removeDir));

/** A world of processes: pid -> start time (null: alive, start time unknown, as without /proc). */
function probe(ownPid: number, processes: Record<number, string | null>): ProcessProbe {
  return {
    ownPid,
    isAlive: (pid) => pid in processes,
    startTime: (pid) => processes[pid] ?? undefined,
  };
}

const writeLock = (dir: string, holder: object) => writeFileSync(join(dir, LOCK_FILE), JSON.stringify(holder));

describe('isLive', () => {
  const world = probe(1, { 1: '500', 42: '900', 43: null });
  it.each([
    ['our own pid (pid 1 restarted in a container)', { pid: 1, role: 'server', startTime: '100' }, false],
    ['our own pid, even with our start time', { pid: 1, role: 'server', startTime: '500' }, false],
    ['a pid that is not alive', { pid: 77, role: 'server', startTime: '900' }, false],
    ['a reused pid: alive with another start time', { pid: 42, role: 'server', startTime: '100' }, false],
    ['the same pid and start time', { pid: 42, role: 'cli', startTime: '900' }, true],
    ['an alive pid whose start time cannot be read (no /proc)', { pid: 43, role: 'server', startTime: '900' }, true],
    ['an alive pid in a lock written without /proc', { pid: 42, role: 'server' }, true],
  ] as const)('%s -> live: %s', (_name, holder, live) => {
    expect(isLive(holder, world)).toBe(live);
  });
});

describe('acquireLock', () => {
  it('records the pid, the role and the start time, and release removes it', () => {
    const dir = dataDir();
    const lock = acquireLock(dir, 'server', probe(7, { 7: '123' }));
    expect(isLock(lock)).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toEqual({ pid: 7, role: 'server', startTime: '123' });
    if (isLock(lock)) lock.release();
    expect(() => readFileSync(join(dir, LOCK_FILE))).toThrow();
  });

  it('takes over a lock naming its own pid (kill -9 as pid 1, then a restart)', () => {
    const dir = dataDir();
    writeLock(dir, { pid: 1, role: 'server' });
    const lock = acquireLock(dir, 'server', probe(1, { 1: '600' }));
    expect(isLock(lock)).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toEqual({ pid: 1, role: 'server', startTime: '600' });
  });

  it('takes over a lock whose pid now belongs to another process', () => {
    const dir = dataDir();
    writeLock(dir, { pid: 42, role: 'server', startTime: '100' });
    expect(isLock(acquireLock(dir, 'server', probe(7, { 7: '1', 42: '900' })))).toBe(true);
  });

  it('takes over a lock of a dead process', () => {
    const dir = dataDir();
    writeLock(dir, { pid: 42, role: 'cli', startTime: '100' });
    expect(isLock(acquireLock(dir, 'server', probe(7, { 7: '1' })))).toBe(true);
  });

  it('returns the live holder and leaves its lock alone', () => {
    const dir = dataDir();
    writeLock(dir, { pid: 42, role: 'cli', startTime: '900' });
    const world = probe(7, { 7: '1', 42: '900' });
    expect(acquireLock(dir, 'server', world)).toEqual({ pid: 42, role: 'cli', startTime: '900' });
    expect(lockHolder(dir, world)).toEqual({ pid: 42, role: 'cli', startTime: '900' });
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toEqual({ pid: 42, role: 'cli', startTime: '900' });
  });

  it('does not release a lock another process has taken over since', () => {
    const dir = dataDir();
    const lock = acquireLock(dir, 'server', probe(7, { 7: '1' }));
    writeLock(dir, { pid: 7, role: 'server', startTime: '2' });
    if (isLock(lock)) lock.release();
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toEqual({ pid: 7, role: 'server', startTime: '2' });
  });
  it('takes over a lock that cannot be read: a lock file is never seen half-written, so it is garbage', () => {
    const dir = dataDir();
    writeFileSync(join(dir, LOCK_FILE), '');
    expect(isLock(acquireLock(dir, 'server', probe(7, { 7: '1' })))).toBe(true);
    expect(readdirSync(dir)).toEqual([LOCK_FILE]);
  });

  it('does not remove a lock another process took while this one judged the old one stale', () => {
    const dir = dataDir();
    writeLock(dir, { pid: 42, role: 'cli', startTime: '100' });
    // While this process looks at pid 42 (dead), pid 43 takes the dead lock over: the lock on disk is now 43's.
    const world: ProcessProbe = {
      ownPid: 7,
      isAlive: (pid) => {
        if (pid === 42) writeLock(dir, { pid: 43, role: 'cli', startTime: '5' });
        return pid === 7 || pid === 43;
      },
      startTime: (pid) => (pid === 43 ? '5' : '1'),
    };
    expect(acquireLock(dir, 'server', world)).toEqual({ pid: 43, role: 'cli', startTime: '5' });
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toEqual({ pid: 43, role: 'cli', startTime: '5' });
    expect(readdirSync(dir)).toEqual([LOCK_FILE]);
  });

  it('lets one process at a time in when several race for it', async () => {
    const dir = dataDir();
    const held = join(dir, 'held');
    // Each of 8 processes takes and releases the lock 200 times, and counts the times it found another inside with
    // it. None may give up either: a lock released between a failed take and the look at its holder is no obstacle.
    const script = `
      import { closeSync, openSync, rmSync } from 'node:fs';
      const { acquireLock, isLock } = await import(process.argv[1]);
      const [dir, held] = process.argv.slice(2);
      let overlaps = 0;
      for (let i = 0; i < 200; i++) {
        let lock;
        while (!isLock((lock = acquireLock(dir, 'cli'))));
        try { closeSync(openSync(held, 'wx')); } catch { overlaps++; }
        for (let j = 0; j < 2000; j++) Math.sqrt(j);
        rmSync(held, { force: true });
        lock.release();
      }
      process.stdout.write(String(overlaps));`;
    const lockModule = pathToFileURL(join(ROOT, 'dist', 'admin', 'lock.js')).href;
    const runs = Array.from({ length: 8 }, () => execFileAsync(process.execPath, ['--input-type=module', '-e', script, lockModule, dir, held]));
    const outputs = (await Promise.all(runs)).map(({ stdout }) => Number(stdout));
    expect(outputs).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('procStartTime', { skip: process.platform !== 'linux' }, () => {
  it("reads this process's start time, stable between reads, and nothing for a pid that does not exist", () => {
    const mine = procStartTime(process.pid);
    expect(mine).toMatch(/^\d+$/);
    expect(procStartTime(process.pid)).toBe(mine);
    expect(procStartTime(2 ** 22 + 1)).toBeUndefined();
  });
});

describe('secureDataDir', { skip: process.getuid === undefined }, () => {
  it('creates the directory 0700', () => {
    const dir = join(dataDir(), 'new', 'data');
    secureDataDir(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('tightens a directory this user owns to 0700', () => {
    const dir = join(dataDir(), 'loose');
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    secureDataDir(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it.skipIf(process.getuid?.() !== 0)("refuses another user's directory and leaves it as it was", () => {
    const dir = join(dataDir(), 'theirs');
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    chownSync(dir, 65534, 65534);
    expect(() => secureDataDir(dir)).toThrow(DataDirPermissionError);
    expect(() => secureDataDir(dir)).toThrow(/owned by uid 65534/);
    expect(statSync(dir).mode & 0o777).toBe(0o777);
  });
});
