// usher backup and usher restore: the embedded database as one gzipped tar, taken from the running server over its
// admin socket or from a stopped data directory, and made into a new database in an empty DATA_DIR.
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Config } from '../config.js';
import { DataDirInUseError, PGLITE_SUBDIR, StartupError, embeddedDatabaseExists, openConfiguredStore } from '../server.js';
import { migrate } from '../store/index.js';
import { lockHolder } from './lock.js';
import { AdminCommandError } from './create-admin.js';
import { requestBackup } from './socket.js';

/** Where a command works and what it did, for stderr. */
export type Say = (line: string) => void;

/** The line a command says when the server that holds DATA_DIR runs it (or serves it). */
export const throughServer = (holder: { pid: number }, dataDir: string) =>
  `through the running server (pid ${holder.pid}) that holds the embedded database in ${dataDir} (DATA_DIR)`;

/** The line a command says when it opens DATA_DIR's files itself (making the database when there is none). */
export const onDisk = (dataDir: string, exists = true) => `${exists ? 'on' : 'creating'} the embedded database in ${dataDir} (DATA_DIR)`;

const POSTGRES_BACKUP =
  'usher backup and restore are for the embedded database. On PostgreSQL (DATABASE_URL) use its own tools: ' +
  'pg_dump --format=custom "$DATABASE_URL" > usher.dump, and pg_restore --dbname "$DATABASE_URL" usher.dump into an empty database.';

/** gzip's magic number: every backup starts with it. */
const GZIP = [0x1f, 0x8b];

export function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** A backup of the embedded database in DATA_DIR: from the server that holds it, or read from the stopped directory. */
export async function takeBackup(config: Config, say: Say): Promise<Uint8Array> {
  if (config.databaseUrl) throw new AdminCommandError(POSTGRES_BACKUP);
  const dataDir = resolve(config.dataDir);
  const holder = lockHolder(config.dataDir);
  if (holder?.role === 'server') {
    say(throughServer(holder, dataDir));
    return requestBackup(config.dataDir);
  }
  if (!embeddedDatabaseExists(config.dataDir)) throw new AdminCommandError(`There is no database in ${dataDir} (DATA_DIR) to back up.`);
  say(onDisk(dataDir));
  const { store, release } = await openConfiguredStore(config, 'cli');
  try {
    return await store.backup!();
  } finally {
    await store.close();
    release();
  }
}

/** Makes the database in an empty DATA_DIR from a backup file, and brings it up to this version's migrations. */
export async function restoreBackup(config: Config, file: string, say: Say): Promise<string[]> {
  if (config.databaseUrl) throw new AdminCommandError(POSTGRES_BACKUP);
  const dataDir = resolve(config.dataDir);
  const holder = lockHolder(config.dataDir);
  if (holder) throw new AdminCommandError(`${dataDir} (DATA_DIR) is in use by another Usher process (pid ${holder.pid}, ${holder.role}): restore makes a new database, in a DATA_DIR no one uses.`);
  if (embeddedDatabaseExists(config.dataDir)) {
    throw new AdminCommandError(`${dataDir} (DATA_DIR) holds a database already: restore into an empty DATA_DIR, or move this one away first.`);
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new AdminCommandError(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
  }
  if (bytes[0] !== GZIP[0] || bytes[1] !== GZIP[1]) throw new AdminCommandError(`${file} is not a backup made by usher backup (not gzip).`);
  // Unpacked once here, so that a cut-short or damaged file is named as such before any database is made of it.
  let tar: Buffer;
  try {
    tar = gunzipSync(bytes);
  } catch (error) {
    throw new AdminCommandError(`${file} is not a whole backup: ${(error as Error).message}.`);
  }
  if (!/^\/?PG_VERSION\0/.test(tar.subarray(0, 100).toString('latin1'))) {
    throw new AdminCommandError(`${file} is not a backup made by usher backup (no database directory in it).`);
  }
  say(`restoring ${file} (${megabytes(bytes.length)}) into a new embedded database in ${dataDir} (DATA_DIR)`);
  let opened;
  try {
    opened = await openConfiguredStore(config, 'cli', new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
  } catch (error) {
    if (error instanceof DataDirInUseError || error instanceof StartupError) throw error;
    // What PGlite made of a bad archive is no database: leave DATA_DIR as empty as it was.
    rmSync(join(config.dataDir, PGLITE_SUBDIR), { recursive: true, force: true });
    throw new AdminCommandError(`${file} could not be restored: ${(error as Error).message}`);
  }
  const { store, release } = opened;
  try {
    const applied = await migrate(store);
    const [counts] = await store.query<{ tenants: number; users: number }>(
      'select (select count(*)::int from tenants) as tenants, (select count(*)::int from users) as users',
    );
    return [
      `restored ${file} into ${dataDir}: ${counts!.tenants} tenants, ${counts!.users} users` +
        (applied.length > 0 ? `; migrations applied since the backup: ${applied.join(', ')}` : ''),
    ];
  } finally {
    await store.close();
    release();
  }
}
