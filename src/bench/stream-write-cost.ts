// E2 of `npm run bench`: what a configured stream adds to a write. A one-attribute PATCH of a user (replace title)
// in a tenant with one poll stream (RFC 8936) that asked for every provisioning event in full form, against the same
// PATCH in the same tenant with no stream, through the API, taking turns round by round. A poll stream runs no
// delivery work: what is measured is the events and deliveries written in the change's transaction.
import { SCIM_PREFIX, SSF_PREFIX } from '../http/app.js';
import { SCIM_EVENT } from '../scim/events/index.js';
import type { Store } from '../store/index.js';
import { deleteUndeliveredEvents } from './event-push-queries.js';
import { mergeResults, statsOf, type LoadGenerator, type LoadResult, type LoadStats, type PlannedRequest } from './load.js';

/** Users whose title is changed, each PATCHed PER_USER times a turn (each time to a new title). */
const USERS = 20;
const PER_USER = 10;
/** Every provisioning event of RFC 9967 §2.3, in full form where there is one. */
const FULL_EVENTS = [SCIM_EVENT.createFull, SCIM_EVENT.putFull, SCIM_EVENT.patchFull, SCIM_EVENT.delete, SCIM_EVENT.activate, SCIM_EVENT.deactivate];
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export interface StreamWriteCostResult {
  readonly withStream: LoadStats;
  readonly without: LoadStats;
  /** p50 latency with the stream over p50 without. */
  readonly ratio: number;
}

interface Tenant {
  readonly slug: string;
  readonly id: string;
  readonly token: string;
  readonly samples: readonly { id: string }[];
}

async function call(port: number, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const titleOp = (title: string | undefined) =>
  JSON.stringify({ schemas: [PATCH], Operations: [title === undefined ? { op: 'remove', path: 'title' } : { op: 'replace', path: 'title', value: title }] });

/**
 * The stream is created (POST /ssf/streams with the tenant's token) before each turn that has it and deleted after,
 * with its deliveries; the events it left are removed at the end, and the users get their titles back.
 */
export async function benchStreamWriteCost(
  load: LoadGenerator,
  /** The app's store; `statements` counts what it sends (run.ts's counting store). */
  store: Store & { statements: number },
  port: number,
  t: Tenant,
  rounds: number,
  log: (line: string) => void,
): Promise<StreamWriteCostResult | string> {
  if (t.samples.length < USERS) return `${t.slug} has fewer than ${USERS} users`;
  const users = t.samples.slice(0, USERS).map((s) => s.id);
  const titles = new Map<string, string | undefined>();
  for (const id of users) {
    const user = await call(port, t.token, 'GET', `${SCIM_PREFIX}/Users/${id}?attributes=title`);
    if (user.status !== 200) return `GET /Users/${id} answered ${user.status}`;
    titles.set(id, user.body.title as string | undefined);
  }
  let streamId: string | undefined;
  const createStream = async () => {
    const created = await call(port, t.token, 'POST', `${SSF_PREFIX}/streams`, {
      delivery: { method: 'urn:ietf:rfc:8936' },
      events_requested: FULL_EVENTS,
      description: 'npm run bench: streamWriteCost',
    });
    if (created.status !== 201) throw new Error(`POST /ssf/streams -> ${created.status} ${JSON.stringify(created.body).slice(0, 200)}`);
    if ((created.body.events_delivered as string[]).length !== FULL_EVENTS.length) throw new Error(`the stream gets ${JSON.stringify(created.body.events_delivered)}`);
    streamId = created.body.stream_id as string;
  };
  const deleteStream = async (wrote?: number) => {
    if (!streamId) return;
    if (wrote !== undefined) {
      const read = await call(port, t.token, 'GET', `${SSF_PREFIX}/streams?stream_id=${streamId}`);
      if (read.body.pending !== wrote) throw new Error(`the stream has ${String(read.body.pending)} events pending after ${wrote} PATCHes`);
    }
    const deleted = await call(port, t.token, 'DELETE', `${SSF_PREFIX}/streams?stream_id=${streamId}`);
    if (deleted.status !== 204) throw new Error(`DELETE /ssf/streams -> ${deleted.status}`);
    streamId = undefined;
  };
  let turn = 0;
  const spec = (name: string) => {
    turn++;
    const requests: PlannedRequest[] = [];
    for (let i = 0; i < PER_USER; i++) {
      for (const id of users) requests.push({ method: 'PATCH', path: `${SCIM_PREFIX}/Users/${id}`, body: titleOp(`Bench title ${turn}.${i}`) });
    }
    return {
      name,
      port,
      headers: { Authorization: `Bearer ${t.token}`, 'Content-Type': 'application/scim+json' },
      mode: 'once' as const,
      requests,
      concurrency: 1,
      warmupMs: 0,
      durationMs: 0,
      maxRequests: Number.MAX_SAFE_INTEGER,
      expectStatus: 200,
    };
  };
  const withName = 'PATCH title, one poll stream';
  const withoutName = 'PATCH title, no stream';
  const results: Record<string, LoadResult[]> = { [withName]: [], [withoutName]: [] };
  const run = async (name: string, measured: boolean) => {
    if (name === withName) await createStream();
    try {
      store.statements = 0;
      const result = await load.run(spec(measured ? name : 'warm-up'));
      const statements = store.statements / Math.max(1, result.completed);
      if (result.errors > 0) throw new Error(`${name}: ${result.errors} failed requests, first: ${result.firstError}`);
      // Each PATCH gave the stream its event: the turn measured what it says.
      if (name === withName) await deleteStream(USERS * PER_USER);
      if (!measured) return;
      const stats = statsOf(result);
      log(`  ${name.padEnd(40)} ${stats.perSecond.toFixed(0).padStart(6)} req/s, p50 ${stats.p50.toFixed(2)} ms, p99 ${stats.p99.toFixed(2)} ms, ${statements.toFixed(1)} SQL/req`);
      results[name]!.push(result);
    } finally {
      await deleteStream();
    }
  };
  try {
    // One unmeasured pass over each, then rounds that take turns at going first.
    await run(withName, false);
    await run(withoutName, false);
    for (let round = 1; round <= rounds; round++) {
      const order = [withoutName, withName];
      if (round % 2 === 0) order.reverse();
      for (const name of order) await run(name, true);
    }
  } finally {
    await deleteStream();
    await deleteUndeliveredEvents(store, t.id);
    for (const [id, title] of titles) {
      const put = await call(port, t.token, 'PATCH', `${SCIM_PREFIX}/Users/${id}`, JSON.parse(titleOp(title)));
      if (put.status !== 200) throw new Error(`PATCH /Users/${id} (its title back) -> ${put.status}`);
    }
  }
  const withStats = statsOf(mergeResults(results[withName]!));
  const withoutStats = statsOf(mergeResults(results[withoutName]!));
  return { withStream: withStats, without: withoutStats, ratio: withStats.p50 / withoutStats.p50 };
}
