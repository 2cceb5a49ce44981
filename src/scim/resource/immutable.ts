// Refuses a replacement that changes an immutable attribute (RFC 7643 §2.2 "immutable", RFC 7644 §3.5.1).
import { ScimError } from '../errors.js';
import { sameJson } from './normalize.js';
import type { AttributeDefinition } from '../schema/types.js';

/** Top-level immutable attributes may be set once; after that a replacement must carry the same value or none. */
export function checkImmutable(
  definitions: readonly AttributeDefinition[],
  current: Record<string, unknown>,
  next: Record<string, unknown>,
): void {
  for (const definition of definitions) {
    if (definition.mutability !== 'immutable') continue;
    const before = current[definition.name];
    const after = next[definition.name];
    if (before !== undefined && after !== undefined && !sameJson(before, after)) {
      throw ScimError.mutability(`Attribute '${definition.name}' is immutable and cannot be changed.`);
    }
  }
}
