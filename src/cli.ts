#!/usr/bin/env node
// The `usher` command: tenants, API tokens and migrations, on the same configuration as the server.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { megabytes, onDisk, restoreBackup, takeBackup, throughServer } from './admin/backup.js';
import { AdminCommandError } from './admin/create-admin.js';
import { lockHolder, type LockHolder } from './admin/lock.js';
import { runAdminCommand, runMigrations, type AdminRequest } from './admin/commands.js';
import { parseDuration } from './admin/duration.js';
import { isUserError, sendAdminCommand } from './admin/socket.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { assembleAppDeps } from './http/assemble.js';
import { createLogger } from './http/logger.js';
import { DataDirInUseError, StartupError, databaseLocation, embeddedDatabaseExists, openConfiguredStore, publicUrlOf } from './server.js';
import { migrate } from './store/index.js';
import { serverSecret } from './store/secrets.js';
import { TenancyError, createTenancyService } from './tenancy/service.js';

const USAGE = `usage: usher <command>

  usher help, usher --help, usher <command> --help  this text
  usher --version                                   the version
  usher <command> --create                          the command may make a new embedded database in DATA_DIR

  usher migrate                                     apply pending database migrations
  usher tenant create <slug> [--name "Acme Corp"]   create a tenant; prints its id last
  usher tenant list                                 list tenants
  usher tenant update <slug> [--name "Acme Corp"] [--welcome-mail on|off] [--require-mfa on|off]
                                                    welcome mail for users an identity provider creates;
                                                    two-step verification for users who hold users:write
  usher token create --tenant <slug> [--label okta] [--scope users:read] [--expires-in 90d]
                                                    create an API token; prints the token last
  usher token list --tenant <slug>                  list a tenant's tokens (never the tokens themselves)
  usher token revoke <token-id>                     revoke a token at once
  usher keys rotate                                 a new key for signing event tokens (SETs); the old one stays
                                                    in the JWKS for a day; prints the new key id last
  usher keys list                                   the signing keys: current, and retired until when published
  usher admin create --tenant <slug> --user-name <name> --email <address> [--given-name X] [--family-name Y]
                                                    create a portal administrator (Administrator persona);
                                                    queues its welcome mail and prints the set-password link last
  usher backup > usher-YYYY-MM-DD.tar.gz            the embedded database as a gzipped tar, on stdout, from the
                                                    running server or a stopped DATA_DIR (PostgreSQL: pg_dump)
  usher restore <file>                              make the database of an empty DATA_DIR from such a backup

Configuration comes from the environment, as for the server (DATA_DIR, DATABASE_URL, ...); each command says on
stderr which database it used. With the embedded database, commands run inside the server when it is running, and
only usher migrate, or a command given --create, makes a new database in a DATA_DIR that has none.`;

class UsageError extends Error {}

/** `usher --help`: the usage on stdout, exit 0 (a usage error prints it on stderr, exit 2). */
class HelpRequested extends Error {}

/** `usher --version`: the package's version on stdout, exit 0. */
class VersionRequested extends Error {}

/** The version in the package.json beside dist/, where this file runs from. */
function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'package.json'), 'utf8')) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : 'unknown';
}

function expiresIn(text: string): number {
  const seconds = parseDuration(text);
  if (seconds === undefined) throw new UsageError(`--expires-in "${text}" is not a duration; write a whole number and d, h or m, e.g. 90d, 12h, 30m`);
  return seconds;
}

/** An on|off option: undefined when not given. */
function onOff(value: string | undefined, option: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (value !== 'on' && value !== 'off') throw new UsageError(`${option} takes on or off, not "${value}"`);
  return value === 'on';
}

const OPTIONS = {
  name: { type: 'string' },
  tenant: { type: 'string' },
  label: { type: 'string' },
  scope: { type: 'string', multiple: true },
  'expires-in': { type: 'string' },
  'user-name': { type: 'string' },
  email: { type: 'string' },
  'given-name': { type: 'string' },
  'family-name': { type: 'string' },
  'welcome-mail': { type: 'string' },
  'require-mfa': { type: 'string' },
  create: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

/** Edits (insertions, deletions, substitutions) between two short words: for "did you mean". */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** node:util's parseArgs errors, said in the CLI's words: the option, and what to write instead. */
function usageErrorOf(error: unknown): UsageError {
  const { code, message } = error as { code?: string; message: string };
  const option = /'(-[^' ]*)/.exec(message)?.[1] ?? '';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const name = option.replace(/^-+/, '');
    const [nearest] = Object.keys(OPTIONS)
      .map((known) => ({ known, distance: editDistance(name, known) }))
      .filter((c) => c.distance <= Math.max(1, Math.floor(name.length / 3)))
      .sort((a, b) => a.distance - b.distance);
    return new UsageError(`unknown option ${option}${nearest ? `; did you mean --${nearest.known}?` : ''}`);
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const name = option.replace(/^-+/, '');
    const type = (OPTIONS as Record<string, { type: string }>)[name]?.type;
    return new UsageError(type === 'boolean' ? `${option} takes no value` : `${option} needs a value: ${option} <value>`);
  }
  return new UsageError(message);
}

/** What the command line asks for: an admin command (run here or in the server), or a backup or restore. */
type Invocation =
  | {
      readonly kind: 'admin';
      readonly request: AdminRequest;
      /** --create: the command may make a new embedded database. */
      readonly create: boolean;
    }
  | { readonly kind: 'backup' }
  | { readonly kind: 'restore'; readonly file: string };

function parseCommand(argv: string[]): Invocation {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (error) {
    throw usageErrorOf(error);
  }
  const { values, positionals } = parsed;
  const [command, file, ...extra] = positionals;
  if ((command === 'backup' || command === 'restore') && !values.help && !values.version) {
    const stray = command === 'backup' ? [file, ...extra].find((p) => p !== undefined) : extra[0];
    if (stray !== undefined) throw new UsageError(`unexpected argument "${stray}"`);
    if (command === 'backup') return { kind: 'backup' };
    if (file === undefined) throw new UsageError('missing <file>');
    return { kind: 'restore', file };
  }
  return { kind: 'admin', request: requestOf(values, positionals), create: values.create === true };
}

function requestOf(values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'], positionals: string[]): AdminRequest {
  const [group, action, arg, ...extra] = positionals;
  if (values.help || (group === 'help' && action === undefined)) throw new HelpRequested();
  if (values.version || (group === 'version' && action === undefined)) throw new VersionRequested();
  if (!group) throw new UsageError('missing command');
  const need = (value: string | undefined, what: string): string => {
    if (!value) throw new UsageError(`missing ${what}`);
    return value;
  };
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  // For the commands that take no <argument>: a stray one is a mistake, not something to ignore.
  const none = () => {
    if (arg !== undefined) throw new UsageError(`unexpected argument "${arg}"`);
  };
  switch (`${group} ${action ?? ''}`.trim()) {
    case 'migrate':
      return { command: 'migrate' };
    case 'tenant create':
      return { command: 'tenant.create', slug: need(arg, '<slug>'), ...(values.name ? { name: values.name } : {}) };
    case 'tenant list':
      none();
      return { command: 'tenant.list' };
    case 'tenant update': {
      const slug = need(arg, '<slug>');
      const welcomeMail = onOff(values['welcome-mail'], '--welcome-mail');
      const mfaRequired = onOff(values['require-mfa'], '--require-mfa');
      if (values.name === undefined && welcomeMail === undefined && mfaRequired === undefined) {
        throw new UsageError('tenant update needs --name, --welcome-mail on|off or --require-mfa on|off');
      }
      return {
        command: 'tenant.update',
        slug,
        ...(values.name !== undefined ? { name: values.name } : {}),
        ...(welcomeMail !== undefined ? { welcomeMail } : {}),
        ...(mfaRequired !== undefined ? { mfaRequired } : {}),
      };
    }
    case 'token create':
      none();
      return {
        command: 'token.create',
        tenant: need(values.tenant, '--tenant <slug>'),
        label: values.label ?? 'api',
        ...(values.scope ? { scopes: values.scope.flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '') } : {}),
        ...(values['expires-in'] !== undefined ? { expiresIn: expiresIn(values['expires-in']) } : {}),
      };
    case 'token list':
      none();
      return { command: 'token.list', tenant: need(values.tenant, '--tenant <slug>') };
    case 'token revoke':
      return { command: 'token.revoke', id: need(arg, '<token-id>') };
    case 'keys rotate':
      none();
      return { command: 'keys.rotate' };
    case 'keys list':
      none();
      return { command: 'keys.list' };
    case 'admin create':
      none();
      return {
        command: 'admin.create',
        tenant: need(values.tenant, '--tenant <slug>'),
        userName: need(values['user-name'], '--user-name <name>'),
        email: need(values.email, '--email <address>'),
        ...(values['given-name'] ? { givenName: values['given-name'] } : {}),
        ...(values['family-name'] ? { familyName: values['family-name'] } : {}),
      };
    default:
      throw new UsageError(`unknown command "${positionals.join(' ')}"`);
  }
}

/** Runs the command in this process, on a database no one else holds (PostgreSQL, or an idle data directory). */
async function runLocally(config: Config, request: AdminRequest): Promise<string[]> {
  const { store, release } = await openConfiguredStore(config, 'cli');
  try {
    if (request.command === 'migrate') return (await runMigrations(store)).lines;
    await migrate(store);
    const clock = () => new Date();
    const tenancy = createTenancyService({ store, clock, newId: randomUUID });
    // The app's own parts: a command does what the API would. No mail worker runs here: the server sends what is queued.
    const deps = assembleAppDeps({
      store,
      clock,
      newId: randomUUID,
      tenancy,
      // stdout is the command's answer (scripts read its last line); warnings and the security log go to stderr.
      logger: createLogger(config.logLevel === 'silent' ? 'silent' : 'warn', (line) => process.stderr.write(line)),
      publicUrl: publicUrlOf(config, config.port),
      settings: config,
      cursorSecret: await serverSecret(store, 'list-cursor'),
    });
    return (await runAdminCommand(deps, request)).lines;
  } finally {
    await store.close();
    release();
  }
}

/** A server that has just started opens its socket after its migrations: give it a little time. */
async function sendWhenReady(dataDir: string, request: AdminRequest) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return await sendAdminCommand(dataDir, request);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (Date.now() > deadline || (code !== 'ENOENT' && code !== 'ECONNREFUSED')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** Sends the command to the server that holds the data directory. */
async function runInServer(config: Config, holder: LockHolder, request: AdminRequest): Promise<string[]> {
  const reply = await sendWhenReady(config.dataDir, request).catch(() => {
    throw new StartupError(`The server (pid ${holder.pid}) holds ${config.dataDir} but does not answer on its admin socket.`);
  });
  if (!reply.ok) throw new TenancyError(reply.error ?? 'The command failed.');
  return reply.lines;
}

/** Says on stderr which database the command works on: an operator with two DATA_DIRs must see which one it was. */
const say = (line: string) => process.stderr.write(`usher: ${line}\n`);

/**
 * PGlite is one process: when the server holds the data directory, the server runs the command; when another
 * command holds it, this one waits its turn (scripts may run several at once). A data directory without a database
 * gets one only when asked (migrate, --create): a CLI pointed at the wrong DATA_DIR must not quietly make an empty one.
 */
async function execute(config: Config, { request, create }: Extract<Invocation, { kind: 'admin' }>): Promise<string[]> {
  if (config.databaseUrl) {
    say(`on PostgreSQL at ${databaseLocation(config.databaseUrl)} (DATABASE_URL)`);
    return runLocally(config, request);
  }
  const dataDir = resolve(config.dataDir);
  const deadline = Date.now() + 30_000;
  for (let first = true; ; first = false) {
    const holder = lockHolder(config.dataDir);
    if (holder?.role === 'server') {
      if (first) say(throughServer(holder, dataDir));
      return runInServer(config, holder, request);
    }
    const exists = embeddedDatabaseExists(config.dataDir);
    if (!exists && !create && request.command !== 'migrate') {
      throw new StartupError(
        `There is no database in ${dataDir} (DATA_DIR). If the server uses another data directory, set DATA_DIR to it; ` +
          'to make a new database here, run: usher migrate (or add --create to this command).',
      );
    }
    if (first) say(onDisk(dataDir, exists));
    try {
      return await runLocally(config, request);
    } catch (error) {
      // Taken by someone else since the look above: a server (the next look sends it there) or another command.
      if (!(error instanceof DataDirInUseError) || Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** usher backup: the gzipped tar on stdout, which must not be a terminal. */
async function backup(config: Config): Promise<number> {
  if (process.stdout.isTTY) {
    throw new AdminCommandError(`usher backup writes a gzipped tar to stdout: send it to a file, e.g. usher backup > usher-${new Date().toISOString().slice(0, 10)}.tar.gz`);
  }
  const bytes = await takeBackup(config, say);
  await new Promise<void>((resolve, reject) => process.stdout.write(bytes, (error) => (error ? reject(error) : resolve())));
  say(`backup written: ${megabytes(bytes.length)}`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  let invocation: Invocation;
  try {
    invocation = parseCommand(argv);
  } catch (error) {
    if (error instanceof HelpRequested) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (error instanceof VersionRequested) {
      process.stdout.write(`usher ${packageVersion()}\n`);
      return 0;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`usher: ${message}\n\n${USAGE}\n`);
    return 2;
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`usher: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  try {
    if (invocation.kind === 'backup') return await backup(config);
    const lines = invocation.kind === 'restore' ? await restoreBackup(config, invocation.file, say) : await execute(config, invocation);
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  } catch (error) {
    if (isUserError(error) || error instanceof StartupError) {
      process.stderr.write(`usher: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

// Every file Usher creates is its user's alone (the embedded database writes with the process umask): see main.ts.
process.umask(0o077);
process.exitCode = await main(process.argv.slice(2));
