// The data-directory lock: a live holder is told from a stale one by pid and start time, never by the pid alone.
import { chmodSync, chownSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirPermissionError, LOCK_FILE, acquireLock, isLive, isLock, lockHolder, procStartTime, secureDataDir, type ProcessProbe } from '../../src/admin/lock.js';
import { removeDir, tempDataDir } from '../helpers/processes.js';

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
