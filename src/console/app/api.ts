// The one place that calls fetch: JSON requests to the same origin's /auth and /scim/v2 APIs, as the signed-in user.
import { currentToken } from './session';
import { friendlyError, tooManyAttempts } from './words';

/**
 * A refused request: the HTTP status, the machine code (`error` of /auth, `scimType` of SCIM), the server's detail
 * in the portal's words (`message`, `detail`), the field it concerns when there is one, and the server's own text.
 */
export class ApiError extends Error {
  readonly field: string | undefined;

  constructor(
    readonly status: number,
    readonly code: string | undefined,
    detail: string,
    readonly body: Record<string, unknown> = {},
    field?: string,
    readonly serverDetail: string = detail,
  ) {
    super(detail);
    this.field = field;
  }

  get detail(): string {
    return this.message;
  }
}

export type Query = Record<string, string | number | undefined>;

/**
 * Headers of a list request whose page is wanted without its total (RFC 7240 Prefer): counting a search many users
 * match reads every match, the page only the first few; the total is asked for alone (count=0) afterwards.
 */
export const WITHOUT_TOTAL: Readonly<Record<string, string>> = { Prefer: 'totalResults=omit' };

export interface RequestOptions {
  readonly body?: unknown;
  readonly query?: Query;
  readonly headers?: Record<string, string>;
  /** A token other than the stored one (right after sign-in, before the session is kept). */
  readonly token?: string;
}

const SCIM_BASE = '/scim/v2';
let sessionOver: () => void = () => {};

/** What to do when SCIM answers 401: the session ended (expired, signed out elsewhere). */
export function onSessionOver(handler: () => void): void {
  sessionOver = handler;
}

function urlOf(path: string, query: Query | undefined): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) if (value !== undefined) params.set(name, String(value));
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Names the console knows for ids (users it has shown), so that a message names a person rather than a UUID. */
const knownNames = new Map<string, string>();
export function rememberName(id: string, name: string): void {
  if (knownNames.size > 5000) knownNames.clear();
  knownNames.set(id.toLowerCase(), name);
}

function errorOf(status: number, body: unknown, retryAfter: string | null): ApiError {
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const code = typeof fields.error === 'string' ? fields.error : typeof fields.scimType === 'string' ? fields.scimType : undefined;
  const fallback =
    status === 403 ? 'You are not allowed to do this.' : status === 404 ? 'Not found: it may have been deleted.' : `The server answered ${status}.`;
  const detail = typeof fields.detail === 'string' && fields.detail ? fields.detail : fallback;
  // Every 429 in minutes, whichever limit answered it (the sign-in throttle, the address limit, the mail limit).
  const seconds = Number(retryAfter ?? fields.retryAfter);
  if (status === 429 && Number.isFinite(seconds) && seconds > 0 && code !== 'mail_limit') {
    return new ApiError(status, code, tooManyAttempts(seconds), fields, undefined, detail);
  }
  const friendly = friendlyError(status, code, detail, knownNames);
  return new ApiError(status, code, friendly.message, fields, friendly.field, detail);
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const scim = path.startsWith(SCIM_BASE);
  const headers: Record<string, string> = { Accept: scim ? 'application/scim+json, application/json' : 'application/json', ...options.headers };
  const token = options.token ?? currentToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['Content-Type'] = scim ? 'application/scim+json' : 'application/json';
  }
  let response: Response;
  try {
    response = await fetch(urlOf(path, options.query), { method, headers, body, credentials: 'omit', cache: 'no-store' });
  } catch {
    throw new ApiError(0, 'network', 'The server cannot be reached. Check your connection and try again.');
  }
  const data = await readJson(response);
  if (!response.ok) {
    if (scim && response.status === 401) sessionOver();
    throw errorOf(response.status, data, response.headers.get('Retry-After'));
  }
  if (scim) noteNames(data);
  return data as T;
}

/** Users and groups the console has read: their names stand in for their ids in later error messages. */
function noteNames(data: unknown): void {
  if (typeof data !== 'object' || data === null) return;
  const record = data as Record<string, unknown>;
  const resources = Array.isArray(record.Resources) ? (record.Resources as unknown[]) : [record];
  for (const resource of resources) {
    if (typeof resource !== 'object' || resource === null) continue;
    const { id, displayName, userName } = resource as Record<string, unknown>;
    const name = typeof displayName === 'string' && displayName ? displayName : typeof userName === 'string' ? userName : undefined;
    if (typeof id === 'string' && name) rememberName(id, name);
  }
}

/** A request to the SCIM API: `path` is relative to /scim/v2. */
export function scim<T>(method: string, path: string, options?: RequestOptions): Promise<T> {
  return request<T>(method, `${SCIM_BASE}${path}`, options);
}
