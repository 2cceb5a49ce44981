// One process at a time on a PGlite data directory: a lock file holding the owner's pid, taken atomically.
import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = 'usher.lock';

export interface DataDirLock {
  release(): void;
}

export interface LockHolder {
  readonly pid: number;
  readonly role: 'server' | 'cli';
}

function readHolder(path: string): LockHolder | undefined {
  try {
    const holder = JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
    return typeof holder.pid === 'number' ? holder : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Who holds the data directory now, if a live process does. */
export function lockHolder(dataDir: string): LockHolder | undefined {
  const holder = readHolder(join(dataDir, LOCK_FILE));
  return holder && holder.pid !== process.pid && isAlive(holder.pid) ? holder : undefined;
}

/**
 * Takes the data directory for this process, or returns the live holder. A lock left by a process that
 * died is taken over.
 */
export function acquireLock(dataDir: string, role: LockHolder['role']): DataDirLock | LockHolder {
  // Owner only: the directory holds the database and the admin socket, which must not be reachable by other
  // local users even in the moment between the socket's creation and its chmod.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, JSON.stringify({ pid: process.pid, role }));
      closeSync(fd);
      return {
        release() {
          if (readHolder(path)?.pid === process.pid) rmSync(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readHolder(path);
      if (holder && isAlive(holder.pid)) return holder;
      rmSync(path, { force: true });
    }
  }
  throw new Error(`Could not lock ${path}.`);
}

export function isLock(value: DataDirLock | LockHolder): value is DataDirLock {
  return 'release' in value;
}
