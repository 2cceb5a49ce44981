// bulkId references (RFC 7644 §3.7.2): finding "bulkId:<id>" values in a bulk operation, and replacing them with ids.
import { ScimError } from '../errors.js';

export const BULK_ID_PREFIX = 'bulkId:';

/** SCIM data is a few levels deep; a deeper document is refused before any walk over it can exhaust the stack. */
export const MAX_DATA_DEPTH = 32;

/** The bulkId a value references, or undefined. The prefix is matched in any case ("bulkid:" from lenient clients). */
export function referencedBulkId(value: string): string | undefined {
  if (value.length <= BULK_ID_PREFIX.length || value.slice(0, BULK_ID_PREFIX.length).toLowerCase() !== 'bulkid:') return undefined;
  return value.slice(BULK_ID_PREFIX.length);
}

/** Adds every bulkId the data references to `into`, in order of appearance. Only whole string values count. */
export function collectReferences(data: unknown, into: Set<string>, depth = 0): void {
  if (depth > MAX_DATA_DEPTH) throw ScimError.invalidSyntax(`"data" is nested more than ${MAX_DATA_DEPTH} levels deep.`);
  if (typeof data === 'string') {
    const bulkId = referencedBulkId(data);
    if (bulkId !== undefined) into.add(bulkId);
  } else if (Array.isArray(data)) {
    for (const item of data) collectReferences(item, into, depth + 1);
  } else if (typeof data === 'object' && data !== null) {
    for (const value of Object.values(data)) collectReferences(value, into, depth + 1);
  }
}

const DROP = Symbol('drop');

export interface Resolved {
  readonly data: unknown;
  /** True when some reference had no id yet and was left out (the first pass over a circular reference, §3.7.1). */
  readonly dropped: boolean;
}

/**
 * Copies data with each "bulkId:<id>" replaced by the id `idOf` gives. A reference without an id yet is left out
 * with what it stands in: the whole `{"value": "bulkId:x", ...}` object (a group member, a manager), or the bare
 * string. Callers check beforehand that every reference they cannot leave out has an id.
 */
export function resolveReferences(data: unknown, idOf: (bulkId: string) => string | undefined): Resolved {
  let dropped = false;
  const unresolved = (value: unknown): boolean => {
    if (typeof value !== 'string') return false;
    const bulkId = referencedBulkId(value);
    return bulkId !== undefined && idOf(bulkId) === undefined;
  };
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const bulkId = referencedBulkId(value);
      if (bulkId === undefined) return value;
      const id = idOf(bulkId);
      if (id !== undefined) return id;
      dropped = true;
      return DROP;
    }
    if (Array.isArray(value)) {
      const items: unknown[] = [];
      for (const item of value) {
        const resolved = walk(item);
        if (resolved !== DROP) items.push(resolved);
      }
      return items;
    }
    if (typeof value === 'object' && value !== null) {
      const entries = Object.entries(value);
      if (entries.some(([key, v]) => key.toLowerCase() === 'value' && unresolved(v))) {
        dropped = true;
        return DROP;
      }
      const copy: Record<string, unknown> = {};
      for (const [key, v] of entries) {
        const resolved = walk(v);
        if (resolved === DROP) continue;
        // An own "__proto__" key (JSON.parse makes one) must stay a plain property, not become the copy's prototype.
        if (key === '__proto__') Object.defineProperty(copy, key, { value: resolved, enumerable: true, writable: true, configurable: true });
        else copy[key] = resolved;
      }
      return copy;
    }
    return value;
  };
  const resolved = walk(data);
  return { data: resolved === DROP ? undefined : resolved, dropped };
}
