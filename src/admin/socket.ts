// The running server's admin channel: HTTP over a Unix socket in the data directory, readable only by its owner.
import { chmodSync, rmSync } from 'node:fs';
import { createServer, request, type Server, type ServerResponse } from 'node:http';
import { join, relative } from 'node:path';
import { TenancyError } from '../tenancy/service.js';
import { adminRequestSchema, runAdminCommand, type AdminDeps, type AdminResult } from './commands.js';
import { AdminCommandError } from './create-admin.js';

export const SOCKET_FILE = 'admin.sock';
const MAX_BODY = 64 * 1024;

/** Unix socket paths are limited to about 100 bytes: use the shorter of the absolute and relative forms. */
export function socketPath(dataDir: string): string {
  const absolute = join(dataDir, SOCKET_FILE);
  const fromHere = relative(process.cwd(), absolute);
  return fromHere.length < absolute.length ? fromHere : absolute;
}

export interface AdminReply {
  readonly ok: boolean;
  readonly lines: string[];
  readonly error?: string;
}

/** A mistake in the command or its data, to show as it is; anything else is the server's own failure. */
export function isUserError(error: unknown): error is Error {
  return error instanceof TenancyError || error instanceof AdminCommandError;
}

/** The socket's one route that answers bytes, not JSON: a gzipped tar of the embedded database. */
const BACKUP_PATH = '/backup';

/** Answers a backup of the embedded database (application/gzip), or a JSON AdminReply saying why there is none. */
function backup(deps: AdminDeps, res: ServerResponse): void {
  const refuse = (status: number, error: string) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: false, lines: [], error } satisfies AdminReply));
  };
  if (!deps.store.backup) return refuse(400, 'This server does not use the embedded database: back PostgreSQL up with pg_dump.');
  const started = performance.now();
  deps.store.backup().then(
    (bytes) => {
      deps.logger.info('backup taken', { bytes: bytes.length, ms: Math.round(performance.now() - started) });
      res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': bytes.length });
      res.end(bytes);
    },
    (error: unknown) => {
      deps.logger.error('backup failed', { error: (error as Error).message });
      refuse(500, 'The server failed to take the backup; see its log.');
    },
  );
}

/** Asks the server that holds the data directory for a backup: the gzipped tar, or the server's reason for none. */
export function requestBackup(dataDir: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socketPath(dataDir), path: BACKUP_PATH, method: 'POST' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        if (res.statusCode === 200 && res.headers['content-type'] === 'application/gzip') return resolve(body);
        let reason = `The server answered ${res.statusCode} to the backup request.`;
        try {
          reason = (JSON.parse(body.toString('utf8')) as AdminReply).error ?? reason;
        } catch {
          // Not JSON: the status says enough.
        }
        reject(new AdminCommandError(reason));
      });
    });
    req.on('error', reject);
    req.end();
  });
}

export async function startAdminSocket(dataDir: string, deps: AdminDeps): Promise<Server> {
  const path = socketPath(dataDir);
  rmSync(path, { force: true });
  const server = createServer((req, res) => {
    if (req.url === BACKUP_PATH) return backup(deps, res);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) req.destroy();
      else chunks.push(chunk);
    });
    req.on('end', () => {
      const reply = (status: number, body: AdminReply) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      let parsed;
      try {
        parsed = adminRequestSchema.safeParse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        return reply(400, { ok: false, lines: [], error: 'The admin request is not JSON.' });
      }
      if (!parsed.success) return reply(400, { ok: false, lines: [], error: 'Unknown admin command.' });
      runAdminCommand(deps, parsed.data).then(
        (result: AdminResult) => reply(200, { ok: true, lines: result.lines }),
        (error: unknown) => {
          if (isUserError(error)) return reply(400, { ok: false, lines: [], error: error.message });
          deps.logger.error('admin command failed', { command: parsed.data.command, error: (error as Error).message });
          return reply(500, { ok: false, lines: [], error: 'The server failed to run the command; see its log.' });
        },
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  chmodSync(path, 0o600);
  return server;
}

/** Sends one command to the server that holds the data directory. */
export function sendAdminCommand(dataDir: string, body: unknown): Promise<AdminReply> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socketPath(dataDir), path: '/', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as AdminReply);
        } catch (error) {
          reject(error);
        }
      });
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}
