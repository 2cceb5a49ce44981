// A tenant's event streams as the OpenID Shared Signals Framework 1.0 manages them (§8.1.1 configuration, §8.1.2
// status, §8.1.4 verification): the rules, the receiver URL policy, the sealed push credential, the transactions.
import { createSecretBox, type SecretBox } from '../../auth/secret-box.js';
import { ScimError } from '../../scim/errors.js';
import { serverSecret } from '../../store/secrets.js';
import type { Store } from '../../store/index.js';
import { checkReceiverUrl, type ReceiverUrlPolicy } from '../receiver-url.js';
import { POLL, PUSH, type DeliveryMethod } from './delivery-methods.js';
import { parseStatusBody, parseStreamBody, parseVerifyBody, type DeliveryInput, type StreamInput, type StreamStatus } from './parse.js';
import {
  countStreamsLocked,
  deletePendingDeliveries,
  deleteStream,
  insertEventFor,
  insertStream,
  lastEventSince,
  lockStream,
  selectStream,
  selectStreams,
  updateStatus,
  updateStream,
  type StreamRow,
  type StreamValues,
} from './queries.js';
import { deliveredOf, SUPPORTED_EVENTS, VERIFICATION_EVENT } from './supported-events.js';

/** How many streams a tenant may have: each is a receiver Usher signs and sends every change to. */
export const DEFAULT_MAX_STREAMS = 10;
/** SSF 1.0 §8.1.1 min_verification_interval: a receiver asks for a verification event at most this often. */
export const DEFAULT_MIN_VERIFICATION_INTERVAL_SECONDS = 10;
/** The server secret push credentials are sealed under. */
export const STREAM_SECRETS = 'event-stream-secrets';

/** What a stream's authorization header is sealed to: it opens for this stream of this tenant only. */
export const authorizationContext = (tenantId: string, streamId: string) => `stream-authorization:${tenantId}:${streamId}`;

/** The `aud` of a stream's SETs: unique to the stream, fixed for its life, known to the receiver from creation. */
export const audienceOf = (streamId: string) => `urn:usher:ssf:stream:${streamId}`;

/** The RFC 8936 poll endpoint of a poll stream (served by the poll route, not stored). */
export const pollUrlOf = (publicUrl: string, streamId: string) => `${publicUrl}/ssf/poll/${streamId}`;

export interface StreamsServiceDeps {
  readonly store: Store;
  readonly clock: () => Date;
  readonly newId: () => string;
  /** PUBLIC_URL: the issuer (iss) of every SET, and the base of the poll endpoints. */
  readonly publicUrl: string;
  /** Where pushes may go (EVENTS_ALLOW_HTTP_LOOPBACK). */
  readonly receiverUrlPolicy: ReceiverUrlPolicy;
  readonly maxStreams?: number;
  readonly minVerificationIntervalSeconds?: number;
}

/** Who asks: the tenant (every query is limited to it) and the request (the txn of the events it writes). */
export interface StreamRequestContext {
  readonly tenantId: string;
  readonly requestId: string;
}
type RequestContext = StreamRequestContext;

export type StreamJson = Record<string, unknown>;
export type StatusJson = { stream_id: string; status: StreamStatus; reason?: string };

export interface StreamsService {
  readonly minVerificationIntervalSeconds: number;
  create(ctx: RequestContext, body: unknown): Promise<StreamJson>;
  get(ctx: RequestContext, streamId: string): Promise<StreamJson>;
  list(ctx: RequestContext): Promise<StreamJson[]>;
  /** PATCH (members left out are kept) or PUT (Receiver-Supplied members left out are cleared), SSF 1.0 §8.1.1.3-4. */
  update(ctx: RequestContext, body: unknown, mode: 'patch' | 'replace'): Promise<StreamJson>;
  delete(ctx: RequestContext, streamId: string): Promise<void>;
  status(ctx: RequestContext, streamId: string): Promise<StatusJson>;
  setStatus(ctx: RequestContext, body: unknown): Promise<StatusJson>;
  verify(ctx: RequestContext, body: unknown): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const notFound = (streamId: string) => ScimError.notFound(`No event stream "${streamId}" in this tenant; GET /ssf/streams lists its streams.`);

/** The stream's sealed authorization header and where it may be sent, decided from the request and the stored row. */
type ResolvedDelivery = Pick<StreamValues, 'deliveryMethod' | 'endpointUrl' | 'authorizationHeader'>;

export function createStreamsService(deps: StreamsServiceDeps): StreamsService {
  const { store, clock, newId, publicUrl } = deps;
  const maxStreams = deps.maxStreams ?? DEFAULT_MAX_STREAMS;
  const minVerificationIntervalSeconds = deps.minVerificationIntervalSeconds ?? DEFAULT_MIN_VERIFICATION_INTERVAL_SECONDS;
  let box: Promise<SecretBox> | undefined;
  const secretBox = () => {
    box ??= serverSecret(store, STREAM_SECRETS).then(createSecretBox, (error: unknown) => {
      box = undefined;
      throw error;
    });
    return box;
  };

  const toJson = (row: StreamRow): StreamJson => ({
    stream_id: row.id,
    iss: publicUrl,
    aud: row.audience,
    delivery:
      row.delivery_method === PUSH
        ? { method: PUSH, endpoint_url: row.endpoint_url, authorization_header_set: row.authorization_header !== null }
        : { method: POLL, endpoint_url: pollUrlOf(publicUrl, row.id) },
    events_supported: SUPPORTED_EVENTS,
    events_requested: row.events_requested,
    events_delivered: row.events_delivered,
    ...(row.description !== null ? { description: row.description } : {}),
    min_verification_interval: minVerificationIntervalSeconds,
    status: row.status,
    ...(row.status_reason !== null ? { reason: row.status_reason } : {}),
    delivered: row.delivered,
    pending: row.pending,
    failed: row.failed,
    last_error: row.last_error,
    last_error_at: row.last_error_at?.toISOString() ?? null,
  });

  async function find(ctx: RequestContext, streamId: string): Promise<StreamRow> {
    const row = UUID.test(streamId) ? await selectStream(store, ctx.tenantId, streamId) : undefined;
    if (!row) throw notFound(streamId);
    return row;
  }

  /** A push endpoint, checked against the receiver URL policy now (the push checks it again before each send). */
  async function checkedEndpoint(raw: string): Promise<string> {
    const check = await checkReceiverUrl(raw, deps.receiverUrlPolicy);
    if (!check.ok) throw ScimError.invalidValue(`delivery.endpoint_url: ${check.reason}`);
    return check.url.href;
  }

  async function resolveDelivery(
    ctx: RequestContext,
    streamId: string,
    input: DeliveryInput,
    current: StreamRow | undefined,
    mode: 'create' | 'patch' | 'replace',
  ): Promise<ResolvedDelivery> {
    const method: DeliveryMethod | undefined = input.method ?? (mode === 'patch' ? current?.delivery_method : undefined);
    if (method === undefined) throw ScimError.invalidValue(`delivery.method is required: "${PUSH}" (push) or "${POLL}" (poll).`);
    const seal = async (header: string | null) => (header === null ? null : (await secretBox()).seal(new TextEncoder().encode(header), authorizationContext(ctx.tenantId, streamId)));

    if (method === POLL) {
      if (input.endpointUrl !== undefined && (mode === 'create' || input.endpointUrl !== pollUrlOf(publicUrl, streamId))) {
        throw ScimError.invalidValue(`A poll stream's endpoint_url is chosen by Usher (${pollUrlOf(publicUrl, mode === 'create' ? '<stream_id>' : streamId)}); leave it out.`);
      }
      if (typeof input.authorizationHeader === 'string') {
        throw ScimError.invalidValue('A poll stream has no authorization_header: the receiver polls with its own bearer token. Leave it out.');
      }
      return { deliveryMethod: POLL, endpointUrl: null, authorizationHeader: null };
    }

    const wasPush = current?.delivery_method === PUSH;
    const raw = input.endpointUrl ?? (wasPush && mode === 'patch' ? current!.endpoint_url! : undefined);
    if (raw === undefined) throw ScimError.invalidValue('delivery.endpoint_url is required for push: the https URL the receiver takes SETs at (RFC 8935).');
    const endpointUrl = wasPush && raw === current!.endpoint_url ? raw : await checkedEndpoint(raw);
    let authorizationHeader: string | null;
    if (input.authorizationHeader !== undefined) authorizationHeader = await seal(input.authorizationHeader);
    else if (wasPush && current!.authorization_header !== null) {
      // Write-only: never read back, so a receiver cannot send it again with a PUT; it stays with its endpoint only,
      // lest a changed endpoint_url carry the receiver's credential elsewhere.
      if (endpointUrl !== current!.endpoint_url) {
        throw ScimError.invalidValue(
          'The stream has an authorization_header for its current endpoint_url; to change the endpoint, send authorization_header again (or null to send none).',
        );
      }
      authorizationHeader = current!.authorization_header;
    } else authorizationHeader = null;
    return { deliveryMethod: PUSH, endpointUrl, authorizationHeader };
  }

  function checkTransmitterSupplied(input: StreamInput, audience: string | undefined): void {
    if (input.iss !== undefined && input.iss !== publicUrl) throw ScimError.invalidValue(`iss is Usher's issuer, "${publicUrl}"; leave it out or send it unchanged.`);
    if (input.aud === undefined) return;
    if (audience === undefined) throw ScimError.invalidValue('aud is chosen by Usher when the stream is created (it names the stream); leave it out.');
    const same = input.aud === audience || (Array.isArray(input.aud) && input.aud.length === 1 && input.aud[0] === audience);
    if (!same) throw ScimError.invalidValue(`aud cannot be changed: it is "${audience}" for the life of the stream.`);
  }

  async function readBack(ctx: RequestContext, streamId: string): Promise<StreamJson> {
    const row = await selectStream(store, ctx.tenantId, streamId);
    if (!row) throw notFound(streamId);
    return toJson(row);
  }

  return {
    minVerificationIntervalSeconds,

    async create(ctx, body) {
      const input = parseStreamBody(body, 'create');
      checkTransmitterSupplied(input, undefined);
      if (input.delivery === undefined) {
        throw ScimError.invalidValue(`delivery is required: {"method": "${PUSH}", "endpoint_url": "https://..."} to be pushed to, or {"method": "${POLL}"} to poll.`);
      }
      const id = newId();
      const delivery = await resolveDelivery(ctx, id, input.delivery, undefined, 'create');
      const requested = input.eventsRequested ?? [];
      const values: StreamValues = { ...delivery, eventsRequested: requested, eventsDelivered: deliveredOf(requested), description: input.description ?? null };
      await store.transaction(async (tx) => {
        const count = await countStreamsLocked(tx, ctx.tenantId);
        if (count >= maxStreams) {
          throw ScimError.conflict(`This tenant already has ${count} event streams, the most it may have (${maxStreams}); delete one it no longer needs first.`);
        }
        await insertStream(tx, ctx.tenantId, id, audienceOf(id), values, clock());
      });
      return readBack(ctx, id);
    },

    async get(ctx, streamId) {
      return toJson(await find(ctx, streamId));
    },

    async list(ctx) {
      return (await selectStreams(store, ctx.tenantId)).map(toJson);
    },

    async update(ctx, body, mode) {
      const input = parseStreamBody(body, 'update');
      const current = await find(ctx, input.streamId!);
      checkTransmitterSupplied(input, current.audience);
      let delivery: ResolvedDelivery;
      if (input.delivery !== undefined) delivery = await resolveDelivery(ctx, current.id, input.delivery, current, mode);
      else if (mode === 'replace') throw ScimError.invalidValue('delivery is required in a PUT: it replaces the whole configuration (use PATCH to change part of it).');
      else delivery = { deliveryMethod: current.delivery_method, endpointUrl: current.endpoint_url, authorizationHeader: current.authorization_header };
      const requested = input.eventsRequested ?? (mode === 'patch' ? current.events_requested : []);
      const description = input.description !== undefined ? input.description : mode === 'patch' ? current.description : null;
      const values: StreamValues = { ...delivery, eventsRequested: requested, eventsDelivered: deliveredOf(requested), description };
      const written = await updateStream(store, ctx.tenantId, current.id, values, current, clock());
      if (!written) {
        if (!(await selectStream(store, ctx.tenantId, current.id))) throw notFound(current.id);
        throw ScimError.conflict("The stream's delivery was changed by another request meanwhile; read it again and repeat the change.");
      }
      return readBack(ctx, current.id);
    },

    async delete(ctx, streamId) {
      if (!UUID.test(streamId) || !(await deleteStream(store, ctx.tenantId, streamId))) throw notFound(streamId);
    },

    async status(ctx, streamId) {
      const row = await find(ctx, streamId);
      return { stream_id: row.id, status: row.status, ...(row.status_reason !== null ? { reason: row.status_reason } : {}) };
    },

    async setStatus(ctx, body) {
      const { streamId, status, reason } = parseStatusBody(body);
      if (!UUID.test(streamId)) throw notFound(streamId);
      await store.transaction(async (tx) => {
        if (!(await lockStream(tx, ctx.tenantId, streamId))) throw notFound(streamId);
        await updateStatus(tx, ctx.tenantId, streamId, status, reason ?? null, clock());
        // SSF 1.0 §8.1.2.1: a disabled stream holds nothing for later.
        if (status === 'disabled') await deletePendingDeliveries(tx, ctx.tenantId, streamId);
      });
      return { stream_id: streamId, status, ...(reason !== undefined ? { reason } : {}) };
    },

    async verify(ctx, body) {
      const { streamId, state } = parseVerifyBody(body);
      if (!UUID.test(streamId)) throw notFound(streamId);
      const subjectKey = `Stream:${streamId}`;
      await store.transaction(async (tx) => {
        const stream = await lockStream(tx, ctx.tenantId, streamId);
        if (!stream) throw notFound(streamId);
        if (stream.status === 'disabled') {
          throw ScimError.conflict('The stream is disabled, so nothing is sent on it; enable it (POST /ssf/status) before asking for a verification event.');
        }
        const now = clock();
        const since = new Date(now.getTime() - minVerificationIntervalSeconds * 1000);
        const last = await lastEventSince(tx, ctx.tenantId, VERIFICATION_EVENT, subjectKey, since);
        if (last !== undefined) {
          const wait = Math.max(1, Math.ceil((last.getTime() + minVerificationIntervalSeconds * 1000 - now.getTime()) / 1000));
          throw new TooSoonError(wait, `A verification event was asked for less than min_verification_interval (${minVerificationIntervalSeconds} s) ago; try again in ${wait} s.`);
        }
        await insertEventFor(
          tx,
          ctx.tenantId,
          streamId,
          {
            id: newId(),
            txn: ctx.requestId,
            eventType: VERIFICATION_EVENT,
            subjectKey,
            // SSF 1.0 §8.1.4.1: the stream is the subject, named by its id.
            subject: { format: 'opaque', id: streamId },
            payload: { [VERIFICATION_EVENT]: state !== undefined ? { state } : {} },
            toe: now,
          },
          newId(),
          now,
        );
      });
    },
  };
}

/** SSF 1.0 §8.1.4.2: a 429 for a verification asked for sooner than min_verification_interval allows. */
export class TooSoonError extends ScimError {
  constructor(
    readonly retryAfterSeconds: number,
    detail: string,
  ) {
    super(429, undefined, detail);
  }
}
