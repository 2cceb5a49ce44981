// Chooses which attributes a response carries: `attributes`, `excludedAttributes` and the schema's `returned` rules (RFC 7644 §3.4.2.5, §3.9; RFC 7643 §2.2).
import { ScimError } from '../errors.js';
import { COMMON_ATTRIBUTES } from '../schema/common.js';
import { parsePath, type PatchPath } from '../filter/index.js';
import { findAttribute, resolveAttributePath, type AttributePathInput } from '../schema/resolve.js';
import type { AttributeDefinition, ResourceTypeDefinition, SchemaDefinition } from '../schema/types.js';

export interface ProjectionParams {
  readonly attributes?: string | undefined;
  readonly excludedAttributes?: string | undefined;
}

export interface Projection {
  /** Whether a top-level attribute can appear in the output: lets callers skip computing what is dropped anyway. */
  includes(schemaId: string, attributeName: string): boolean;
  apply(resource: Record<string, unknown>): Record<string, unknown>;
}

/** For each top-level attribute named in a parameter: the whole of it ('all') or some sub-attributes. */
type Selection = Map<string, 'all' | Set<string>>;

const MAX_ATTRIBUTE_LIST_LENGTH = 4096;

const key = (schemaId: string, name: string) => `${schemaId.toLowerCase()}|${name.toLowerCase()}`;

function parseEntry(entry: string): { uri?: string; name: string; subAttr?: string } {
  let uri: string | undefined;
  let rest = entry;
  if (/^urn:/i.test(entry)) {
    const colon = entry.lastIndexOf(':');
    uri = entry.slice(0, colon);
    rest = entry.slice(colon + 1);
  }
  const [name = '', subAttr, ...more] = rest.split('.');
  if (!/^\$?[A-Za-z][\w-]*$/.test(name) || (subAttr !== undefined && !/^\$?[A-Za-z][\w-]*$/.test(subAttr)) || more.length > 0) {
    throw ScimError.invalidValue(`"${entry}" is not an attribute path.`);
  }
  return { ...(uri ? { uri } : {}), name, ...(subAttr ? { subAttr } : {}) };
}

/**
 * `emails[type eq "work"]` and `emails[type eq "work"].value` in an attribute list: RFC 7644 §3.4.2.5 takes attribute
 * names only, but clients send value paths, and Microsoft's SCIM reference server reads them as the attribute they
 * filter (`emails`, `emails.value`), as Usher does. The filter is checked, then set aside: every element is returned.
 */
function parseValuePathEntry(entry: string): AttributePathInput {
  let path: PatchPath;
  try {
    path = parsePath(entry);
  } catch (error) {
    const detail = error instanceof ScimError ? `: ${error.detail}` : '';
    throw ScimError.invalidValue(`"${entry.length > 80 ? `${entry.slice(0, 80)}…` : entry}" is not an attribute path${detail}.`);
  }
  const subAttr = path.subAttr ?? path.attr.subAttr;
  return { ...(path.attr.uri === undefined ? {} : { uri: path.attr.uri }), name: path.attr.name, ...(subAttr === undefined ? {} : { subAttr }) };
}

/** Splits an attribute list at its commas, but not at those inside a value filter's brackets or quoted strings. */
function splitList(list: string): string[] {
  const entries: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < list.length; i++) {
    const ch = list[i];
    if (quoted) {
      if (ch === '\\') i++;
      else if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === '[') depth++;
    else if (ch === ']') depth = Math.max(0, depth - 1);
    else if (ch === ',' && depth === 0) {
      entries.push(list.slice(start, i));
      start = i + 1;
    }
  }
  entries.push(list.slice(start));
  return entries;
}

function parseSelection(resourceType: ResourceTypeDefinition, list: string | undefined): Selection | undefined {
  if (list === undefined) return undefined;
  if (list.length > MAX_ATTRIBUTE_LIST_LENGTH) {
    throw ScimError.invalidValue(`The attribute list is longer than ${MAX_ATTRIBUTE_LIST_LENGTH} characters.`);
  }
  const selection: Selection = new Map();
  const extensionIds = resourceType.schemaExtensions.map((e) => e.schema);
  for (const raw of splitList(list)) {
    const entry = raw.trim();
    if (entry === '') continue;
    const wholeExtension = extensionIds.find((schema) => schema.id.toLowerCase() === entry.toLowerCase());
    if (wholeExtension) {
      for (const attribute of wholeExtension.attributes) selection.set(key(wholeExtension.id, attribute.name), 'all');
      continue;
    }
    const resolved = resolveAttributePath(resourceType, entry.includes('[') ? parseValuePathEntry(entry) : parseEntry(entry));
    // Naming an attribute this server does not know selects nothing; it is not an error (RFC 7644 §3.4.2.5 is silent).
    if (!resolved) continue;
    const k = key(resolved.schema.id, resolved.attribute.name);
    if (!resolved.subAttribute) {
      selection.set(k, 'all');
      continue;
    }
    const current = selection.get(k);
    if (current === 'all') continue;
    const subs = current ?? new Set<string>();
    subs.add(resolved.subAttribute.name.toLowerCase());
    selection.set(k, subs);
  }
  return selection;
}

function pickSubAttributes(
  definition: AttributeDefinition,
  value: unknown,
  keep: (sub: AttributeDefinition) => boolean,
): unknown {
  const pick = (item: unknown) => {
    if (typeof item !== 'object' || item === null) return item;
    const out: Record<string, unknown> = {};
    for (const [name, subValue] of Object.entries(item)) {
      const sub = findAttribute(definition.subAttributes ?? [], name);
      if (!sub || keep(sub)) out[name] = subValue;
    }
    return out;
  };
  if (!definition.multiValued) {
    const picked = pick(value);
    return picked && typeof picked === 'object' && Object.keys(picked).length === 0 ? undefined : picked;
  }
  const items = (value as unknown[]).map(pick).filter((item) => !(typeof item === 'object' && item !== null && Object.keys(item).length === 0));
  return items.length > 0 ? items : undefined;
}

export function compileProjection(resourceType: ResourceTypeDefinition, params: ProjectionParams = {}): Projection {
  const requested = parseSelection(resourceType, params.attributes);
  // RFC 7644 §3.9: when both are given, `attributes` wins.
  const excluded = requested ? undefined : parseSelection(resourceType, params.excludedAttributes);

  const defaultSubKeep = (sub: AttributeDefinition) => sub.returned !== 'never' && sub.returned !== 'request';

  /** The value to output for one top-level attribute, or undefined to drop it. */
  function project(schemaId: string, definition: AttributeDefinition, value: unknown): unknown {
    if (definition.returned === 'never') return undefined;
    if (definition.returned === 'always') return value;
    const k = key(schemaId, definition.name);
    if (requested) {
      const picked = requested.get(k);
      if (picked === undefined) return undefined;
      if (picked === 'all' || definition.type !== 'complex') return value;
      return pickSubAttributes(definition, value, (sub) => sub.returned === 'always' || picked.has(sub.name.toLowerCase()));
    }
    if (definition.returned === 'request') return undefined;
    const dropped = excluded?.get(k);
    if (dropped === 'all') return undefined;
    if (dropped && definition.type === 'complex') {
      return pickSubAttributes(definition, value, (sub) => sub.returned === 'always' || (defaultSubKeep(sub) && !dropped.has(sub.name.toLowerCase())));
    }
    return value;
  }

  function projectAttributes(
    schemaId: string,
    definitions: readonly AttributeDefinition[],
    input: Record<string, unknown>,
  ): Record<string, unknown> {
    const output: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(input)) {
      const definition = findAttribute(definitions, name);
      const projected = definition ? project(schemaId, definition, value) : value;
      if (projected !== undefined) output[name] = projected;
    }
    return output;
  }

  const coreDefinitions = [...COMMON_ATTRIBUTES, ...resourceType.schema.attributes];
  const extensionById = new Map<string, SchemaDefinition>(
    resourceType.schemaExtensions.map((e) => [e.schema.id.toLowerCase(), e.schema]),
  );

  return {
    includes(schemaId, attributeName) {
      const schema =
        schemaId.toLowerCase() === resourceType.schema.id.toLowerCase() ? resourceType.schema : extensionById.get(schemaId.toLowerCase());
      const definitions = schema === resourceType.schema ? coreDefinitions : schema?.attributes ?? [];
      const definition = findAttribute(definitions, attributeName);
      if (!definition || definition.returned === 'never') return false;
      if (definition.returned === 'always') return true;
      const k = key(schemaId, definition.name);
      if (requested) return requested.has(k);
      if (definition.returned === 'request') return false;
      return excluded?.get(k) !== 'all';
    },
    apply: requested || excluded ? applySelection : defaultsOf(resourceType),
  };

  function applySelection(resource: Record<string, unknown>): Record<string, unknown> {
    const output: Record<string, unknown> = {};
    const presentExtensions: string[] = [];
    for (const [name, value] of Object.entries(resource)) {
      if (name === 'schemas') continue;
      const extension = extensionById.get(name.toLowerCase());
      if (extension) {
        const projected = projectAttributes(extension.id, extension.attributes, value as Record<string, unknown>);
        if (Object.keys(projected).length > 0) {
          output[name] = projected;
          presentExtensions.push(extension.id);
        }
        continue;
      }
      const definition = findAttribute(coreDefinitions, name);
      const projected = definition ? project(resourceType.schema.id, definition, value) : value;
      if (projected !== undefined) output[name] = projected;
    }
    // `schemas` names the core schema and each extension that still has attributes in the output.
    return { schemas: [resourceType.schema.id, ...presentExtensions], ...output };
  }
}

/** The default projection's apply of each resource type, made on first use: a memo of constant schema data. */
const defaults = new WeakMap<ResourceTypeDefinition, Projection['apply']>();

function defaultsOf(resourceType: ResourceTypeDefinition): Projection['apply'] {
  let apply = defaults.get(resourceType);
  if (!apply) defaults.set(resourceType, (apply = defaultsOnly([...COMMON_ATTRIBUTES, ...resourceType.schema.attributes], resourceType)));
  return apply;
}

/**
 * applySelection without attributes or excludedAttributes (most requests): only the `returned` rules apply, so
 * what goes is known per attribute name, once, rather than looked up for each key of each resource.
 */
function defaultsOnly(coreDefinitions: readonly AttributeDefinition[], resourceType: ResourceTypeDefinition): Projection['apply'] {
  const dropped = (definitions: readonly AttributeDefinition[]) =>
    new Set(definitions.filter((d) => d.returned === 'never' || d.returned === 'request').map((d) => d.name.toLowerCase()));
  const droppedCore = dropped(coreDefinitions);
  const extensions = new Map(resourceType.schemaExtensions.map((e) => [e.schema.id.toLowerCase(), { id: e.schema.id, dropped: dropped(e.schema.attributes) }]));
  return (resource) => {
    const output: Record<string, unknown> = {};
    const presentExtensions: string[] = [];
    for (const name of Object.keys(resource)) {
      if (name === 'schemas') continue;
      const value = resource[name];
      const lower = name.toLowerCase();
      const extension = extensions.get(lower);
      if (extension) {
        const projected: Record<string, unknown> = {};
        let kept = false;
        for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
          if (item === undefined || extension.dropped.has(key.toLowerCase())) continue;
          projected[key] = item;
          kept = true;
        }
        if (kept) {
          output[name] = projected;
          presentExtensions.push(extension.id);
        }
        continue;
      }
      if (value !== undefined && !droppedCore.has(lower)) output[name] = value;
    }
    return { schemas: [resourceType.schema.id, ...presentExtensions], ...output };
  };
}
