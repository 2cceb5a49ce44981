// P2 of `npm run bench`: a one-member PATCH (add a member, then remove it) on the seed's largest group against the
// same on a group of ten, through the API (RFC 7644 §3.5.2), taking turns round by round.
import { SCIM_PREFIX } from '../http/app.js';
import { mergeResults, statsOf, type LoadGenerator, type LoadResult, type LoadStats, type PlannedRequest } from './load.js';

/** The group of ten the bench makes in the large tenant (kept between runs; its members are put back). */
export const TEN_GROUP = 'Bench 10 members';
const TEN = 10;
/** Users moved in and out of both groups, each one add and one remove per round. */
const MOVERS = 20;
export const GROUP_PATCH_TARGET = 1.5;

export interface GroupPatchResult {
  readonly bigMembers: number;
  readonly big: LoadStats;
  readonly small: LoadStats;
  /** The big group's p50 latency over the small group's. */
  readonly ratio: number;
}

interface Tenant {
  readonly slug: string;
  readonly token: string;
  readonly samples: readonly { id: string }[];
}

async function call(port: number, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`http://127.0.0.1:${port}${SCIM_PREFIX}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/scim+json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function groupNamed(port: number, token: string, name: string): Promise<string | undefined> {
  const filter = encodeURIComponent(`displayName eq ${JSON.stringify(name)}`);
  const found = await call(port, token, 'GET', `/Groups?filter=${filter}&excludedAttributes=members`);
  if (found.status !== 200) throw new Error(`GET /Groups?filter=displayName eq "${name}" -> ${found.status}`);
  return ((found.body.Resources ?? []) as { id: string }[])[0]?.id;
}

/** The id of the seed's "All Staff" group in the tenant, or undefined when the seed made none. */
export async function allStaffId(port: number, token: string): Promise<string | undefined> {
  return groupNamed(port, token, 'All Staff');
}

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const add = (id: string) => JSON.stringify({ schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: id }] }] });
const remove = (id: string) => JSON.stringify({ schemas: [PATCH], Operations: [{ op: 'remove', path: `members[value eq ${JSON.stringify(id)}]` }] });

/**
 * `bigMembers`: how many members the seed gave "All Staff". Users in neither group are picked from the tenant's
 * samples (GET /Users/{id}?attributes=groups), so every add adds and every remove leaves the group as it was.
 */
export async function benchGroupPatch(
  load: LoadGenerator,
  port: number,
  t: Tenant,
  bigMembers: number,
  rounds: number,
  log: (line: string) => void,
): Promise<GroupPatchResult | string> {
  const big = await allStaffId(port, t.token);
  if (!big) return `no "All Staff" group in ${t.slug}`;
  if (t.samples.length < TEN + MOVERS) return `${t.slug} has fewer than ${TEN + MOVERS} users`;
  let small = await groupNamed(port, t.token, TEN_GROUP);
  if (!small) {
    const created = await call(port, t.token, 'POST', '/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: TEN_GROUP,
      members: t.samples.slice(0, TEN).map((s) => ({ value: s.id })),
    });
    if (created.status !== 201) throw new Error(`POST /Groups ${TEN_GROUP} -> ${created.status} ${JSON.stringify(created.body).slice(0, 200)}`);
    small = created.body.id as string;
  }
  const movers: string[] = [];
  for (const s of t.samples.slice(TEN)) {
    if (movers.length === MOVERS) break;
    const user = await call(port, t.token, 'GET', `/Users/${s.id}?attributes=groups`);
    const groups = ((user.body.groups ?? []) as { value: string }[]).map((g) => g.value);
    if (user.status === 200 && !groups.includes(big) && !groups.includes(small)) movers.push(s.id);
  }
  if (movers.length < MOVERS) return `fewer than ${MOVERS} sampled users are in neither group`;
  const requests = (group: string): PlannedRequest[] =>
    movers.flatMap((id) => [
      { method: 'PATCH', path: `${SCIM_PREFIX}/Groups/${group}`, body: add(id) },
      { method: 'PATCH', path: `${SCIM_PREFIX}/Groups/${group}`, body: remove(id) },
    ]);
  const spec = (name: string, group: string) => ({
    name,
    port,
    headers: { Authorization: `Bearer ${t.token}`, 'Content-Type': 'application/scim+json' },
    mode: 'once' as const,
    requests: requests(group),
    concurrency: 1,
    warmupMs: 0,
    durationMs: 0,
    maxRequests: Number.MAX_SAFE_INTEGER,
    expectStatus: 204,
  });
  const bigName = `PATCH a ${bigMembers}-member group`;
  const smallName = `PATCH a ${TEN}-member group`;
  const results: Record<string, LoadResult[]> = { [bigName]: [], [smallName]: [] };
  const run = async (name: string, group: string) => {
    const result = await load.run(spec(name, group));
    if (result.errors > 0) throw new Error(`${name}: ${result.errors} failed requests, first: ${result.firstError}`);
    const stats = statsOf(result);
    log(`  ${name.padEnd(40)} ${stats.perSecond.toFixed(0).padStart(6)} req/s, p50 ${stats.p50.toFixed(2)} ms, p99 ${stats.p99.toFixed(2)} ms`);
    results[name]!.push(result);
  };
  // One unmeasured pass over each, then rounds that take turns at going first.
  await load.run(spec('warm-up', small));
  await load.run(spec('warm-up', big));
  for (let round = 1; round <= rounds; round++) {
    const order: [string, string][] = [[smallName, small], [bigName, big]];
    if (round % 2 === 0) order.reverse();
    for (const [name, group] of order) await run(name, group);
  }
  const bigStats = statsOf(mergeResults(results[bigName]!));
  const smallStats = statsOf(mergeResults(results[smallName]!));
  return { bigMembers, big: bigStats, small: smallStats, ratio: bigStats.p50 / smallStats.p50 };
}
