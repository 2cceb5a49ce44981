// Puts a resource's attributes in the order its schema lists them (JSONB storage forgets the order clients sent).
import { findAttribute } from '../schema/resolve.js';
import type { AttributeDefinition } from '../schema/types.js';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * inSchemaOrder for one list of definitions, worked out once: what it does per resource rendered is then only the
 * copying (no search of the definitions for each key).
 */
export function compileSchemaOrder(definitions: readonly AttributeDefinition[]): (data: Record<string, unknown>) => Record<string, unknown> {
  const steps = definitions.map((definition) => ({
    name: definition.name,
    sub: definition.subAttributes ? compileSchemaOrder(definition.subAttributes) : undefined,
  }));
  const known = new Set(definitions.map((definition) => definition.name.toLowerCase()));
  return (data) => {
    const output: Record<string, unknown> = {};
    for (const { name, sub } of steps) {
      if (!(name in data)) continue;
      const value = data[name];
      if (sub && Array.isArray(value)) output[name] = value.map((item) => (isObject(item) ? sub(item) : item));
      else if (sub && isObject(value)) output[name] = sub(value);
      else output[name] = value;
    }
    for (const name of Object.keys(data)) {
      if (!(name in output) && !known.has(name.toLowerCase())) output[name] = data[name];
    }
    return output;
  };
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
