// What SCIM events add to a write: a PATCH of a user and of a group's members, in a tenant with no stream, with one
// stream of every event type (full forms render the resource), and with one stream of notices only.
// Run: npx vitest bench --run test/events/write-cost.bench.ts (DATABASE_URL set: on PostgreSQL).
import { afterAll, bench, describe } from 'vitest';
import { SCIM_EVENT, SCIM_EVENT_URIS } from '../../src/scim/events/index.js';
import { createTestContext, groupBody, userBody, type Client } from '../helpers/app.js';
import { insertStream } from './helpers.js';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const t = await createTestContext();
afterAll(() => t.close());

interface Setup {
  readonly client: Client;
  readonly user: string;
  readonly group: string;
  readonly members: string[];
}

async function setup(slug: string, events: readonly string[] | undefined): Promise<Setup> {
  const client = await t.newTenant(slug);
  if (events) await insertStream(t.store, client.tenantId, { events });
  const user = (await client.request('POST', '/Users', userBody(`subject@${slug}.example`, { name: { givenName: 'A', familyName: 'B' } }))).body.id;
  const members: string[] = [];
  for (let i = 0; i < 20; i++) members.push((await client.request('POST', '/Users', userBody(`member${i}@${slug}.example`))).body.id);
  const group = (await client.request('POST', '/Groups', groupBody(`group ${slug}`, { members: members.slice(0, 10).map((value) => ({ value })) }))).body.id;
  return { client, user, group, members };
}

const tenants = {
  'no stream': await setup('cost-none', undefined),
  'one stream, every event type': await setup('cost-all', SCIM_EVENT_URIS),
  'one stream, notices only': await setup('cost-notice', [SCIM_EVENT.createNotice, SCIM_EVENT.putNotice, SCIM_EVENT.patchNotice, SCIM_EVENT.delete]),
};

let n = 0;
const patchUser = async (s: Setup) => {
  const response = await s.client.request('PATCH', `/Users/${s.user}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value: `title ${n++}` }] });
  if (response.status !== 200) throw new Error(`PATCH answered ${response.status}`);
};
const moved = new Map<Setup, number>();
const patchGroup = async (s: Setup) => {
  const i = moved.get(s) ?? 0;
  moved.set(s, i + 1);
  const member = s.members[10 + (i % 10)]!;
  const add = await s.client.request('PATCH', `/Groups/${s.group}`, { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: member }] }] });
  const remove = await s.client.request('PATCH', `/Groups/${s.group}`, { schemas: [PATCH], Operations: [{ op: 'remove', path: `members[value eq "${member}"]` }] });
  if (add.status !== 204 || remove.status !== 204) throw new Error(`PATCH answered ${add.status}, ${remove.status}`);
};

/**
 * The tenants take turns, round by round, so that the load of a shared machine falls on each alike: the medians
 * (and their ratios to the tenant without a stream) are the figures to compare; vitest's own table follows.
 */
async function interleaved(label: string, write: (s: Setup) => Promise<void>, rounds = 300): Promise<void> {
  const samples = new Map<string, number[]>(Object.keys(tenants).map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [name, s] of Object.entries(tenants)) {
      const start = performance.now();
      await write(s);
      if (round >= 20) samples.get(name)!.push(performance.now() - start);
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const base = median(samples.get('no stream')!);
  for (const [name, values] of samples) {
    console.log(`${label} | ${name.padEnd(30)} | median ${median(values).toFixed(2)} ms | x${(median(values) / base).toFixed(2)}`);
  }
}
await interleaved('PATCH /Users/{id}', patchUser);
await interleaved('PATCH /Groups/{id} add+remove', patchGroup);

describe('PATCH /Users/{id} (title)', () => {
  for (const [name, s] of Object.entries(tenants)) {
    bench(name, () => patchUser(s), { time: 3000, warmupTime: 500 });
  }
});

describe('PATCH /Groups/{id} (add and remove a member)', () => {
  for (const [name, s] of Object.entries(tenants)) {
    bench(name, () => patchGroup(s), { time: 3000, warmupTime: 500 });
  }
});
