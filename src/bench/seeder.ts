// Fills a tenant with realistic Users, Groups and memberships, built in the database in batches (for the benchmark).
import { INDEXED_MULTI_VALUED } from '../resources/users/queries.js';
import type { Store } from '../store/index.js';
import type { TenancyService } from '../tenancy/service.js';
import { SEED_LISTS } from './names.js';
import {
  countSeededGroups,
  countTenantGroups,
  countTenantUsers,
  deleteSeededGroups,
  deleteTenantHistory,
  deleteTenantUsers,
  insertGroups,
  insertHistoryBatch,
  insertMemberships,
  insertUserBatch,
  vacuumAnalyze,
} from './queries.js';

export interface SeedOptions {
  readonly tenant: string;
  readonly users: number;
  readonly groups: number;
  /** How many users the first group ("All Staff") has. */
  readonly bigGroup: number;
  readonly batchSize: number;
  /** How many batches run at once (each in its own transaction and connection). */
  readonly jobs: number;
  /** Delete the tenant's Users and an earlier seed's Groups first; without it, a tenant that has some is refused. */
  readonly replace: boolean;
  readonly clock: () => Date;
  /** History entries about the tenant's users, made after them (seedHistory); none when absent. */
  readonly history?: number;
}

export interface SeedResult {
  readonly tenantId: string;
  readonly seconds: number;
}

export class SeedError extends Error {
  override readonly name = 'SeedError';
}

/** Creation times spread from this date to the time of the seed. */
const SINCE = new Date('2019-01-01T00:00:00Z');
const GROUP_BATCH = 10_000;

export async function seedTenant(
  store: Store,
  tenancy: TenancyService,
  options: SeedOptions,
  log: (line: string) => void,
): Promise<SeedResult> {
  const started = performance.now();
  const elapsed = () => ((performance.now() - started) / 1000).toFixed(1);
  const { tenant } = await tenancy.createTenant(options.tenant);
  // A new tenant may have groups of its own (the portal's personas); only users and the seed's own groups are in the way.
  const existing = await countTenantUsers(store, tenant.id);
  const groupsBefore = await countTenantGroups(store, tenant.id);
  const seededGroups = await countSeededGroups(store, tenant.id, groupsBefore);
  if (existing + seededGroups > 0) {
    if (!options.replace) {
      throw new SeedError(
        `Tenant "${tenant.slug}" already has ${existing} users and ${seededGroups} seeded groups; seed another tenant (--tenant) or pass --replace to delete them first.`,
      );
    }
    log(`deleting ${existing} users and ${seededGroups} seeded groups of tenant ${tenant.slug}`);
    await store.transaction(async (tx) => {
      await tx.query('set local statement_timeout = 0');
      await deleteTenantUsers(tx, tenant.id);
      await deleteSeededGroups(tx, tenant.id, groupsBefore);
    });
  }

  const until = new Date(Math.floor(options.clock().getTime() / 1000) * 1000);
  for (let first = 1; first <= options.groups; first += GROUP_BATCH) {
    const last = Math.min(options.groups, first + GROUP_BATCH - 1);
    await insertGroups(store, tenant.id, first, last, SINCE, until, SEED_LISTS);
  }
  if (options.groups > 0) log(`groups ${options.groups} in ${elapsed()} s`);

  const domain = `${tenant.slug}.example.com`;
  const batches: { first: number; last: number }[] = [];
  for (let first = 1; first <= options.users; first += options.batchSize) {
    batches.push({ first, last: Math.min(options.users, first + options.batchSize - 1) });
  }
  let done = 0;
  const seedBatch = async ({ first, last }: { first: number; last: number }) => {
    // A batch is whole or absent: its users, their user_values rows and their memberships commit together.
    await store.transaction(async (tx) => {
      // STATEMENT_TIMEOUT_MS bounds requests; a batch of 10,000 users also fills the trigram indexes (sql/0013),
      // which takes longer than a request may on a busy machine.
      await tx.query('set local statement_timeout = 0');
      await insertUserBatch(
        tx,
        {
          tenantId: tenant.id,
          domain,
          organization: tenant.name,
          first,
          last,
          total: options.users,
          since: SINCE,
          until,
          indexedAttributes: INDEXED_MULTI_VALUED,
        },
        SEED_LISTS,
      );
      await insertMemberships(tx, tenant.id, first, last, options.groups, options.bigGroup);
    });
    done += last - first + 1;
    log(`users ${done}/${options.users} (${Math.round((100 * done) / options.users)}%) in ${elapsed()} s`);
  };
  // Batches touch disjoint rows, so a few run at once on their own connections (PGlite runs them one by one).
  let next = 0;
  const worker = async () => {
    while (next < batches.length) await seedBatch(batches[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, options.jobs) }, worker));

  if (options.history) await seedHistory(store, { tenantId: tenant.id, entries: options.history, users: options.users, batchSize: 100_000, jobs: options.jobs, clock: options.clock }, log);
  log('vacuum analyze');
  await vacuumAnalyze(store);
  const seconds = (performance.now() - started) / 1000;
  log(`seeded tenant ${tenant.slug}: ${options.users} users, ${options.groups} groups (one of ${Math.min(options.bigGroup, options.users)} members) in ${seconds.toFixed(1)} s`);
  return { tenantId: tenant.id, seconds };
}

export interface HistorySeedOptions {
  readonly tenantId: string;
  readonly entries: number;
  /** How many users the tenant was seeded with: entries are about users 1..users. */
  readonly users: number;
  readonly batchSize: number;
  readonly jobs: number;
  readonly clock: () => Date;
}

/**
 * Replaces the tenant's history with `entries` generated ones about its seeded users, spread in time from SINCE to
 * now (insertHistoryBatch), built in the database a batch at a time; the caller analyzes the table afterwards.
 */
export async function seedHistory(store: Store, options: HistorySeedOptions, log: (line: string) => void): Promise<void> {
  const started = performance.now();
  const elapsed = () => ((performance.now() - started) / 1000).toFixed(1);
  await store.transaction(async (tx) => {
    await tx.query('set local statement_timeout = 0');
    await deleteTenantHistory(tx, options.tenantId);
  });
  const until = new Date(Math.floor(options.clock().getTime() / 1000) * 1000);
  const batches: { first: number; last: number }[] = [];
  for (let first = 1; first <= options.entries; first += options.batchSize) batches.push({ first, last: Math.min(options.entries, first + options.batchSize - 1) });
  let done = 0;
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const { first, last } = batches[next++]!;
      await store.transaction(async (tx) => {
        // A batch also fills the trigram index of the History search (sql/0013): longer than a request may take.
        await tx.query('set local statement_timeout = 0');
        await insertHistoryBatch(tx, { tenantId: options.tenantId, first, last, total: options.entries, users: options.users, since: SINCE, until }, SEED_LISTS);
      });
      done += last - first + 1;
      log(`history ${done}/${options.entries} (${Math.round((100 * done) / options.entries)}%) in ${elapsed()} s`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.jobs) }, worker));
}

/**
 * A tenant's History is at the scale asked for: at least the entries asked, and at most 1% more, which the cases that
 * write (groupPatch, streamWriteCost, Bulk) add on every run. Reseeding for those cost 10 minutes at 10M entries.
 */
export function historyHolds(entries: number, asked: number): boolean {
  return entries >= asked && entries <= asked * 1.01;
}
