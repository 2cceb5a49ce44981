// The load generator's thread: keep-alive HTTP requests from N concurrent loops to 127.0.0.1, with their latencies.
import { Agent, request } from 'node:http';
import { parentPort } from 'node:worker_threads';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { TOTP_PERIOD_SECONDS, totpCode } from '../auth/totp.js';
import type { LoadResult, LoadSpec, PlannedRequest, SecondFactorLoad } from './load.js';
import { releaseUser, reserveStep } from './totp-steps.js';

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

/** The token of a login answered "enter your code" (403 mfa_required), or undefined for any other answer. */
function mfaTokenOf(response: Response): string | undefined {
  if (response.status !== 403) return undefined;
  try {
    const body = JSON.parse(response.body) as { error?: unknown; mfaToken?: unknown };
    return body.error === 'mfa_required' && typeof body.mfaToken === 'string' ? body.mfaToken : undefined;
  } catch {
    return undefined;
  }
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

  const failed = (planned: PlannedRequest, response: Response) => {
    errors++;
    firstError ??= `${planned.method} ${planned.path.slice(0, 200)} -> ${response.status} ${response.body.slice(0, 300)}`;
  };

  const record = (begin: number, end: number, response: Response, planned: PlannedRequest) => {
    completed++;
    statuses[response.status] = (statuses[response.status] ?? 0) + 1;
    const accepted = spec.acceptStatuses?.includes(response.status) ?? false;
    if (!accepted && (response.status >= 400 || (spec.expectStatus !== undefined && response.status !== spec.expectStatus))) failed(planned, response);
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

  // Sign-ins with a second factor: a user with a time step still unused, its login, then the code of that step.
  const signInLoop = async (factor: SecondFactorLoad, secrets: readonly Uint8Array[]) => {
    while (performance.now() < deadline && issued < spec.maxRequests) {
      const reserved = reserveStep(factor.steps, new Date());
      if (!reserved) {
        // Waiting for the next step would pass the wait off as the server's; the figure would be wrong, so none is given.
        errors++;
        firstError ??= `every one of the ${secrets.length} sign-in users with a second factor has used the time steps it may (one code per step, steps within 1 of now): more users are needed (--totp-users)`;
        return;
      }
      issued++;
      const login = spec.requests[reserved.user]!;
      try {
        const begin = performance.now();
        const first = await send(agent, spec.port, spec.headers, login);
        statuses[first.status] = (statuses[first.status] ?? 0) + 1;
        const mfaToken = mfaTokenOf(first);
        if (mfaToken === undefined) {
          // The sign-in ends here, unanswered by a grant: a failure whatever the status.
          completed++;
          failed(login, first);
          continue;
        }
        // The code an authenticator app shows during the reserved step, made now from the key enrolment gave.
        const code = totpCode(secrets[reserved.user]!, new Date(reserved.step * TOTP_PERIOD_SECONDS * 1000));
        const verify = { method: 'POST', path: '/auth/mfa/verify', body: JSON.stringify({ mfaToken, code }) };
        const second = await send(agent, spec.port, spec.headers, verify);
        record(begin, performance.now(), second, verify);
      } finally {
        releaseUser(factor.steps, reserved.user);
      }
    }
  };

  const factor = spec.secondFactor;
  if (factor && spec.mode !== 'duration') throw new Error('sign-ins with a second factor run in duration mode');
  const secrets = factor?.secrets.map((secret) => decodeBase32IgnorePadding(secret)) ?? [];
  await Promise.all(Array.from({ length: spec.concurrency }, factor ? () => signInLoop(factor, secrets) : loop));
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
