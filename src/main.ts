#!/usr/bin/env node
// Entry point of the server: configuration, start, and a clean stop on SIGTERM or SIGINT.
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './http/logger.js';
import { StartupError, startServer, type RunningServer } from './server.js';

async function main(): Promise<void> {
  // Every file Usher creates is its user's alone: PGlite writes its WAL and catalogue (where welcome and reset
  // links pass) with the process umask, and mail files hold the same links.
  process.umask(0o077);
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`usher: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  let server: RunningServer | undefined;
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    // The stop keeps to SHUTDOWN_TIMEOUT_MS by itself; this is for the case it cannot (a database call that never
    // returns), so that the process still ends and the platform can start it again.
    setTimeout(() => {
      logger.error('stop overran SHUTDOWN_TIMEOUT_MS; exiting anyway', { shutdownTimeoutMs: config.shutdownTimeoutMs });
      process.exit(1);
    }, config.shutdownTimeoutMs + 900).unref();
    server!.stop().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error('shutdown failed', { error: (error as Error).message });
        process.exit(1);
      },
    );
  };
  // Listening from the start: a signal during start-up (migrations, bootstrap) lets start-up finish and then
  // stops cleanly, instead of killing the process half-way through writing the data directory. Once each: the same
  // signal again gets the default behaviour, so an impatient operator can still force the exit.
  let early: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (server) shutdown(signal);
    else early ??= signal;
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  // A fresh embedded database takes seconds to create: say so at once.
  logger.info('starting', { pid: process.pid, database: config.databaseUrl ? 'postgres' : 'pglite' });
  try {
    server = await startServer(config, logger);
  } catch (error) {
    if (error instanceof StartupError) {
      process.stderr.write(`usher: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  if (early) shutdown(early);
}

await main();
