// Puts a resource's attributes in the order its schema lists them (JSONB storage forgets the order clients sent).
import { findAttribute } from '../schema/resolve.js';
import type { AttributeDefinition } from '../schema/types.js';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Copies `data` with its keys in definition order, recursing into complex values; unknown keys keep their place at the end. */
export function inSchemaOrder(definitions: readonly AttributeDefinition[], data: Record<string, unknown>): Record<string, unknown> {
  const output: Record<string, unknown> = {};
  for (const definition of definitions) {
    if (!(definition.name in data)) continue;
    const value = data[definition.name];
    const sub = definition.subAttributes;
    if (sub && Array.isArray(value)) output[definition.name] = value.map((item) => (isObject(item) ? inSchemaOrder(sub, item) : item));
    else if (sub && isObject(value)) output[definition.name] = inSchemaOrder(sub, value);
    else output[definition.name] = value;
  }
  for (const [name, value] of Object.entries(data)) {
    if (!(name in output) && !findAttribute(definitions, name)) output[name] = value;
  }
  return output;
}
