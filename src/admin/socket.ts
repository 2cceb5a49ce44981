// The running server's admin channel: HTTP over a Unix socket in the data directory, readable only by its owner.
import { chmodSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
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

export async function startAdminSocket(dataDir: string, deps: AdminDeps): Promise<Server> {
  const path = socketPath(dataDir);
  rmSync(path, { force: true });
  const server = createServer((req, res) => {
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
