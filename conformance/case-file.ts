// The case file format: one JSON file per external test case, under cases/<suite>/NNN-short-name.json.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/** Features a server announces in /ServiceProviderConfig (RFC 7643 §5); a case that needs one is skipped without it. */
export const FEATURES = ['patch', 'bulk', 'filter', 'changePassword', 'sort', 'etag'] as const;
export type Feature = (typeof FEATURES)[number];

export interface CaseRequest {
  readonly method: string;
  /** Relative to --url, e.g. `/Users/${userId}` or `/Users?filter=userName eq "${userName}"`; encoded by the runner. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** JSON, sent as application/scim+json. */
  readonly body?: unknown;
  /** Sent as is, for requests that must not be valid JSON. */
  readonly rawBody?: string;
  /** False to leave out the runner's token (a case may then send its own, wrong, Authorization header). */
  readonly auth?: boolean;
}

export interface CaseExpect {
  readonly status: number | readonly number[];
  readonly headers?: Readonly<Record<string, unknown>>;
  readonly body?: unknown;
  /** Arrays in `body` must match position by position. */
  readonly ordered?: boolean;
}

export interface CaseStep {
  readonly name?: string;
  readonly request: CaseRequest;
  readonly expect: CaseExpect;
  /** Variable name -> where to read it: a path into the body (`id`, `Resources.0.id`) or `header:<name>`. */
  readonly save?: Readonly<Record<string, string>>;
}

export interface ConformanceCase {
  /** `suite/NNN-short-name`, from the file's place. */
  readonly id: string;
  readonly file: string;
  readonly name: string;
  /** The public document the requests come from. */
  readonly source: string | readonly string[];
  readonly requires: readonly Feature[];
  readonly steps: readonly CaseStep[];
  /** Requests run, best effort, when a step fails, to remove what the case created. */
  readonly cleanup: readonly CaseRequest[];
}

const FILE_NAME = /^\d{3}-[a-z0-9]+(?:-[a-z0-9]+)*\.json$/;
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

class CaseError extends Error {}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function only(value: Record<string, unknown>, allowed: readonly string[], where: string): void {
  const extra = Object.keys(value).filter((key) => !allowed.includes(key));
  if (extra.length > 0) throw new CaseError(`${where}: unknown key ${extra.map((k) => JSON.stringify(k)).join(', ')}`);
}

function parseRequest(value: unknown, where: string): CaseRequest {
  if (!isObject(value)) throw new CaseError(`${where} must be an object`);
  only(value, ['method', 'path', 'headers', 'body', 'rawBody', 'auth'], where);
  const { method, path, headers, rawBody, auth } = value;
  if (typeof method !== 'string' || !METHODS.includes(method)) throw new CaseError(`${where}.method must be one of ${METHODS.join(', ')}`);
  if (typeof path !== 'string' || !path.startsWith('/')) throw new CaseError(`${where}.path must be a string starting with "/"`);
  if (headers !== undefined && (!isObject(headers) || !Object.values(headers).every((h) => typeof h === 'string'))) {
    throw new CaseError(`${where}.headers must map names to strings`);
  }
  // The token is the runner's; a case may send its own Authorization only to check that a wrong one is refused.
  if (headers && auth !== false && Object.keys(headers).some((name) => name.toLowerCase() === 'authorization')) {
    throw new CaseError(`${where}.headers may set Authorization only with "auth": false`);
  }
  if (rawBody !== undefined && typeof rawBody !== 'string') throw new CaseError(`${where}.rawBody must be a string`);
  if (rawBody !== undefined && 'body' in value) throw new CaseError(`${where}: body and rawBody exclude each other`);
  if (auth !== undefined && typeof auth !== 'boolean') throw new CaseError(`${where}.auth must be true or false`);
  return value as unknown as CaseRequest;
}

function parseStep(value: unknown, where: string): CaseStep {
  if (!isObject(value)) throw new CaseError(`${where} must be an object`);
  only(value, ['name', 'request', 'expect', 'save'], where);
  if (value.name !== undefined && typeof value.name !== 'string') throw new CaseError(`${where}.name must be a string`);
  parseRequest(value.request, `${where}.request`);
  const expect = value.expect;
  if (!isObject(expect)) throw new CaseError(`${where}.expect must be an object`);
  only(expect, ['status', 'headers', 'body', 'ordered'], `${where}.expect`);
  const status = expect.status;
  const statuses = Array.isArray(status) ? status : [status];
  if (statuses.length === 0 || !statuses.every((s) => Number.isInteger(s) && (s as number) >= 100 && (s as number) <= 599)) {
    throw new CaseError(`${where}.expect.status must be an HTTP status or a list of them`);
  }
  if (expect.headers !== undefined && !isObject(expect.headers)) throw new CaseError(`${where}.expect.headers must be an object`);
  if (expect.ordered !== undefined && typeof expect.ordered !== 'boolean') throw new CaseError(`${where}.expect.ordered must be true or false`);
  const save = value.save;
  if (save !== undefined && (!isObject(save) || !Object.values(save).every((p) => typeof p === 'string' && p !== ''))) {
    throw new CaseError(`${where}.save must map variable names to paths`);
  }
  if (save && Object.keys(save).some((name) => !/^[A-Za-z_]\w*$/.test(name))) throw new CaseError(`${where}.save: variable names are letters, digits and _`);
  return value as unknown as CaseStep;
}

/** Checks one parsed case file; throws with the file-relative place of the first problem. */
export function parseCase(value: unknown, id: string, file: string): ConformanceCase {
  if (!isObject(value)) throw new CaseError('the file must hold one JSON object');
  only(value, ['name', 'source', 'requires', 'steps', 'cleanup'], 'case');
  const { name, source, requires = [], steps, cleanup = [] } = value;
  if (typeof name !== 'string' || name === '') throw new CaseError('name must be a non-empty string');
  const sources = Array.isArray(source) ? source : [source];
  if (sources.length === 0 || !sources.every((s) => typeof s === 'string' && /^https:\/\//.test(s))) {
    throw new CaseError('source must be the https address of the public document the case follows (or a list of them)');
  }
  if (!Array.isArray(requires) || !requires.every((f) => (FEATURES as readonly unknown[]).includes(f))) {
    throw new CaseError(`requires must list features among ${FEATURES.join(', ')}`);
  }
  if (!Array.isArray(steps) || steps.length === 0) throw new CaseError('steps must be a non-empty list');
  steps.forEach((step, i) => parseStep(step, `steps[${i}]`));
  if (!Array.isArray(cleanup)) throw new CaseError('cleanup must be a list of requests');
  cleanup.forEach((request, i) => parseRequest(request, `cleanup[${i}]`));
  return {
    id,
    file,
    name,
    source: source as string | string[],
    requires: requires as Feature[],
    steps: steps as CaseStep[],
    cleanup: cleanup as CaseRequest[],
  };
}

export interface LoadedCases {
  readonly cases: ConformanceCase[];
  /** Files that could not be read as cases: each is reported as a failure. */
  readonly broken: { readonly id: string; readonly error: string }[];
}

async function listJsonFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map(async (entry) => {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) return listJsonFiles(full);
      return entry.isFile() && entry.name.endsWith('.json') ? [full] : [];
    }),
  );
  return nested.flat();
}

/** Reads every case under `root`, sorted by id (suite, then number). */
export async function loadCases(root: string): Promise<LoadedCases> {
  const files = (await listJsonFiles(root)).sort();
  const cases: ConformanceCase[] = [];
  const broken: { id: string; error: string }[] = [];
  for (const file of files) {
    const id = relative(root, file).split(sep).join('/').replace(/\.json$/, '');
    try {
      const base = file.split(sep).pop()!;
      if (!FILE_NAME.test(base)) throw new CaseError('file names are NNN-short-name.json (lower case, digits, hyphens)');
      if (!id.includes('/')) throw new CaseError('cases live in a suite folder, e.g. rfc7644/001-name.json');
      cases.push(parseCase(JSON.parse(await readFile(file, 'utf8')) as unknown, id, file));
    } catch (error) {
      broken.push({ id, error: (error as Error).message });
    }
  }
  return { cases, broken };
}
