// Polling a stream's events (RFC 8936 §2.4): acknowledge and report errors on SETs received, take the next ones, and
// wait for new ones (long polling) when there are none yet.
//
// A SET handed to a poll is leased for leaseSeconds: another poll meanwhile does not get it, and if it is neither
// acknowledged nor reported as an error by then, a later poll gets it again (same jti). Acknowledged SETs are
// delivered, reported ones failed; neither is returned again.
import { ScimError } from '../../scim/errors.js';
import type { Store } from '../../store/index.js';
import {
  POLL_METHOD,
  acknowledgeDeliveries,
  failDeliveries,
  leasePollDeliveries,
  pollAvailable,
  selectStream,
  type PollStreamRow,
} from '../../events/delivery-queries.js';
import type { EventNotifier } from '../../events/notifier.js';
import { signSet } from '../../events/set-claims.js';
import type { SigningKeys } from '../../events/signing-keys.js';

/** SETs one poll returns at most, whatever maxEvents asks (RFC 8936 lets the transmitter return fewer). */
export const MAX_POLL_EVENTS = 1000;
/** SETs a poll returns when maxEvents is left out. */
export const DEFAULT_POLL_EVENTS = 100;
/** Acknowledgements plus errors one poll may carry. */
export const MAX_POLL_ACKS = 10_000;

export interface PollRequest {
  readonly maxEvents?: number | undefined;
  readonly returnImmediately?: boolean | undefined;
  readonly ack?: readonly string[] | undefined;
  readonly setErrs?: Readonly<Record<string, { readonly err: string; readonly description?: string | undefined }>> | undefined;
}

export interface PollResponse {
  readonly sets: Record<string, string>;
  readonly moreAvailable: boolean;
}

export interface PollDeps {
  readonly store: Store;
  readonly clock: () => Date;
  readonly signingKeys: SigningKeys;
  /** The tokens' iss: PUBLIC_URL. */
  readonly issuer: string;
  /** Wakes a long poll when a change that wrote events commits in this process. */
  readonly notifier: EventNotifier;
  /** How long a long poll waits at most. Default 30 s. */
  readonly maxWaitMs?: number;
  /** How long a returned SET is hidden from other polls. Default 15 s. */
  readonly leaseSeconds?: number;
  /** Aborted when the server stops: long polls answer at once. */
  readonly shutdown?: AbortSignal | undefined;
}

export interface PollService {
  poll(tenantId: string, streamId: string, request: PollRequest, signal?: AbortSignal): Promise<PollResponse>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Other instances' new deliveries are found by looking again this often during a long poll. */
const RECHECK_MS = 1_000;

export function createPollService(deps: PollDeps): PollService {
  const { store, clock } = deps;
  const maxWaitMs = deps.maxWaitMs ?? 30_000;
  const leaseMs = (deps.leaseSeconds ?? 15) * 1000;

  async function streamOf(tenantId: string, streamId: string): Promise<PollStreamRow> {
    const stream = UUID.test(streamId) ? await selectStream(store, tenantId, streamId) : undefined;
    if (!stream || stream.delivery_method !== POLL_METHOD) {
      throw ScimError.notFound(`No poll stream ${streamId} in this tenant; GET /ssf/streams lists the streams and their delivery endpoints.`);
    }
    return stream;
  }

  return {
    async poll(tenantId, streamId, request, signal) {
      let stream = await streamOf(tenantId, streamId);
      // Not a uuid: no SET of ours has that jti, so there is nothing to acknowledge.
      const acks = (request.ack ?? []).filter((jti) => UUID.test(jti));
      const errors = Object.entries(request.setErrs ?? {})
        .filter(([jti]) => UUID.test(jti))
        .map(([jti, e]) => ({ jti, error: e.description ? `${e.err}: ${e.description}` : e.err }));
      if (acks.length > 0 || errors.length > 0) {
        await store.transaction(async (tx) => {
          const now = clock();
          await acknowledgeDeliveries(tx, tenantId, streamId, acks, now);
          await failDeliveries(tx, tenantId, streamId, errors, now);
        });
      }

      const maxEvents = Math.min(request.maxEvents ?? DEFAULT_POLL_EVENTS, MAX_POLL_EVENTS);
      const stopped = AbortSignal.any([signal, deps.shutdown].filter((s): s is AbortSignal => s !== undefined));
      const deadline = Date.now() + (request.returnImmediately === true || maxEvents === 0 ? 0 : maxWaitMs);
      const sets: Record<string, string> = {};
      for (;;) {
        // A paused stream holds its SETs; a disabled one has none (RFC 8936 answers an empty set either way).
        if (stream.status === 'enabled' && maxEvents > 0) {
          const now = clock();
          const leased = await leasePollDeliveries(store, tenantId, streamId, now, new Date(now.getTime() + leaseMs), maxEvents);
          for (const row of leased) {
            sets[row.jti] = await signSet(deps.signingKeys, { ...row, audience: stream.audience }, deps.issuer, now);
          }
        }
        const left = deadline - Date.now();
        if (Object.keys(sets).length > 0 || left <= 0 || stopped.aborted) break;
        await deps.notifier.wait(Math.min(RECHECK_MS, left), stopped);
        stream = await streamOf(tenantId, streamId);
      }
      const moreAvailable = stream.status === 'enabled' && maxEvents > 0 && (await pollAvailable(store, tenantId, streamId, clock()));
      return { sets, moreAvailable };
    },
  };
}
