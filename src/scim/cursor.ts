// Opaque, signed, expiring list cursors (RFC 9865): a position in one query's order, usable only by the tenant it was issued to.
import { hmac } from '@oslojs/crypto/hmac';
import { SHA256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { decodeBase64urlIgnorePadding, encodeBase64urlNoPadding } from '@oslojs/encoding';
import { ScimError } from './errors.js';

/** Where a page starts: after (next) or before (previous) the row with this sort key and id. */
export interface CursorPosition {
  readonly key: string | null;
  readonly id: string;
  readonly direction: 'next' | 'previous';
}

export interface CursorCodec {
  encode(position: CursorPosition, scope: string): string;
  /** Throws invalidCursor for a cursor that is malformed, forged, or issued for another query; expiredCursor once it has expired. */
  decode(cursor: string, scope: string): CursorPosition;
  readonly ttlSeconds: number;
}

interface Payload {
  k: string | null;
  i: string;
  d: 'n' | 'p';
  x: number;
}

const MAX_CURSOR_LENGTH = 4096;
const encoder = new TextEncoder();

/**
 * `scope` names what the cursor may be used with (tenant, resource type, filter and sort); the signature covers it,
 * so a cursor cannot be replayed by another tenant or against another query.
 */
export function createCursorCodec(key: Uint8Array, clock: () => Date, ttlSeconds: number): CursorCodec {
  const sign = (body: string, scope: string) => hmac(SHA256, key, encoder.encode(`${scope}\n${body}`));
  const invalid = () =>
    ScimError.invalidCursor('The cursor is not one this server issued for this query; start again without a cursor, or with an empty one.');
  return {
    ttlSeconds,
    encode(position, scope) {
      const payload: Payload = {
        k: position.key,
        i: position.id,
        d: position.direction === 'next' ? 'n' : 'p',
        x: Math.floor(clock().getTime() / 1000) + ttlSeconds,
      };
      const body = encodeBase64urlNoPadding(encoder.encode(JSON.stringify(payload)));
      return `${body}.${encodeBase64urlNoPadding(sign(body, scope))}`;
    },
    decode(cursor, scope) {
      if (cursor.length > MAX_CURSOR_LENGTH) throw invalid();
      const [body, signature, ...rest] = cursor.split('.');
      if (!body || !signature || rest.length > 0) throw invalid();
      let given: Uint8Array;
      try {
        given = decodeBase64urlIgnorePadding(signature);
      } catch {
        throw invalid();
      }
      if (!constantTimeEqual(given, sign(body, scope))) throw invalid();
      let payload: Payload;
      try {
        payload = JSON.parse(new TextDecoder().decode(decodeBase64urlIgnorePadding(body))) as Payload;
      } catch {
        throw invalid();
      }
      if (payload.x * 1000 < clock().getTime()) {
        throw ScimError.expiredCursor(`The cursor has expired (cursors last ${ttlSeconds} seconds); start again without a cursor.`);
      }
      return { key: payload.k, id: payload.i, direction: payload.d === 'n' ? 'next' : 'previous' };
    },
  };
}
