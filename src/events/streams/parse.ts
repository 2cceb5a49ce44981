// Reads the JSON bodies of the SSF management API (OpenID SSF 1.0 §8.1.1-§8.1.4) into checked values, with errors
// that name the member and what to send instead. Pure: no HTTP, no database.
import { ScimError } from '../../scim/errors.js';
import { DELIVERY_METHODS, PUSH, type DeliveryMethod } from './delivery-methods.js';

export const MAX_EVENTS_REQUESTED = 100;
const MAX_EVENT_URI_LENGTH = 512;
export const MAX_DESCRIPTION_LENGTH = 1000;
const MAX_URL_LENGTH = 2048;
const MAX_AUTHORIZATION_LENGTH = 4096;
const MAX_STATE_LENGTH = 1024;
export const STREAM_STATUSES = ['enabled', 'paused', 'disabled'] as const;
export type StreamStatus = (typeof STREAM_STATUSES)[number];

/** What a receiver asked for its delivery; members left out are undefined. */
export interface DeliveryInput {
  readonly method: DeliveryMethod | undefined;
  readonly endpointUrl: string | undefined;
  /** A header value; null asks for none; undefined: not in the request (the stored one is kept, see service.ts). */
  readonly authorizationHeader: string | null | undefined;
}

/** A stream configuration as sent; members left out are undefined. */
export interface StreamInput {
  readonly streamId: string | undefined;
  readonly eventsRequested: string[] | undefined;
  readonly delivery: DeliveryInput | undefined;
  readonly description: string | null | undefined;
  /** Transmitter-Supplied members a receiver may send back, which must then match (SSF 1.0 §8.1.1.4). */
  readonly iss: unknown;
  readonly aud: unknown;
}

/** Members Usher sets; a receiver may send them back as it read them, and they are not taken from the request. */
const READ_ONLY = new Set([
  'events_supported',
  'events_delivered',
  'min_verification_interval',
  'status',
  'reason',
  'delivered',
  'pending',
  'failed',
  'last_error',
  'last_error_at',
]);
const MEMBERS = new Set(['stream_id', 'iss', 'aud', 'events_requested', 'delivery', 'description', ...READ_ONLY]);
const DELIVERY_MEMBERS = new Set(['method', 'endpoint_url', 'authorization_header', 'authorization_header_set']);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function objectBody(body: unknown, what: string): Record<string, unknown> {
  if (!isObject(body)) throw ScimError.invalidSyntax(`The body of ${what} must be a JSON object.`);
  return body;
}

function streamIdOf(body: Record<string, unknown>, required: boolean): string | undefined {
  const id = body.stream_id;
  if (id === undefined) {
    if (required) throw ScimError.invalidValue('stream_id is required: the id the stream was created with (GET /ssf/streams lists them).');
    return undefined;
  }
  if (typeof id !== 'string' || id === '') throw ScimError.invalidValue('stream_id must be a non-empty string.');
  return id;
}

function eventsRequestedOf(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw ScimError.invalidValue('events_requested must be an array of event type URIs (see events_supported).');
  if (value.length > MAX_EVENTS_REQUESTED) throw ScimError.invalidValue(`events_requested holds ${value.length} URIs; at most ${MAX_EVENTS_REQUESTED} are accepted.`);
  for (const uri of value) {
    if (typeof uri !== 'string' || uri.trim() === '' || uri.length > MAX_EVENT_URI_LENGTH) {
      throw ScimError.invalidValue(`Each member of events_requested must be an event type URI of 1 to ${MAX_EVENT_URI_LENGTH} characters.`);
    }
  }
  return [...new Set(value as string[])];
}

/** A header value as RFC 9110 §5.5 allows one: visible characters, spaces and tabs, no line breaks. */
function authorizationOf(value: unknown): string | null | undefined {
  if (value === undefined || value === null) return value;
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_AUTHORIZATION_LENGTH || !/^[\x20-\x7e\t]+$/.test(value)) {
    throw ScimError.invalidValue(
      `delivery.authorization_header must be the value of an Authorization header (e.g. "Bearer <token>"): 1 to ${MAX_AUTHORIZATION_LENGTH} printable ASCII characters, no line breaks; null sends none.`,
    );
  }
  return value.trim();
}

function deliveryOf(value: unknown): DeliveryInput | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) throw ScimError.invalidValue(`delivery must be an object: {"method": "${PUSH}", "endpoint_url": "https://..."} or {"method": "urn:ietf:rfc:8936"}.`);
  const unknown = Object.keys(value).find((key) => !DELIVERY_MEMBERS.has(key));
  if (unknown !== undefined) throw ScimError.invalidValue(`delivery has no member "${unknown}"; it takes method, endpoint_url and authorization_header.`);
  const method = value.method;
  if (method !== undefined && !DELIVERY_METHODS.includes(method as DeliveryMethod)) {
    throw ScimError.invalidValue(`delivery.method must be ${DELIVERY_METHODS.map((m) => `"${m}"`).join(' (push) or ')} (poll).`);
  }
  const endpointUrl = value.endpoint_url;
  if (endpointUrl !== undefined && (typeof endpointUrl !== 'string' || endpointUrl === '' || endpointUrl.length > MAX_URL_LENGTH)) {
    throw ScimError.invalidValue(`delivery.endpoint_url must be a URL of at most ${MAX_URL_LENGTH} characters.`);
  }
  return { method: method as DeliveryMethod | undefined, endpointUrl: endpointUrl as string | undefined, authorizationHeader: authorizationOf(value.authorization_header) };
}

function descriptionOf(value: unknown): string | null | undefined {
  if (value === undefined || value === null) return value;
  if (typeof value !== 'string' || value.length > MAX_DESCRIPTION_LENGTH) {
    throw ScimError.invalidValue(`description must be a string of at most ${MAX_DESCRIPTION_LENGTH} characters, or null.`);
  }
  return value;
}

/**
 * A stream configuration for POST (create: no stream_id), PATCH or PUT (stream_id required). Unknown members are
 * refused, so that a misspelt one (event_requested) is not silently ignored.
 */
export function parseStreamBody(raw: unknown, mode: 'create' | 'update'): StreamInput {
  const body = objectBody(raw, mode === 'create' ? 'a stream creation' : 'a stream update');
  if (body.format !== undefined) {
    throw ScimError.invalidValue('format is not supported: Usher names each subject as RFC 9967 does (the resource id and externalId); leave format out.');
  }
  const unknown = Object.keys(body).find((key) => !MEMBERS.has(key));
  if (unknown !== undefined) {
    throw ScimError.invalidValue(`A stream configuration has no member "${unknown}"; a receiver sets events_requested, delivery and description.`);
  }
  if (mode === 'create' && body.stream_id !== undefined) throw ScimError.invalidValue('stream_id is chosen by Usher when the stream is created; leave it out.');
  return {
    streamId: streamIdOf(body, mode === 'update'),
    eventsRequested: eventsRequestedOf(body.events_requested),
    delivery: deliveryOf(body.delivery),
    description: descriptionOf(body.description),
    iss: body.iss,
    aud: body.aud,
  };
}

/** POST /ssf/status: the stream, its new status and why. */
export function parseStatusBody(raw: unknown): { streamId: string; status: StreamStatus; reason: string | undefined } {
  const body = objectBody(raw, 'a status update');
  const unknown = Object.keys(body).find((key) => !['stream_id', 'status', 'reason', 'subject'].includes(key));
  if (unknown !== undefined) throw ScimError.invalidValue(`A status update has no member "${unknown}"; it takes stream_id, status and reason.`);
  if (body.subject !== undefined) throw ScimError.invalidValue('Usher keeps one status per stream, not per subject; leave subject out.');
  const streamId = streamIdOf(body, true)!;
  if (!STREAM_STATUSES.includes(body.status as StreamStatus)) throw ScimError.invalidValue('status must be "enabled", "paused" or "disabled".');
  const reason = body.reason;
  if (reason !== undefined && reason !== null && (typeof reason !== 'string' || reason.length > MAX_DESCRIPTION_LENGTH)) {
    throw ScimError.invalidValue(`reason must be a string of at most ${MAX_DESCRIPTION_LENGTH} characters.`);
  }
  return { streamId, status: body.status as StreamStatus, reason: typeof reason === 'string' && reason !== '' ? reason : undefined };
}

/** POST /ssf/verify: the stream, and the state to echo in the verification event. */
export function parseVerifyBody(raw: unknown): { streamId: string; state: string | undefined } {
  const body = objectBody(raw, 'a verification request');
  const unknown = Object.keys(body).find((key) => key !== 'stream_id' && key !== 'state');
  if (unknown !== undefined) throw ScimError.invalidValue(`A verification request has no member "${unknown}"; it takes stream_id and state.`);
  const streamId = streamIdOf(body, true)!;
  const state = body.state;
  if (state !== undefined && (typeof state !== 'string' || state.length > MAX_STATE_LENGTH)) {
    throw ScimError.invalidValue(`state must be a string of at most ${MAX_STATE_LENGTH} characters.`);
  }
  return { streamId, state: state as string | undefined };
}
