// One process at a time on a PGlite data directory: a lock file naming the holder by its pid and start time, taken atomically.
//
// A pid alone does not identify a process: in a container the server is pid 1 on every start, so after a kill -9
// the lock names a pid that is alive again (this very process), and any pid is reused sooner or later. The
// holder's start time (field 22 of /proc/<pid>/stat, in clock ticks since boot) tells the process that wrote the
// lock from a later one with the same pid. Where /proc is missing (macOS), the start time is unknown and the
// check falls back to the pid: still never our own, and never a dead one.
//
// An OS lock (flock through fs-ext) would go with the process by itself, but needs a native module built for each
// platform; proper-lockfile's mtime refresh would count a server whose event loop is busy for its stale period
// as gone and let a second process in. A start time is exact and costs one file read.
import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = 'usher.lock';

export interface DataDirLock {
  release(): void;
}

export interface LockHolder {
  readonly pid: number;
  readonly role: 'server' | 'cli';
  /** The holder's start time as /proc gives it (clock ticks since boot); absent where /proc is missing. */
  readonly startTime?: string;
}

/** How the lock sees processes: the real ones, or a test's. */
export interface ProcessProbe {
  readonly ownPid: number;
  isAlive(pid: number): boolean;
  /** The process's start time, or undefined when it cannot be known (no /proc, or no such process). */
  startTime(pid: number): string | undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Field 22 of /proc/<pid>/stat. The command name (field 2) may hold spaces and ')', so fields are counted after its last ')'. */
export function procStartTime(pid: number): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // After "pid (comm) " come fields 3, 4, ...: field 22 is the 20th of them.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const value = fields[19];
  return value && /^\d+$/.test(value) ? value : undefined;
}

export const systemProbe: ProcessProbe = { ownPid: process.pid, isAlive, startTime: procStartTime };

function parseHolder(raw: string): LockHolder | undefined {
  try {
    const holder = JSON.parse(raw) as LockHolder;
    return typeof holder?.pid === 'number' ? holder : undefined;
  } catch {
    return undefined;
  }
}

function readHolder(path: string): LockHolder | undefined {
  try {
    return parseHolder(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Whether the process the lock names still runs: not this process (a lock naming us was left by an earlier
 * process with our pid: we hold no lock before acquiring it), alive, and, where both are known, started when the
 * holder did.
 */
export function isLive(holder: LockHolder, probe: ProcessProbe = systemProbe): boolean {
  if (holder.pid === probe.ownPid || !probe.isAlive(holder.pid)) return false;
  if (holder.startTime === undefined) return true;
  const now = probe.startTime(holder.pid);
  return now === undefined || now === holder.startTime;
}

/** Who holds the data directory now, if a live process does. */
export function lockHolder(dataDir: string, probe: ProcessProbe = systemProbe): LockHolder | undefined {
  const holder = readHolder(join(dataDir, LOCK_FILE));
  return holder && isLive(holder, probe) ? holder : undefined;
}

/** The data directory cannot be made safe: owned by another user, or writable by others. */
export class DataDirPermissionError extends Error {
  override readonly name = 'DataDirPermissionError';
}

/**
 * Creates the data directory owner-only (0700), or tightens an existing one this process's user owns. The
 * directory holds the database (welcome and reset links pass through its WAL) and the admin socket, which must not
 * be reachable by other local users, even in the moment between the socket's creation and its chmod. A directory
 * of another user is refused, not taken over: its owner could read or replace everything in it.
 */
export function secureDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const uid = process.getuid?.();
  if (uid === undefined) return; // Windows: no POSIX owner or modes to check.
  const stat = statSync(dataDir);
  if (!stat.isDirectory()) throw new DataDirPermissionError('not a directory');
  if (stat.uid !== uid) throw new DataDirPermissionError(`owned by uid ${stat.uid}, not by this process's user (uid ${uid}); give it to uid ${uid} or use another directory`);
  if ((stat.mode & 0o777) !== 0o700) chmodSync(dataDir, 0o700);
  if ((statSync(dataDir).mode & 0o022) !== 0) throw new DataDirPermissionError('writable by other users and its permissions cannot be changed; chmod 700 it');
}

/**
 * Takes away every permission of group and others under dir. PGlite unpacks a fresh database from an archive
 * whose files it chmods 0666, past the umask (the entry points set 077); run once the database is open.
 */
export function tightenTree(dir: string): void {
  if (process.getuid === undefined) return;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isSymbolicLink()) continue;
    const path = join(entry.parentPath, entry.name);
    const mode = statSync(path).mode & 0o7777;
    if ((mode & 0o077) !== 0) chmodSync(path, mode & ~0o077);
  }
}

/** A file with these contents at path, made whole before it appears there; false when path already exists. */
function createWhole(path: string, contents: string): boolean {
  const scratch = `${path}.${process.pid}.${randomBytes(6).toString('hex')}`;
  writeFileSync(scratch, contents, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(scratch, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(scratch, { force: true });
  }
}

const readRaw = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
};

/**
 * Removes the lock at path if it still holds `stale`: moved aside first (a rename is atomic), then compared. A lock
 * another process made in the meantime (the stale one was taken over and released, then taken afresh) is put back.
 */
function removeIfStill(path: string, stale: string): void {
  const aside = `${path}.stale.${process.pid}.${randomBytes(6).toString('hex')}`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    if (readRaw(aside) !== stale) linkSync(aside, path);
  } catch (error) {
    // EEXIST: a third process locked the directory in the instant the lock was aside. Two then believe they hold it;
    // that takes a dead holder's lock and three processes starting within microseconds of each other.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(aside, { force: true });
  }
}

/**
 * Takes the data directory for this process, or returns the live holder. A lock left by a process that
 * died is taken over.
 *
 * The lock file is written beside it and hard-linked into place, so it never exists empty or half-written: a lock
 * that cannot be read is garbage, never a holder caught between creating the file and writing its pid (taking that
 * for stale let two processes in at once, and two PGlite instances on one directory lose writes).
 */
export function acquireLock(dataDir: string, role: LockHolder['role'], probe: ProcessProbe = systemProbe): DataDirLock | LockHolder {
  secureDataDir(dataDir);
  const path = join(dataDir, LOCK_FILE);
  const startTime = probe.startTime(probe.ownPid);
  const own: LockHolder = { pid: probe.ownPid, role, ...(startTime !== undefined ? { startTime } : {}) };
  // A lock released between the failed link and the read is no obstacle: the loop looks again, as often as other
  // processes keep taking and releasing it (each time one of them got in). Only taking over a dead holder's lock
  // is counted: a lock that stays unreadable or comes back dead after three takeovers is a fault to report.
  for (let takeovers = 0; takeovers < 3; ) {
    if (createWhole(path, JSON.stringify(own))) {
      return {
        release() {
          const holder = readHolder(path);
          if (holder?.pid === own.pid && holder.startTime === own.startTime) rmSync(path, { force: true });
        },
      };
    }
    const raw = readRaw(path);
    if (raw === undefined) continue;
    const holder = parseHolder(raw);
    if (holder && isLive(holder, probe)) return holder;
    removeIfStill(path, raw);
    takeovers++;
  }
  throw new Error(`Could not lock ${path}: a lock left by a process that is gone could not be removed.`);
}

export function isLock(value: DataDirLock | LockHolder): value is DataDirLock {
  return 'release' in value;
}
