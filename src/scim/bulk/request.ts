// Reads a BulkRequest body (RFC 7644 §3.7): the schema, failOnErrors, and each operation's method, path, bulkId, version and data, with the limits of §3.7.4.
import { ScimError } from '../errors.js';
import { collectReferences, referencedBulkId } from './references.js';

export const BULK_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
export const BULK_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';
export const MAX_BULK_OPERATIONS = 1000;

export type BulkMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE';

const METHODS: ReadonlySet<string> = new Set<BulkMethod>(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface BulkOperation {
  /** The operation's position in the request. */
  readonly index: number;
  /** One of the four methods in upper case; otherwise what the client sent, if a string, to echo back. */
  readonly method: string | undefined;
  readonly bulkId: string | undefined;
  /** The ETag the client expects, used as If-Match (RFC 7644 §3.14). */
  readonly version: string | undefined;
  /** The resource type endpoint, spelled as in the endpoints given to the parser ("Users"). */
  readonly endpoint: string | undefined;
  /** The target of a PUT, PATCH or DELETE: a resource id, or "bulkId:<id>" for one this request creates. */
  readonly id: string | undefined;
  readonly data: unknown;
  /** Every bulkId the operation references, in its path or anywhere in its data. */
  readonly references: readonly string[];
  /** Indexes of the POST operations that define those bulkIds. */
  readonly dependsOn: readonly number[];
  /** Why the operation cannot run. It then fails on its own; the rest of the request goes on. */
  readonly error: ScimError | undefined;
}

export interface BulkRequest {
  /** Stop after this many failed operations; undefined runs them all (RFC 7644 §3.7). */
  readonly failOnErrors: number | undefined;
  readonly operations: readonly BulkOperation[];
}

export interface BulkOptions {
  readonly maxOperations: number;
  /** The resource type endpoints operations may address, e.g. ["Users", "Groups"]. */
  readonly endpoints: readonly string[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Clients vary the case of attribute names ("operations", "BulkId"); RFC 7643 §2.1 makes them case-insensitive. */
function field(object: Record<string, unknown>, name: string): unknown {
  if (name in object) return object[name];
  const lower = name.toLowerCase();
  const key = Object.keys(object).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : object[key];
}

interface Draft {
  index: number;
  method: string | undefined;
  bulkId: string | undefined;
  version: string | undefined;
  endpoint: string | undefined;
  id: string | undefined;
  data: unknown;
  references: string[];
  dependsOn: number[];
  error: ScimError | undefined;
}

function readTarget(draft: Draft, path: unknown, endpoints: ReadonlyMap<string, string>): void {
  const method = draft.method as BulkMethod;
  const listed = [...endpoints.values()].map((e) => `/${e}`).join(' or ');
  if (typeof path !== 'string') throw ScimError.invalidPath(`"path" is required: ${listed}${method === 'POST' ? '' : ' followed by /{id}'}.`);
  // Endpoint names in any case and one trailing slash, as the HTTP routes take them (`/users`, `/Users/{id}/`).
  const match = /^\/([^/?#]+)(?:\/([^/?#]+))?\/?$/.exec(path.trim());
  const endpoint = match ? endpoints.get(match[1]!.toLowerCase()) : undefined;
  if (!match || !endpoint) throw ScimError.invalidPath(`"path" ${JSON.stringify(path)} names no endpoint; use ${listed}.`);
  draft.endpoint = endpoint;
  const id = match[2];
  if (method === 'POST' && id !== undefined) {
    throw ScimError.invalidPath(`POST creates a resource at its endpoint: "path" must be /${endpoint}, got ${JSON.stringify(path)}.`);
  }
  if (method !== 'POST' && id === undefined) {
    throw ScimError.invalidPath(`${method} needs one resource: "path" must be /${endpoint}/{id}, got ${JSON.stringify(path)}.`);
  }
  draft.id = id;
}

function readOperation(raw: unknown, index: number, endpoints: ReadonlyMap<string, string>): Draft {
  const draft: Draft = {
    index,
    method: undefined,
    bulkId: undefined,
    version: undefined,
    endpoint: undefined,
    id: undefined,
    data: undefined,
    references: [],
    dependsOn: [],
    error: undefined,
  };
  try {
    if (!isObject(raw)) throw ScimError.invalidSyntax('An operation must be an object with "method", "path" and, except for DELETE, "data".');
    const method = field(raw, 'method');
    const bulkId = field(raw, 'bulkId');
    const version = field(raw, 'version');
    if (typeof method === 'string') draft.method = METHODS.has(method.toUpperCase()) ? method.toUpperCase() : method;
    if (typeof bulkId === 'string' && bulkId !== '') draft.bulkId = bulkId;
    if (!draft.method || !METHODS.has(draft.method)) {
      throw ScimError.invalidSyntax(`"method" must be POST, PUT, PATCH or DELETE, got ${JSON.stringify(method ?? null)}.`);
    }
    if (bulkId !== undefined && bulkId !== null && (typeof bulkId !== 'string' || bulkId === '')) {
      throw ScimError.invalidSyntax(`"bulkId" must be a non-empty string, got ${JSON.stringify(bulkId)}.`);
    }
    if (draft.method === 'POST' && draft.bulkId === undefined) throw ScimError.invalidSyntax('A POST operation needs a "bulkId" (RFC 7644 §3.7).');
    if (version !== undefined && version !== null) {
      if (typeof version !== 'string') throw ScimError.invalidSyntax(`"version" must be an entity tag string, got ${JSON.stringify(version)}.`);
      draft.version = version;
    }
    readTarget(draft, field(raw, 'path'), endpoints);
    if (draft.method !== 'DELETE') {
      const data = field(raw, 'data');
      if (!isObject(data)) throw ScimError.invalidSyntax(`A ${draft.method} operation needs "data": a JSON object.`);
      draft.data = data;
    }
    const references = new Set<string>();
    const pathReference = draft.id === undefined ? undefined : referencedBulkId(draft.id);
    if (pathReference !== undefined) references.add(pathReference);
    collectReferences(draft.data, references);
    draft.references = [...references];
  } catch (error) {
    if (!(error instanceof ScimError)) throw error;
    draft.error = error;
  }
  return draft;
}

/**
 * Reads the request; a malformed envelope fails it whole, a malformed operation fails only itself. Also links each
 * bulkId reference to the POST that defines it, so that an unknown bulkId is found before anything runs.
 */
export function parseBulkRequest(body: unknown, options: BulkOptions): BulkRequest {
  if (!isObject(body)) throw ScimError.invalidSyntax('A bulk request body must be a JSON object with "schemas" and "Operations".');
  const schemas = field(body, 'schemas');
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === BULK_REQUEST_SCHEMA.toLowerCase())) {
    throw ScimError.invalidSyntax(`A bulk request's "schemas" must be ["${BULK_REQUEST_SCHEMA}"].`);
  }
  const operations = field(body, 'Operations');
  if (!Array.isArray(operations) || operations.length === 0) throw ScimError.invalidSyntax('A bulk request needs "Operations": a non-empty array.');
  if (operations.length > options.maxOperations) {
    throw ScimError.payloadTooLarge(`The bulk request holds ${operations.length} operations, more than maxOperations (${options.maxOperations}).`);
  }
  const failOnErrors = field(body, 'failOnErrors');
  if (failOnErrors !== undefined && failOnErrors !== null && (typeof failOnErrors !== 'number' || !Number.isInteger(failOnErrors) || failOnErrors < 1)) {
    throw ScimError.invalidValue(`"failOnErrors" must be a positive integer, got ${JSON.stringify(failOnErrors)}.`);
  }

  const endpoints = new Map(options.endpoints.map((e) => [e.toLowerCase(), e]));
  const drafts = operations.map((raw, index) => readOperation(raw, index, endpoints));

  // A POST defines its bulkId even when it cannot run: what references it then fails as depending on a failed POST.
  const definedBy = new Map<string, number>();
  for (const draft of drafts) {
    if (draft.method !== 'POST' || draft.bulkId === undefined) continue;
    const first = definedBy.get(draft.bulkId);
    if (first === undefined) definedBy.set(draft.bulkId, draft.index);
    else draft.error ??= ScimError.invalidValue(`bulkId "${draft.bulkId}" is already the bulkId of Operations[${first}]; a bulkId must be unique within a request.`);
  }
  for (const draft of drafts) {
    if (draft.error) continue;
    const unknown = draft.references.find((bulkId) => !definedBy.has(bulkId));
    if (unknown !== undefined) {
      draft.error = ScimError.invalidValue(`"bulkId:${unknown}" is not the bulkId of any POST operation in this request.`);
      continue;
    }
    draft.dependsOn = draft.references.map((bulkId) => definedBy.get(bulkId)!);
  }

  return { failOnErrors: typeof failOnErrors === 'number' ? failOnErrors : undefined, operations: drafts };
}
