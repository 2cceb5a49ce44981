#!/usr/bin/env node
// `npm run seed`: fills a tenant of the configured database (DATABASE_URL, or DATA_DIR for PGlite) with generated Users and Groups.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { StartupError, openConfiguredStore } from '../server.js';
import { migrate } from '../store/index.js';
import { createTenancyService, TenancyError } from '../tenancy/service.js';
import { SeedError, seedTenant } from './seeder.js';

const USAGE = `usage: npm run seed -- [--users 1000000] [--groups 10000] [--big-group 100000] [--history 10000000] [--tenant bench] [--batch 10000] [--jobs 2] [--replace]

  --users      how many users (default 10000)
  --groups     how many groups (default users / 100); group 1 is "All Staff"
  --big-group  how many users "All Staff" has (default users / 10)
  --tenant     the tenant's slug, created if missing (default bench)
  --batch      users per transaction (default 10000)
  --jobs       transactions at once, each on its own connection (default 2)
  --history    how many History entries about the users, after them (default 0)
  --replace    delete the tenant's users and an earlier seed's groups first (otherwise a tenant that has some is
               refused); the tenant's other groups are kept

Uses DATABASE_URL when set, otherwise the embedded database in DATA_DIR (which no server may be using).`;

function count(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < 0) throw new SeedError(`--${name} must be a whole number, got "${value}"`);
  return n;
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        users: { type: 'string' },
        groups: { type: 'string' },
        'big-group': { type: 'string' },
        history: { type: 'string' },
        tenant: { type: 'string' },
        batch: { type: 'string' },
        jobs: { type: 'string' },
        replace: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    process.stderr.write(`seed: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const users = count('users', args.users, 10_000);
  const options = {
    tenant: args.tenant ?? 'bench',
    users,
    groups: count('groups', args.groups, Math.ceil(users / 100)),
    bigGroup: count('big-group', args['big-group'], Math.ceil(users / 10)),
    batchSize: Math.max(1, count('batch', args.batch, 10_000)),
    jobs: Math.max(1, count('jobs', args.jobs, 2)),
    replace: args.replace ?? false,
    history: count('history', args.history, 0),
    clock: () => new Date(),
  };

  // A batch of 10,000 users can take longer than a request's default statement timeout (5 s) on a busy machine.
  const config = loadConfig({ STATEMENT_TIMEOUT_MS: '0', ...process.env });
  const { store, release } = await openConfiguredStore(config, 'cli');
  try {
    const applied = await migrate(store);
    if (applied.length > 0) process.stdout.write(`applied ${applied.join(', ')}\n`);
    const tenancy = createTenancyService({ store, clock: options.clock, newId: randomUUID });
    process.stdout.write(`seeding tenant ${options.tenant} on ${store.kind === 'postgres' ? 'PostgreSQL' : `PGlite in ${config.dataDir}`}\n`);
    await seedTenant(store, tenancy, options, (line) => process.stdout.write(`${line}\n`));
    return 0;
  } finally {
    await store.close();
    release();
  }
}

try {
  process.exitCode = await main();
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`seed: ${error.message}\n`);
    process.exitCode = 2;
  } else if (error instanceof StartupError || error instanceof SeedError || error instanceof TenancyError) {
    process.stderr.write(`seed: ${error.message}\n`);
    process.exitCode = 1;
  } else {
    throw error;
  }
}
