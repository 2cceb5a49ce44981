// Runs a bulk request (RFC 7644 §3.7): each operation through its resource type's service as its own request, in bulkId dependency order, with circular references resolved as §3.7.1 asks.
import { setImmediate } from 'node:timers/promises';
import { HashQueueFullError, withKnownHashes } from '../../auth/passwords.js';
import type { Logger } from '../../http/logger.js';
import { cycleOf, scheduleOperations, type BulkStep } from '../../scim/bulk/order.js';
import { referencedBulkId, resolveReferences } from '../../scim/bulk/references.js';
import { BULK_RESPONSE_SCHEMA, parseBulkRequest, type BulkOperation } from '../../scim/bulk/request.js';
import { ScimError, type ScimErrorBody } from '../../scim/errors.js';
import type { ProjectionParams } from '../../scim/resource/projection.js';
import { etagOf } from '../../scim/resource/version.js';
import { isTimeout } from '../../store/errors.js';
import { joinTransaction } from '../../store/join.js';
import type { Deps, RequestContext, ResourceService } from '../context.js';
import { passwordOfUser } from '../users/service.js';

export interface BulkOperationResult {
  readonly method?: string;
  readonly bulkId?: string;
  readonly version?: string;
  readonly location?: string;
  /** The HTTP status the operation would have had as a request of its own, as a string. */
  readonly status: string;
  /** The SCIM error, for a failed operation (RFC 7644 §3.7.3). */
  readonly response?: ScimErrorBody;
}

export interface BulkResponse {
  readonly schemas: [typeof BULK_RESPONSE_SCHEMA];
  readonly Operations: BulkOperationResult[];
}

export interface BulkService {
  run(ctx: RequestContext, body: unknown): Promise<BulkResponse>;
}

export type ServiceFactory = (deps: Deps) => ResourceService;

export interface BulkDeps extends Deps {
  readonly logger: Logger;
  readonly maxOperations: number;
  /** The resource types an operation may address, by endpoint name ("Users"), with the factory of their service. */
  readonly resourceTypes: Readonly<Record<string, ServiceFactory>>;
  /**
   * How many independent POSTs may run at once (see `waves`). More than one pays only where the store has
   * connections to spread them over: PostgreSQL. PGlite runs one statement at a time whatever is asked of it.
   */
  readonly concurrency?: number;
  /**
   * Aborted when the server begins to stop: the operations not yet begun are not run, and answered 503 so that
   * the client can send them again, and the stop need not wait for the rest of a long Bulk.
   */
  readonly shutdown?: AbortSignal;
}

// RFC 7644 §3.7 lets a successful operation's response body be left out, so only the id is rendered: no member
// or group lookups for output nobody reads.
const PROJECTION: ProjectionParams = { attributes: 'id' };

/** What a successful operation yields: its result entry, and the id a POST created. */
interface Done {
  readonly result: BulkOperationResult;
  readonly id: string | undefined;
}

function success(op: BulkOperation, status: number, location: string, version: number | undefined): BulkOperationResult {
  return {
    method: op.method,
    ...(op.bulkId !== undefined ? { bulkId: op.bulkId } : {}),
    ...(version !== undefined ? { version: etagOf(version) } : {}),
    location,
    status: String(status),
  };
}

function notRunStopping(): ScimError {
  return new ScimError(503, undefined, 'The server was stopping, so this operation was not run. Send it again.');
}

function dependencyFailed(bulkId: string): ScimError {
  return ScimError.conflict(`"bulkId:${bulkId}" cannot be resolved: the POST operation with that bulkId failed.`);
}

/** The value that must be unique among the resources a POST creates: `Users:bjensen`, compared ignoring case. */
function uniqueKeyOf(op: BulkOperation): string | undefined {
  const data = op.data as Record<string, unknown> | undefined;
  const name = data?.userName ?? data?.displayName;
  return typeof name === 'string' ? `${op.endpoint}:${name.toLowerCase()}` : undefined;
}

/**
 * Groups the schedule into waves whose operations may run at once: consecutive POSTs that refer to no bulkId
 * and create nothing that another POST of the wave would collide with (the same userName or displayName), so
 * that which of two duplicates fails stays the later one, as in request order. Every other step is a wave alone.
 */
function waves(steps: readonly BulkStep[], operations: readonly BulkOperation[], size: number): BulkStep[][] {
  const result: BulkStep[][] = [];
  let wave: BulkStep[] = [];
  let keys = new Set<string>();
  const independentPost = (step: BulkStep) => {
    const op = operations[step.indices[0]!]!;
    return !step.circular && op.method === 'POST' && op.references.length === 0 && !op.error;
  };
  for (const step of steps) {
    const key = independentPost(step) ? (uniqueKeyOf(operations[step.indices[0]!]!) ?? '') : undefined;
    if (key === undefined || wave.length >= size || keys.has(key)) {
      if (wave.length > 0) result.push(wave);
      wave = [];
      keys = new Set();
    }
    if (key === undefined) {
      result.push([step]);
      continue;
    }
    wave.push(step);
    if (key) keys.add(key);
  }
  if (wave.length > 0) result.push(wave);
  return result;
}

export function createBulkService(deps: BulkDeps): BulkService {
  const { logger, scimBaseUrl, maxOperations } = deps;
  const concurrency = Math.max(1, deps.concurrency ?? (deps.store.kind === 'postgres' ? 4 : 1));
  const endpoints = Object.keys(deps.resourceTypes);
  const services = new Map(endpoints.map((endpoint) => [endpoint, deps.resourceTypes[endpoint]!(deps)]));

  const locationOf = (endpoint: string, id: string) => `${scimBaseUrl}/${endpoint}/${encodeURIComponent(id)}`;

  /** The resource a PUT, PATCH or DELETE addresses, with a bulkId in its path replaced; undefined if unresolved. */
  function targetOf(op: BulkOperation, ids: ReadonlyMap<string, string>): string | undefined {
    if (op.id === undefined) return undefined;
    const bulkId = referencedBulkId(op.id);
    return bulkId === undefined ? op.id : ids.get(bulkId);
  }

  /** A ScimError as it is; anything else is logged with the request id and answered as a bare 500. */
  function asScimError(ctx: RequestContext, error: unknown, operations: readonly number[]): ScimError {
    if (error instanceof ScimError) return error;
    // A bulk response has no Retry-After of its own: the detail says how long to wait.
    if (error instanceof HashQueueFullError) return new ScimError(503, undefined, error.message);
    // The database cancelled it (STATEMENT_TIMEOUT_MS) and rolled it back: the client may send it again.
    if (isTimeout(error)) return new ScimError(503, undefined, 'The operation took too long and was cancelled; nothing of it was changed. Retry it later.');
    logger.error('bulk operation failed', {
      requestId: ctx.requestId,
      operations,
      error: error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : String(error),
    });
    return new ScimError(500, undefined, `Internal server error (request id ${ctx.requestId}).`);
  }

  function failure(op: BulkOperation, error: ScimError, target: string | undefined): BulkOperationResult {
    return {
      ...(op.method !== undefined ? { method: op.method } : {}),
      ...(op.bulkId !== undefined ? { bulkId: op.bulkId } : {}),
      // Every result but a failed POST's names its resource (RFC 7644 §3.7.3).
      ...(op.method !== 'POST' && op.endpoint !== undefined && target !== undefined ? { location: locationOf(op.endpoint, target) } : {}),
      status: String(error.status),
      response: error.toJSON(),
    };
  }

  /**
   * An operation's own context: its SCIM events' txn is `<request id>:<index>` (RFC 9967 §2.5.1.2), as each operation
   * is a transaction of its own (RFC 9967 §2.2: txn names the transaction), and its index in the request names it.
   */
  function operationContext(ctx: RequestContext, op: BulkOperation): RequestContext {
    return { ...ctx, txn: `${ctx.requestId}:${op.index}` };
  }

  /** One operation, as the request it stands for. */
  async function perform(service: ResourceService, ctx: RequestContext, op: BulkOperation, target: string, data: unknown): Promise<Done> {
    const endpoint = op.endpoint!;
    switch (op.method) {
      case 'POST': {
        const created = await service.create(ctx, data, PROJECTION);
        return { result: success(op, 201, created.location, created.version), id: created.resource.id as string };
      }
      case 'PUT': {
        const replaced = await service.replace(ctx, target, data, PROJECTION, op.version);
        return { result: success(op, 200, replaced.location, replaced.version), id: undefined };
      }
      case 'PATCH': {
        // As over HTTP without query parameters: a Group answers 204 (naming attributes would make it answer 200 with
        // itself); a User answers with itself, rendered as its id only.
        const { version, result } = await service.patch(ctx, target, data, endpoint === 'Groups' ? {} : PROJECTION, op.version);
        return { result: success(op, result ? 200 : 204, locationOf(endpoint, target), version), id: undefined };
      }
      default:
        // DELETE: the parser lets no other method through.
        await service.delete(ctx, target, op.version);
        return { result: success(op, 204, locationOf(endpoint, target), undefined), id: undefined };
    }
  }

  async function runOne(ctx: RequestContext, op: BulkOperation, ids: Map<string, string>): Promise<BulkOperationResult> {
    const target = targetOf(op, ids);
    if (op.error) return failure(op, op.error, target);
    // Ordering ran every POST this operation references; one without an id failed.
    const missing = op.references.find((bulkId) => !ids.has(bulkId));
    if (missing !== undefined) return failure(op, dependencyFailed(missing), target);
    const data = op.references.length > 0 ? resolveReferences(op.data, (bulkId) => ids.get(bulkId)).data : op.data;
    try {
      const done = await perform(services.get(op.endpoint!)!, operationContext(ctx, op), op, target ?? '', data);
      if (done.id !== undefined) ids.set(op.bulkId!, done.id);
      return done.result;
    } catch (error) {
      return failure(op, asScimError(ctx, error, [op.index]), target);
    }
  }

  /**
   * POSTs that reference one another (RFC 7644 §3.7.1): each is created with the references that have no id yet
   * left out, then those created short of some reference are replaced with their full data, now that every id
   * exists. All of it is one transaction, so a cycle the rules cannot accept (groups nested in each other) leaves
   * nothing behind, and every operation of it fails with 409 and a detail naming the cycle.
   */
  async function runCircular(ctx: RequestContext, ops: readonly BulkOperation[], cycle: string, ids: Map<string, string>): Promise<BulkOperationResult[]> {
    const inCycle = new Set(ops.map((op) => op.bulkId!));
    const outside = ops.flatMap((op) => op.references).find((bulkId) => !inCycle.has(bulkId) && !ids.has(bulkId));
    if (outside !== undefined) {
      const error = ScimError.conflict(`The circular bulkId references ${cycle} cannot be resolved: ${dependencyFailed(outside).detail}`);
      return ops.map((op) => failure(op, error, undefined));
    }
    let current: BulkOperation = ops[0]!;
    try {
      // Argon2id never runs inside a transaction: the passwords the cycle's users are created with are hashed first.
      const hashes = new Map<string, string>();
      for (const op of ops) {
        const password = op.endpoint === 'Users' ? passwordOfUser(op.data) : undefined;
        if (password !== undefined && !hashes.has(password)) hashes.set(password, await deps.passwords.hash(password));
      }
      const outcome = await deps.store.transaction(async (tx) => {
        const joined: Deps = { ...deps, store: joinTransaction(deps.store.kind, tx), passwords: withKnownHashes(deps.passwords, hashes) };
        const bound = new Map<string, ResourceService>();
        const serviceOf = (op: BulkOperation) => {
          const endpoint = op.endpoint!;
          let service = bound.get(endpoint);
          if (!service) bound.set(endpoint, (service = deps.resourceTypes[endpoint]!(joined)));
          return service;
        };
        const created = new Map<string, string>();
        const idOf = (bulkId: string) => ids.get(bulkId) ?? created.get(bulkId);
        const results = new Map<number, BulkOperationResult>();
        const deferred: BulkOperation[] = [];
        for (const op of ops) {
          current = op;
          const { data, dropped } = resolveReferences(op.data, idOf);
          const resource = await serviceOf(op).create(operationContext(ctx, op), data, PROJECTION);
          created.set(op.bulkId!, resource.resource.id as string);
          results.set(op.index, success(op, 201, resource.location, resource.version));
          if (dropped) deferred.push(op);
        }
        for (const op of deferred) {
          current = op;
          const { data } = resolveReferences(op.data, idOf);
          const resource = await serviceOf(op).replace(operationContext(ctx, op), created.get(op.bulkId!)!, data, PROJECTION, undefined);
          results.set(op.index, success(op, 201, resource.location, resource.version));
        }
        return { created, results };
      });
      // The services' own notify() ran before this commit, when the worker could not see the mail yet.
      deps.accountMail.notify();
      for (const [bulkId, id] of outcome.created) ids.set(bulkId, id);
      return ops.map((op) => outcome.results.get(op.index)!);
    } catch (error) {
      if (!(error instanceof ScimError)) {
        const internal = asScimError(ctx, error, ops.map((op) => op.index));
        return ops.map((op) => failure(op, internal, undefined));
      }
      const conflict = ScimError.conflict(
        `The circular bulkId references ${cycle} cannot be resolved, so none of these operations was performed: ` +
          `bulkId "${current.bulkId}" failed with ${error.status}${error.scimType ? ` ${error.scimType}` : ''}: ${error.detail}`,
      );
      return ops.map((op) => failure(op, conflict, undefined));
    }
  }

  async function runStep(
    ctx: RequestContext,
    step: BulkStep,
    operations: readonly BulkOperation[],
    dependsOn: readonly (readonly number[])[],
    ids: Map<string, string>,
  ) {
    if (!step.circular) return [await runOne(ctx, operations[step.indices[0]!]!, ids)];
    const cycle = cycleOf(dependsOn, step)
      .map((i) => `bulkId:${operations[i]!.bulkId}`)
      .join(' -> ');
    return runCircular(ctx, step.indices.map((i) => operations[i]!), `(${cycle})`, ids);
  }

  return {
    async run(ctx, body) {
      const { failOnErrors, operations } = parseBulkRequest(body, { maxOperations, endpoints });
      const ids = new Map<string, string>();
      const results: (BulkOperationResult | undefined)[] = new Array<BulkOperationResult | undefined>(operations.length);
      let errors = 0;
      const dependsOn = operations.map((op) => op.dependsOn);
      // With failOnErrors, one at a time: a wave could perform operations after the failure that should stop them.
      const size = failOnErrors === undefined ? concurrency : 1;
      for (const wave of waves(scheduleOperations(dependsOn), operations, size)) {
        // failOnErrors: once that many operations have failed, the rest are neither performed nor listed.
        if (failOnErrors !== undefined && errors >= failOnErrors) break;
        // A turn of the event loop between waves, so that a stop signal (and other requests) are seen even where
        // the database answers without one (the embedded database on the main thread resolves in microtasks).
        await setImmediate();
        if (deps.shutdown?.aborted) {
          // Checked between waves: the operations in flight finish, none is begun, and each one not run is listed.
          for (const step of wave) for (const i of step.indices) results[i] = failure(operations[i]!, notRunStopping(), targetOf(operations[i]!, ids));
          continue;
        }
        const waveResults = await Promise.all(wave.map((step) => runStep(ctx, step, operations, dependsOn, ids)));
        waveResults.forEach((stepResults, w) =>
          stepResults.forEach((result, k) => {
            results[wave[w]!.indices[k]!] = result;
            if (result.response) errors++;
          }),
        );
      }
      // Listed in request order, whatever order dependencies made them run in.
      return { schemas: [BULK_RESPONSE_SCHEMA], Operations: results.filter((r): r is BulkOperationResult => r !== undefined) };
    },
  };
}
