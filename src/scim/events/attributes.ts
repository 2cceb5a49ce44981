// The attribute names a notice event lists (RFC 9967 §2.2 `attributes`): paths in the syntax of RFC 7644 §3.5.2
// (`attrPath`: `userName`, `name.familyName`, `urn:...:enterprise:2.0:User:manager`).
import { sameJson, type ResourceData } from '../resource/normalize.js';
import { COMMON_ATTRIBUTES } from '../schema/common.js';
import { findAttribute } from '../schema/resolve.js';
import type { AttributeDefinition, ResourceTypeDefinition } from '../schema/types.js';

export interface AttributeNameOptions {
  /** A password was set. Documents never hold one, so only the caller can tell; it is named, never valued. */
  readonly password?: boolean;
  /** The group's members changed (they live in their own table, not in the document). */
  readonly members?: boolean;
  /** The user's effective `active` changed where the document did not say so (a lockout ended by an unlock). */
  readonly active?: boolean;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Whether a client sets the attribute: readOnly ones are the server's (id, meta, groups, the account extension's
 * sign-in state) and change with no client's doing; a notice of them would be noise on every sign-in.
 */
function clientSet(definition: AttributeDefinition): boolean {
  return definition.mutability !== 'readOnly';
}

/**
 * A singular complex attribute that is no reference (`name`, not `manager`) is named by the sub-attributes that
 * changed, as RFC 9967 §2.2's own example does (`name.familyName`); anything else by its own name.
 */
function namesOf(out: string[], path: string, definition: AttributeDefinition, before: unknown, after: unknown): void {
  if (sameJson(before, after)) return;
  const subs = definition.subAttributes ?? [];
  if (definition.type !== 'complex' || definition.multiValued || findAttribute(subs, 'value') || !isObject(before) || !isObject(after)) {
    out.push(path);
    return;
  }
  for (const sub of subs) if (!sameJson(before[sub.name], after[sub.name])) out.push(`${path}.${sub.name}`);
  const known = new Set(subs.map((sub) => sub.name.toLowerCase()));
  const unknown = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((key) => !known.has(key.toLowerCase()));
  for (const key of unknown.sort()) if (!sameJson(before[key], after[key])) out.push(`${path}.${key}`);
}

function schemaNames(
  out: string[],
  prefix: string,
  definitions: readonly AttributeDefinition[],
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  options: AttributeNameOptions,
): void {
  for (const definition of definitions) {
    if (definition.name === 'password') {
      if (options.password) out.push(`${prefix}password`);
      continue;
    }
    if (definition.name === 'members' && options.members) {
      out.push(`${prefix}members`);
      continue;
    }
    if (definition.name === 'active' && options.active && sameJson(before.active, after.active)) {
      out.push(`${prefix}active`);
      continue;
    }
    if (!clientSet(definition)) continue;
    namesOf(out, `${prefix}${definition.name}`, definition, before[definition.name], after[definition.name]);
  }
}

/**
 * The attributes that differ between two canonical documents of `resourceType` (core attributes at the top, each
 * extension's under its schema URN, as normalizeResource makes them), in schema order; keys no definition covers
 * come last, by name. Order of multi-valued elements counts: a receiver replicating them sees it.
 */
export function changedAttributeNames(resourceType: ResourceTypeDefinition, before: ResourceData, after: ResourceData, options: AttributeNameOptions = {}): string[] {
  const out: string[] = [];
  schemaNames(out, '', [...COMMON_ATTRIBUTES, ...resourceType.schema.attributes], before, after, options);
  for (const { schema } of resourceType.schemaExtensions) {
    const oldExtension = before[schema.id];
    const newExtension = after[schema.id];
    if (sameJson(oldExtension, newExtension)) continue;
    schemaNames(out, `${schema.id}:`, schema.attributes, isObject(oldExtension) ? oldExtension : {}, isObject(newExtension) ? newExtension : {}, {});
  }
  const known = new Set(
    ['schemas', ...COMMON_ATTRIBUTES.map((a) => a.name), ...resourceType.schema.attributes.map((a) => a.name), ...resourceType.schemaExtensions.map((e) => e.schema.id)].map(
      (name) => name.toLowerCase(),
    ),
  );
  const unknown = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((key) => !known.has(key.toLowerCase())).sort();
  for (const key of unknown) if (!sameJson(before[key], after[key])) out.push(key);
  return out;
}

/**
 * What a new resource was created with (RFC 9967 Figure 5 lists `id` and each attribute given, `password`
 * included): `id`, then each attribute the document holds, by the same names as changedAttributeNames.
 */
export function createdAttributeNames(resourceType: ResourceTypeDefinition, data: ResourceData, options: AttributeNameOptions = {}): string[] {
  return ['id', ...changedAttributeNames(resourceType, {}, data, options)];
}
