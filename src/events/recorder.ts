// Records SCIM events (RFC 9967) in the change's own transaction, fanned out to the tenant's streams that asked for
// them: a rolled-back change emits nothing, a committed one loses nothing, and a tenant with no stream writes nothing.
import { eventsClaim, withData, type EventDraft } from '../scim/events/events.js';
import { CHANGE_EVENTS } from '../scim/events/uris.js';
import type { ResourceData } from '../scim/resource/normalize.js';
import type { Queryable } from '../store/index.js';
import { insertEvents } from './queries.js';

/**
 * Which full forms each tenant's streams wanted at its last change: a guess, kept per server, so that the resource
 * is read before the one statement that writes the events, not after a first one that asks. The statement always
 * checks the streams as they are: a wrong guess costs a read for nothing, or a second statement, never an event.
 */
export interface FullFormHints {
  get(tenantId: string): ReadonlySet<string> | undefined;
  set(tenantId: string, types: ReadonlySet<string>): void;
  /** Hears that deliveries were written (not yet committed): the server announces them once the request is answered. */
  written?(): void;
}

/** Hints for up to `maxTenants` tenants; past that, forgotten all at once (a guess is cheap to learn again). */
export function createFullFormHints(maxTenants = 10_000, written?: () => void): FullFormHints {
  const hints = new Map<string, ReadonlySet<string>>();
  return {
    ...(written ? { written } : {}),
    get: (tenantId) => hints.get(tenantId),
    set(tenantId, types) {
      if (hints.size >= maxTenants && !hints.has(tenantId)) hints.clear();
      hints.set(tenantId, types);
    },
  };
}

const FULL_TYPES: readonly string[] = Object.values(CHANGE_EVENTS).map((forms) => forms.full);

/** What every event of one transaction shares. */
export interface EventScope {
  readonly tenantId: string;
  /**
   * RFC 9967 §2.2 `txn`: the transaction the events arose from. The request id, or a Bulk operation's own
   * `<request id>:<index>` (each operation of a Bulk commits on its own; §2.5.1.2 numbers them so).
   */
  readonly txn: string;
  /** The time of the change: the SET's `toe`. */
  readonly at: Date;
  readonly newId: () => string;
  readonly hints?: FullFormHints | undefined;
}

/**
 * An event to record. A full form (`needsData`) is given `data`, a loader of the resource as a client would read it:
 * called once per resource, and only when a stream wants the full form (or was seen to want it), so that no write
 * pays for rendering (a large group's members) that nobody receives.
 */
export type PendingEvent = EventDraft & { readonly data?: (() => Promise<ResourceData>) | undefined };

/** The scope of a change's events; `txn` defaults to the request id, and to a fresh id for what has no request. */
export function eventScope(
  from: { readonly tenantId: string; readonly requestId: string | null; readonly at: Date; readonly newId: () => string },
  txn?: string,
  hints?: FullFormHints,
): EventScope {
  return { tenantId: from.tenantId, txn: txn ?? from.requestId ?? from.newId(), at: from.at, newId: from.newId, hints };
}

/**
 * Writes the events some live stream of the tenant wants, with their deliveries, in the caller's transaction. One
 * statement writes them all, the full forms the hints expect with their resource read first; it also says which
 * full forms the streams want, and a full form wanted but not expected is written by a second. Each subject's
 * events keep the order given. Returns the deliveries written.
 */
export async function recordEvents(tx: Queryable, scope: EventScope, events: readonly PendingEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  const loaded = new Map<() => Promise<ResourceData>, Promise<ResourceData>>();
  const complete = async (event: PendingEvent): Promise<EventDraft> => {
    if (!event.needsData) return event;
    if (!event.data) throw new Error(`The full event ${event.type} was given no data.`);
    let data = loaded.get(event.data);
    if (!data) loaded.set(event.data, (data = event.data()));
    return withData(event, await data);
  };
  const toRecord = (event: EventDraft) => ({
    id: scope.newId(),
    event_type: event.type,
    subject_key: event.subjectKey,
    subject: event.subject,
    payload: eventsClaim(event),
  });
  // Every full type is asked about, not only this change's: the hint then holds for the tenant's next change too.
  const fullTypes = events.some((event) => event.needsData) ? FULL_TYPES : [];
  const expected = scope.hints?.get(scope.tenantId);
  const now = events.filter((event) => !event.needsData || expected?.has(event.type));
  const records = [];
  for (const event of now) records.push(toRecord(await complete(event)));
  const first = await insertEvents(tx, scope.tenantId, scope.txn, scope.at, records, fullTypes);
  if (fullTypes.length > 0) scope.hints?.set(scope.tenantId, first.wanted);
  const later = events.filter((event) => event.needsData && !expected?.has(event.type) && first.wanted.has(event.type));
  let deliveries = first.deliveries;
  if (later.length > 0) {
    const rest = [];
    for (const event of later) rest.push(toRecord(await complete(event)));
    deliveries += (await insertEvents(tx, scope.tenantId, scope.txn, scope.at, rest)).deliveries;
  }
  if (deliveries > 0) scope.hints?.written?.();
  return deliveries;
}
