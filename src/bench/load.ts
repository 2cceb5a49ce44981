// A small HTTP load generator on its own thread (so its work does not share the server's event loop): req/s and latency percentiles.
import { Worker } from 'node:worker_threads';
import type { TotpSteps } from './totp-steps.js';

export interface PlannedRequest {
  readonly method: string;
  /** Path and query, e.g. /scim/v2/Users?filter=... ; the host is always 127.0.0.1. */
  readonly path: string;
  readonly body?: string;
  /** Headers of this request alone, on top of the spec's (e.g. a client address behind a trusted proxy). */
  readonly headers?: Record<string, string>;
}

export interface LoadSpec {
  readonly name: string;
  readonly port: number;
  readonly headers: Record<string, string>;
  /** 'duration': random picks from `requests` for warmupMs + durationMs; 'once': each request once, in order. */
  readonly mode: 'duration' | 'once';
  readonly requests: readonly PlannedRequest[];
  readonly concurrency: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  /** An upper bound on requests (or walks) per phase, whatever the duration. */
  readonly maxRequests: number;
  /** Every response must have this status (otherwise any status below 400 is fine). */
  readonly expectStatus?: number;
  /** Statuses that are answers, not errors, whatever expectStatus says: a refused sign-in's 401 or 429, say. */
  readonly acceptStatuses?: readonly number[];
  /**
   * Open loop ('duration' mode): start requests at this rate in all, whoever answers; `concurrency` bounds those in
   * flight. A latency counts from the planned start, so a server that falls behind is charged for the wait too.
   */
  readonly ratePerSecond?: number;
  /** Cursor walk: follow nextCursor for this many pages, each next page being walkPath&cursor=... */
  readonly walkPages?: number;
  readonly walkPath?: string;
  /** Sign-ins with a second factor ('duration' mode, closed loop): see SecondFactorLoad. */
  readonly secondFactor?: SecondFactorLoad;
}

/**
 * requests[i] is user i's POST /auth/login, answered 403 mfa_required; each is followed by POST /auth/mfa/verify with
 * the mfaToken and the code of a time step user i has not used (totp-steps.ts), and the two are one sign-in: one
 * latency, counted once in `completed`, an error unless the code is answered 200 (expectStatus).
 */
export interface SecondFactorLoad {
  /** User i's key as enrolment returned it (base32). */
  readonly secrets: readonly string[];
  readonly steps: TotpSteps;
}

export interface LoadResult {
  readonly name: string;
  /** Milliseconds, one per measured request. */
  readonly latencies: number[];
  readonly errors: number;
  readonly firstError: string | undefined;
  readonly elapsedMs: number;
  /** Every response (a sign-in with a second factor: its two as one), the warm-up's included. */
  readonly completed: number;
  /** How many responses had each status, the warm-up's included. */
  readonly statuses: Readonly<Record<number, number>>;
}

export interface LoadStats {
  readonly requests: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
}

export function statsOf(result: LoadResult): LoadStats {
  const sorted = [...result.latencies].sort((a, b) => a - b);
  const at = (q: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
  return { requests: sorted.length, perSecond: (sorted.length * 1000) / result.elapsedMs, p50: at(0.5), p99: at(0.99) };
}

/** Several runs of the same case as one: their requests together over their measured time together. */
export function mergeResults(results: readonly LoadResult[]): LoadResult {
  return {
    name: results[0]?.name ?? '',
    latencies: results.flatMap((r) => r.latencies),
    errors: results.reduce((n, r) => n + r.errors, 0),
    firstError: results.find((r) => r.firstError)?.firstError,
    elapsedMs: results.reduce((n, r) => n + r.elapsedMs, 0),
    completed: results.reduce((n, r) => n + r.completed, 0),
    statuses: results.reduce<Record<number, number>>((all, r) => {
      for (const [status, n] of Object.entries(r.statuses)) all[Number(status)] = (all[Number(status)] ?? 0) + n;
      return all;
    }, {}),
  };
}

export interface LoadGenerator {
  run(spec: LoadSpec): Promise<LoadResult>;
  close(): Promise<void>;
}

export function createLoadGenerator(): LoadGenerator {
  const worker = new Worker(new URL('./load-worker.js', import.meta.url));
  let pending: { resolve: (r: LoadResult) => void; reject: (e: Error) => void } | undefined;
  worker.on('message', (message: { ok: true; result: LoadResult } | { ok: false; error: string }) => {
    const waiting = pending;
    pending = undefined;
    if (message.ok) waiting?.resolve(message.result);
    else waiting?.reject(new Error(`load generator failed: ${message.error}`));
  });
  worker.on('error', (error) => pending?.reject(error));
  return {
    run(spec) {
      if (pending) return Promise.reject(new Error('one load phase at a time'));
      return new Promise((resolve, reject) => {
        pending = { resolve, reject };
        worker.postMessage(spec);
      });
    },
    async close() {
      await worker.terminate();
    },
  };
}
