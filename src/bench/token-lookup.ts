#!/usr/bin/env node
// `node dist/bench/token-lookup.js [--pglite]`: what looking an API token up by its tenant and digest costs on one
// database, against the lookup by digest alone that tokens issued before they named their tenant take (docs/scaling.md).
import { randomBytes, randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { hashToken } from '../auth/tokens.js';
import { migrate, openStore, type Store } from '../store/index.js';
import { createTenancyService } from '../tenancy/service.js';

const TENANTS = 2_000;
const TOKENS_PER_TENANT = 50;
const ROUNDS = 6;
const CALLS = 2_000;

async function measure(store: Store): Promise<void> {
  await migrate(store);
  await store.query(`insert into tenants (id, slug, name, created_at) select gen_random_uuid(), 't' || g, 't' || g, now() from generate_series(1, ${TENANTS}) g`);
  await store.query(`insert into api_tokens (tenant_id, id, label, token_hash, created_at)
    select t.id, gen_random_uuid(), 'seed', md5(random()::text) || md5(random()::text), now() from tenants t, generate_series(1, ${TOKENS_PER_TENANT})`);
  await store.query('analyze api_tokens');
  const tenancy = createTenancyService({ store, clock: () => new Date(), newId: randomUUID });
  const { token: routed } = await tenancy.createToken('t1', 'routed');
  // A token as issued before tokens named their tenant: a prefix and 256 random bits.
  const legacy = `usher_${randomBytes(32).toString('base64url')}`;
  const { info } = await tenancy.createToken('t2', 'legacy');
  await store.query('update api_tokens set token_hash = $1 where id = $2', [hashToken(legacy), info.id]);

  const perCall = async (token: string, calls: number) => {
    const started = performance.now();
    for (let i = 0; i < calls; i++) if (!(await tenancy.authenticate(token))) throw new Error('the token did not authenticate');
    return ((performance.now() - started) * 1000) / calls;
  };
  await perCall(routed, CALLS / 4);
  await perCall(legacy, CALLS / 4);
  const routedUs: number[] = [];
  const legacyUs: number[] = [];
  // Taken in turns, each first in every other round, so that whatever else the machine does falls on both alike.
  for (let round = 0; round < ROUNDS; round++) {
    if (round % 2 === 0) {
      routedUs.push(await perCall(routed, CALLS));
      legacyUs.push(await perCall(legacy, CALLS));
    } else {
      legacyUs.push(await perCall(legacy, CALLS));
      routedUs.push(await perCall(routed, CALLS));
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const [r, l] = [median(routedUs), median(legacyUs)];
  console.log(`${store.kind}, ${TENANTS * TOKENS_PER_TENANT} tokens in ${TENANTS} tenants, authenticate() per call (median of ${ROUNDS} rounds of ${CALLS}):`);
  console.log(`  by tenant and digest: ${r.toFixed(0)} us; by digest alone (legacy): ${l.toFixed(0)} us; routed / legacy ${(r / l).toFixed(2)}`);
}

const { values } = parseArgs({ options: { pglite: { type: 'boolean', default: false } } });
if (values.pglite) {
  const store = await openStore({ databaseUrl: undefined, databasePoolSize: 1, dataDir: undefined });
  try {
    await measure(store);
  } finally {
    await store.close();
  }
} else {
  // A database of its own on the server of BENCH_DATABASE_URL (default: the local one), dropped afterwards.
  const url = new URL(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const name = `usher_token_lookup_${randomBytes(4).toString('hex')}`;
  const admin = postgres(url.toString(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  url.pathname = `/${name}`;
  const store = await openStore({ databaseUrl: url.toString(), databasePoolSize: 4, dataDir: undefined });
  try {
    await measure(store);
  } finally {
    await store.close();
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}
