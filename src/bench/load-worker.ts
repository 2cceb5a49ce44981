// The load generator's thread: keep-alive HTTP requests from N concurrent loops to 127.0.0.1, with their latencies.
import { Agent, request } from 'node:http';
import { parentPort } from 'node:worker_threads';
import type { LoadResult, LoadSpec, PlannedRequest } from './load.js';

interface Response {
  readonly status: number;
  readonly body: string;
}

function send(agent: Agent, port: number, headers: Record<string, string>, planned: PlannedRequest): Promise<Response> {
  return new Promise((resolve, reject) => {
    const body = planned.body === undefined ? undefined : Buffer.from(planned.body);
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: planned.method,
        path: planned.path,
        agent,
        headers: { ...headers, ...planned.headers, ...(body ? { 'Content-Type': 'application/scim+json', 'Content-Length': String(body.length) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function run(spec: LoadSpec): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: spec.concurrency });
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let issued = 0;
  let completed = 0;
  const statuses: Record<number, number> = {};
  const started = performance.now();
  const measureFrom = started + spec.warmupMs;
  const deadline = measureFrom + spec.durationMs;
  let lastEnd = measureFrom;
  let cursor = 0;

  const record = (begin: number, end: number, response: Response, planned: PlannedRequest) => {
    completed++;
    statuses[response.status] = (statuses[response.status] ?? 0) + 1;
    const accepted = spec.acceptStatuses?.includes(response.status) ?? false;
    if (!accepted && (response.status >= 400 || (spec.expectStatus !== undefined && response.status !== spec.expectStatus))) {
      errors++;
      firstError ??= `${planned.method} ${planned.path.slice(0, 200)} -> ${response.status} ${response.body.slice(0, 300)}`;
    }
    if (begin >= measureFrom || spec.mode === 'once') {
      latencies.push(end - begin);
      lastEnd = Math.max(lastEnd, end);
    }
  };

  const paced = spec.mode === 'duration' && spec.ratePerSecond !== undefined;
  /** When the next request is due: now for a closed loop, its slot in the schedule for an open one. */
  const due = () => (paced ? started + (issued * 1000) / spec.ratePerSecond! : performance.now());

  const next = (): PlannedRequest | undefined => {
    if (spec.mode === 'once') return cursor < spec.requests.length ? spec.requests[cursor++] : undefined;
    if (due() >= deadline || performance.now() >= deadline || issued >= spec.maxRequests) return undefined;
    return spec.requests[Math.floor(Math.random() * spec.requests.length)];
  };

  const loop = async () => {
    for (let planned = next(); planned; planned = next()) {
      const at = due();
      issued++;
      if (spec.walkPages === undefined) {
        const wait = at - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        // Behind schedule, the wait for a free connection was the server's doing and counts; a timer that fires a
        // little late is the generator's own and does not.
        const begin = paced && wait <= 0 ? at : performance.now();
        const response = await send(agent, spec.port, spec.headers, planned);
        record(begin, performance.now(), response, planned);
        continue;
      }
      // A cursor walk: follow nextCursor from the start page, each page timed on its own (RFC 9865).
      let page: PlannedRequest | undefined = planned;
      for (let n = 0; page && n < spec.walkPages && performance.now() < deadline; n++) {
        const begin = performance.now();
        const response = await send(agent, spec.port, spec.headers, page);
        record(begin, performance.now(), response, page);
        if (response.status !== 200) break;
        const nextCursor = (JSON.parse(response.body) as { nextCursor?: string }).nextCursor;
        page = nextCursor === undefined ? undefined : { method: 'GET', path: `${spec.walkPath}&cursor=${encodeURIComponent(nextCursor)}` };
      }
    }
  };

  await Promise.all(Array.from({ length: spec.concurrency }, loop));
  agent.destroy();
  const elapsedMs = spec.mode === 'once' ? performance.now() - started : Math.max(1, lastEnd - measureFrom);
  return { name: spec.name, latencies, errors, firstError, elapsedMs, completed, statuses };
}

parentPort!.on('message', (spec: LoadSpec) => {
  run(spec).then(
    (result) => parentPort!.postMessage({ ok: true, result }),
    (error: unknown) => parentPort!.postMessage({ ok: false, error: error instanceof Error ? error.stack ?? error.message : String(error) }),
  );
});
