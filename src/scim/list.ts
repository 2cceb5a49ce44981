// Query parameters of a list request and the ListResponse that answers it (RFC 7644 §3.4.2, §3.4.2.4).
import { ScimError } from './errors.js';

export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

export interface ListResponse<T> {
  schemas: [typeof LIST_RESPONSE_SCHEMA];
  totalResults?: number;
  startIndex?: number;
  itemsPerPage: number;
  /** RFC 9865: where the next page starts; absent on the last page. */
  nextCursor?: string;
  previousCursor?: string;
  Resources: T[];
}

export interface ListParams {
  readonly filter: string | undefined;
  readonly startIndex: number;
  /** RFC 9865: undefined for index paging; '' for the first page of cursor paging. */
  readonly cursor: string | undefined;
  readonly count: number;
  readonly sortBy: string | undefined;
  readonly sortOrder: 'ascending' | 'descending' | undefined;
  readonly attributes: string | undefined;
  readonly excludedAttributes: string | undefined;
  /**
   * The client asked for the page without totalResults (HTTP `Prefer: totalResults=omit`), to have it sooner: the
   * count of a common search reads every match, the page only the first few. It asks for the number on its own
   * (count=0) when it wants it.
   */
  readonly omitTotal?: boolean;
}

/** Query parameters as they arrive (GET query string or POST /.search body), names already matched case-insensitively. */
export interface RawListParams {
  readonly filter?: unknown;
  readonly startIndex?: unknown;
  readonly cursor?: unknown;
  readonly count?: unknown;
  readonly sortBy?: unknown;
  readonly sortOrder?: unknown;
  readonly attributes?: unknown;
  readonly excludedAttributes?: unknown;
}

function integerParam(name: string, value: unknown): number | undefined {
  if (value === undefined || value === '') return undefined;
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^[+-]?\d{1,15}$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(number)) {
    throw ScimError.invalidValue(`Parameter "${name}" must be an integer, got ${JSON.stringify(value)}.`);
  }
  return number;
}

function stringParam(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  // POST /.search sends attribute lists as JSON arrays of strings (RFC 7644 §3.4.3).
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(',');
  if (typeof value !== 'string') throw ScimError.invalidValue(`Parameter "${name}" must be a string.`);
  return value;
}

/** Applies RFC 7644 §3.4.2.4: startIndex below 1 means 1, a negative count means 0, and count is capped at maxResults. */
export function parseListParams(raw: RawListParams, maxResults: number): ListParams {
  const cursor = raw.cursor === undefined ? undefined : stringParam('cursor', raw.cursor);
  if (cursor !== undefined && raw.startIndex !== undefined && raw.startIndex !== '') {
    throw ScimError.invalidValue('Use either "cursor" or "startIndex", not both (RFC 9865).');
  }
  const requestedCount = integerParam('count', raw.count);
  if (cursor !== undefined && requestedCount !== undefined && requestedCount < 1) {
    throw ScimError.invalidCount(`With a cursor, "count" must be between 1 and ${maxResults}.`);
  }
  const startIndex = Math.max(1, integerParam('startIndex', raw.startIndex) ?? 1);
  const count = Math.min(maxResults, Math.max(0, requestedCount ?? maxResults));
  const sortOrder = stringParam('sortOrder', raw.sortOrder);
  let order: ListParams['sortOrder'];
  if (sortOrder !== undefined) {
    const lower = sortOrder.toLowerCase();
    if (lower !== 'ascending' && lower !== 'descending') {
      throw ScimError.invalidValue(`Parameter "sortOrder" must be "ascending" or "descending", got ${JSON.stringify(sortOrder)}.`);
    }
    order = lower;
  }
  return {
    filter: stringParam('filter', raw.filter),
    startIndex,
    cursor,
    count,
    sortBy: stringParam('sortBy', raw.sortBy),
    sortOrder: order,
    attributes: stringParam('attributes', raw.attributes),
    excludedAttributes: stringParam('excludedAttributes', raw.excludedAttributes),
  };
}

export function listResponse<T>(resources: T[], totalResults: number, startIndex: number): ListResponse<T> & { totalResults: number } {
  return {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults,
    startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}
