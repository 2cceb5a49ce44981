// The longest text each string attribute may hold, in UTF-8 bytes: the one table docs/limits.md describes.
//
// PostgreSQL refuses a B-tree entry over about 2,700 bytes (a third of a page), and userName, externalId,
// name.familyName, group displayName and the values of the multi-valued attributes kept in user_values are
// indexed (sql/0001_init.sql, sql/0003_query_indexes.sql); their limits stay far below it, with room for the
// tenant id and the attribute name beside them in the entry. Bytes, not characters: a character takes 1 to 4.
import type { AttributeDefinition } from './types.js';

/** userName (RFC 7643 §4.1.1); also what a sign-in may send. */
export const USER_NAME_MAX_BYTES = 256;
/** externalId, group displayName, name.familyName and other names and identifiers that are indexed. */
export const IDENTIFIER_MAX_BYTES = 256;
/** An e-mail address: RFC 5321 §4.5.3.1 allows 64 bytes of local part, "@" and 255 of domain. */
export const EMAIL_MAX_BYTES = 320;
/** A URL kept in an index (photos.value). */
export const INDEXED_URL_MAX_BYTES = 1024;
/** A URL that is not indexed (profileUrl): what browsers and proxies reliably carry. */
export const URL_MAX_BYTES = 2048;
/** Every other string or reference attribute. */
export const DEFAULT_STRING_MAX_BYTES = 1024;
/** Binary attributes (base64 text): room for an X.509 certificate with a 4096-bit key. */
export const BINARY_MAX_BYTES = 8192;

/** The limit of an attribute of type string, reference or binary: its own if it states one, the default of its type otherwise. */
export function maxBytesOf(definition: AttributeDefinition): number {
  return definition.maxBytes ?? (definition.type === 'binary' ? BINARY_MAX_BYTES : DEFAULT_STRING_MAX_BYTES);
}
