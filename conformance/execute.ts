// Runs one case against the server: its steps in order, stopping at the first failure, then its cleanup if needed.
import { randomUUID } from 'node:crypto';
import type { CaseRequest, CaseStep, ConformanceCase } from './case-file.js';
import type { Client, Exchange, OutgoingRequest } from './client.js';
import type { Features } from './features.js';
import { match } from './match.js';
import { buildUrl, MissingVariableError, readPath, substitute, type Variables } from './template.js';

export interface StepFailure {
  /** 1-based. */
  readonly step: number;
  readonly stepName?: string;
  /** `PATCH /Users/…`, relative to --url. */
  readonly request: string;
  readonly reason: string;
  readonly expected?: unknown;
  readonly got?: unknown;
  readonly response?: Exchange;
}

export type CaseResult =
  | { readonly outcome: 'passed' }
  | { readonly outcome: 'skipped'; readonly reason: string }
  | { readonly outcome: 'failed'; readonly failure: StepFailure };

export interface RunContext {
  readonly client: Client;
  readonly baseUrl: string;
  readonly features: Features;
  /** One per run, so that names made with it do not collide with an earlier run's leftovers. */
  readonly unique: string;
}

function toOutgoing(request: CaseRequest, baseUrl: string, vars: Variables): OutgoingRequest {
  const headers = request.headers ? (substitute(request.headers, vars) as Record<string, string>) : {};
  const body = request.rawBody !== undefined ? String(substitute(request.rawBody, vars)) : request.body !== undefined ? JSON.stringify(substitute(request.body, vars)) : undefined;
  return { method: request.method, url: buildUrl(baseUrl, request.path, vars), headers, auth: request.auth !== false, ...(body !== undefined ? { body } : {}) };
}

function describe(request: OutgoingRequest, baseUrl: string): string {
  const relative = request.url.startsWith(baseUrl) ? request.url.slice(baseUrl.length) : request.url;
  let readable = relative;
  try {
    readable = decodeURIComponent(relative);
  } catch {
    // Keep the encoded form.
  }
  return `${request.method} ${readable}`;
}

/**
 * Checks one response against a step's expectation and saves its variables; a failure reason, or undefined.
 * Values are saved before the checks, so that the cleanup of a failed case can still remove what this step created.
 */
function check(step: CaseStep, response: Exchange, vars: Map<string, unknown>): Omit<StepFailure, 'step' | 'request'> | undefined {
  const unsaved: string[] = [];
  for (const [name, where] of Object.entries(step.save ?? {})) {
    const value = where.toLowerCase().startsWith('header:') ? response.headers[where.slice('header:'.length).toLowerCase()] : readPath(response.body, where);
    if (value === undefined || value === null) unsaved.push(`${name} (${where})`);
    else vars.set(name, value);
  }
  const statuses = Array.isArray(step.expect.status) ? step.expect.status : [step.expect.status];
  if (!statuses.includes(response.status)) {
    return { reason: `status ${response.status}, expected ${statuses.join(' or ')}`, response };
  }
  for (const [name, pattern] of Object.entries(step.expect.headers ?? {})) {
    const mismatch = match(substitute(pattern, vars), response.headers[name.toLowerCase()], {}, `header ${name}`);
    if (mismatch) return { reason: `${mismatch.path}: ${mismatch.reason}`, expected: mismatch.expected, got: mismatch.actual, response };
  }
  if (step.expect.body !== undefined) {
    const mismatch = match(substitute(step.expect.body, vars), response.body, { ordered: step.expect.ordered === true }, 'body');
    if (mismatch) return { reason: `${mismatch.path}: ${mismatch.reason}`, expected: mismatch.expected, got: mismatch.actual, response };
  }
  if (unsaved.length > 0) return { reason: `the response has nothing to save as ${unsaved.join(', ')}`, response };
  return undefined;
}

async function cleanUp(requests: readonly CaseRequest[], context: RunContext, vars: Variables): Promise<void> {
  for (const request of requests) {
    try {
      await context.client.send(toOutgoing(request, context.baseUrl, vars));
    } catch {
      // Best effort: a variable the failed flow never saved, or a server that is gone.
    }
  }
}

export async function runCase(testCase: ConformanceCase, context: RunContext): Promise<CaseResult> {
  const missing = testCase.requires.filter((feature) => context.features.unsupported.has(feature));
  if (missing.length > 0) {
    return { outcome: 'skipped', reason: `ServiceProviderConfig: ${missing.map((f) => `${f}.supported is not true`).join(', ')}` };
  }

  const vars = new Map<string, unknown>([
    ['unique', context.unique],
    ['uuid', randomUUID()],
  ]);
  for (const [index, step] of testCase.steps.entries()) {
    const at = { step: index + 1, ...(step.name ? { stepName: step.name } : {}) };
    let outgoing: OutgoingRequest | undefined;
    let failure: StepFailure | undefined;
    try {
      outgoing = toOutgoing(step.request, context.baseUrl, vars);
      const response = await context.client.send(outgoing);
      const problem = check(step, response, vars);
      if (problem) failure = { ...at, request: describe(outgoing, context.baseUrl), ...problem };
    } catch (error) {
      const reason = error instanceof MissingVariableError ? error.message : `${(error as Error).name}: ${(error as Error).message}`;
      failure = { ...at, request: outgoing ? describe(outgoing, context.baseUrl) : `${step.request.method} ${step.request.path}`, reason };
    }
    if (failure) {
      await cleanUp(testCase.cleanup, context, vars);
      return { outcome: 'failed', failure };
    }
  }
  return { outcome: 'passed' };
}
