// Records SCIM events (RFC 9967) in the change's own transaction, fanned out to the tenant's streams that asked for
// them: a rolled-back change emits nothing, a committed one loses nothing, and a tenant with no stream writes nothing.
import { eventsClaim, withData, type EventDraft } from '../scim/events/events.js';
import type { ResourceData } from '../scim/resource/normalize.js';
import type { Queryable } from '../store/index.js';
import { insertEvents } from './queries.js';

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
}

/**
 * An event to record. A full form (`needsData`) is given `data`, a loader of the resource as a client would read it:
 * called once per resource, and only when a stream wants the full form, so that no write pays for rendering (a
 * large group's members) that nobody receives.
 */
export type PendingEvent = EventDraft & { readonly data?: (() => Promise<ResourceData>) | undefined };

/** The scope of a change's events; `txn` defaults to the request id, and to a fresh id for what has no request. */
export function eventScope(from: { readonly tenantId: string; readonly requestId: string | null; readonly at: Date; readonly newId: () => string }, txn?: string): EventScope {
  return { tenantId: from.tenantId, txn: txn ?? from.requestId ?? from.newId(), at: from.at, newId: from.newId };
}

/**
 * Writes the events some live stream of the tenant wants, with their deliveries, in the caller's transaction: one
 * statement, which also says whether a stream wants a full form; only then is the resource read and the full forms
 * written by a second. Full forms are numbered after the other events of the call. Returns the deliveries written.
 */
export async function recordEvents(tx: Queryable, scope: EventScope, events: readonly PendingEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  const toRecord = (event: EventDraft) => ({
    id: scope.newId(),
    event_type: event.type,
    subject_key: event.subjectKey,
    subject: event.subject,
    payload: eventsClaim(event),
  });
  const ready = events.filter((event) => !event.needsData);
  const full = events.filter((event) => event.needsData);
  const first = await insertEvents(tx, scope.tenantId, scope.txn, scope.at, ready.map(toRecord), [...new Set(full.map((event) => event.type))]);
  const wanted = full.filter((event) => first.wanted.has(event.type));
  if (wanted.length === 0) return first.deliveries;
  const loaded = new Map<() => Promise<ResourceData>, Promise<ResourceData>>();
  const load = (loader: () => Promise<ResourceData>) => {
    let data = loaded.get(loader);
    if (!data) loaded.set(loader, (data = loader()));
    return data;
  };
  const records = [];
  for (const event of wanted) {
    if (!event.data) throw new Error(`The full event ${event.type} was given no data.`);
    records.push(toRecord(withData(event, await load(event.data))));
  }
  const second = await insertEvents(tx, scope.tenantId, scope.txn, scope.at, records);
  return first.deliveries + second.deliveries;
}
