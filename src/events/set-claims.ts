// The claims of the Security Event Token (RFC 8417 §2.2) that carries one event to one stream, and its signing.
//
// A token is made for each attempt (iat is the attempt's time); jti is the delivery's, the same on every attempt,
// so that a receiver can tell a retry from a new event (RFC 8935 §2.4, RFC 8936 §2.4 acknowledge by jti).
import type { JWTPayload } from 'jose';
import type { SigningKeys } from './signing-keys.js';

/** What a delivery row, its event and its stream contribute to the token. */
export interface DeliveredEvent {
  readonly jti: string;
  /** events.toe: when the change happened. */
  readonly toe: Date;
  /** events.txn: the request that caused it; every event of one request shares it. */
  readonly txn: string;
  /** events.subject: the sub_id object (RFC 9493), as stored. */
  readonly subject: unknown;
  /** events.payload: the whole `events` claim, `{ "<event uri>": { ... } }`. */
  readonly payload: unknown;
  /** event_streams.audience. */
  readonly audience: string;
}

const seconds = (at: Date) => Math.floor(at.getTime() / 1000);

/** The token's claims: issuer is PUBLIC_URL, audience the stream's. */
export function setClaims(event: DeliveredEvent, issuer: string, now: Date): JWTPayload {
  return {
    iss: issuer,
    aud: event.audience,
    jti: event.jti,
    iat: seconds(now),
    toe: seconds(event.toe),
    txn: event.txn,
    sub_id: event.subject,
    events: event.payload,
  } as JWTPayload;
}

/** The signed token (compact JWS, header typ secevent+jwt) of one delivery at `now`. */
export function signSet(keys: SigningKeys, event: DeliveredEvent, issuer: string, now: Date): Promise<string> {
  return keys.sign(setClaims(event, issuer, now));
}
