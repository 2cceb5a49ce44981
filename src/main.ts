#!/usr/bin/env node
// Entry point of the server: configuration, start, and a clean stop on SIGTERM or SIGINT.
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './http/logger.js';
import { StartupError, startServer } from './server.js';

async function main(): Promise<void> {
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
  let server;
  try {
    server = await startServer(config, logger);
  } catch (error) {
    if (error instanceof StartupError) {
      process.stderr.write(`usher: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const running = server;
  const shutdown = (signal: string) => {
    logger.info('shutting down', { signal });
    running.stop().then(
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
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

await main();
