// Lists what changed between two canonical documents of a resource (RFC 7643 §2-§4 attribute model), one readable row per attribute, for the history.
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeHexLowerCase } from '@oslojs/encoding';
import { sameJson, type ResourceData } from '../resource/normalize.js';
import { COMMON_ATTRIBUTES } from '../schema/common.js';
import { findAttribute } from '../schema/resolve.js';
import type { AttributeDefinition, ResourceTypeDefinition, SchemaDefinition } from '../schema/types.js';

/**
 * One changed attribute. `attribute` is a path a person can read and a filter can mostly use:
 * - simple and singular complex sub-attributes by their path: `displayName`, `name.givenName`, `active`, `externalId`;
 * - a singular complex attribute that refers to something (it has a `value`, as `manager` does) as one row, shown
 *   by its display name;
 * - extension attributes by their bare name (`department`, `manager`), which is also how a filter may name them
 *   (RFC 7644 §3.10 lets clients leave the URN out when the name is unambiguous); a name that the core schema or
 *   another extension also uses gets the extension's schema name in front: `EnterpriseUser:organization`;
 * - multi-valued complex attributes per `type`: `emails[work]`, `phoneNumbers[mobile]`, with the elements that
 *   have no type under the bare name (`roles`); several elements of one type are joined with "; ";
 * - multi-valued simple attributes as the whole list, joined with "; ".
 * Lists are compared as sets: reordering alone is no change, and the joined values are sorted.
 */
export interface AttributeChange {
  readonly event: 'attributeChanged' | 'passwordChanged';
  readonly attribute: string;
  readonly oldValue: string | null;
  readonly newValue: string | null;
}

export interface DiffOptions {
  /** A password was set by this change. Documents never hold passwords, so only the caller can tell. */
  readonly passwordChanged?: boolean;
}

/** Longer values are cut, so one huge attribute cannot bloat the history. */
export const MAX_VALUE_LENGTH = 1000;

const LIST_SEPARATOR = '; ';
const ADDRESS_PARTS = ['streetAddress', 'locality', 'region', 'postalCode', 'country'];

/**
 * Attributes whose changes are events of their own: a group's members are recorded as memberAdded and
 * memberRemoved by whoever changes them (they are not kept in the document anyway).
 */
const OWN_EVENTS = new Set(['urn:ietf:params:scim:schemas:core:2.0:group|members']);

type Out = AttributeChange[];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Code-point order: the same on every machine, whatever its locale.
function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function clip(text: string | null): string | null {
  if (text === null || text.length <= MAX_VALUE_LENGTH) return text;
  return `${[...text].slice(0, MAX_VALUE_LENGTH - 1).join('')}…`;
}

function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

/** Any JSON value as text, for what no definition describes. */
function genericText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(genericText).sort(byCodePoint).join(LIST_SEPARATOR);
  if (isObject(value)) {
    return Object.keys(value)
      .sort(byCodePoint)
      .map((key) => `${key}: ${genericText(value[key])}`)
      .join(', ');
  }
  return String(value);
}

/** A simple value as text; binary values (certificates) by a short fingerprint rather than pages of base64. */
function scalarText(definition: AttributeDefinition | undefined, value: unknown): string {
  if (definition?.type === 'binary' && typeof value === 'string') {
    return `binary, SHA-256 ${encodeHexLowerCase(sha256(new TextEncoder().encode(value))).slice(0, 16)}`;
  }
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return genericText(value);
}

/** Every sub-attribute of an element, `name: value`, for telling apart elements whose short texts agree. */
function longText(definition: AttributeDefinition, item: unknown): string {
  if (!isObject(item)) return scalarText(definition, item);
  const subs = definition.subAttributes ?? [];
  const known = subs
    .filter((sub) => sub.name !== '$ref' && sub.returned !== 'never' && item[sub.name] !== undefined)
    .map((sub) => `${sub.name}: ${scalarText(sub, item[sub.name])}`);
  const unknown = Object.keys(item)
    .filter((key) => !findAttribute(subs, key))
    .sort(byCodePoint)
    .map((key) => `${key}: ${genericText(item[key])}`);
  return [...known, ...unknown].join(', ');
}

/** What a person calls an element: its display name or value, an address's lines; "(primary)" when it is. */
function shortText(definition: AttributeDefinition, item: unknown): string {
  if (!isObject(item)) return scalarText(definition, item);
  const subs = definition.subAttributes ?? [];
  const valueDefinition = findAttribute(subs, 'value');
  let main: string;
  if (valueDefinition) {
    const display = [item.displayName, item.display].find(nonEmpty);
    main = display ?? (item.value === undefined ? longText(definition, item) : scalarText(valueDefinition, item.value));
  } else if (nonEmpty(item.formatted)) {
    main = item.formatted;
  } else {
    const parts = ADDRESS_PARTS.map((part) => item[part]).filter(nonEmpty);
    main = parts.length > 0 ? parts.join(', ') : longText(definition, item);
  }
  return item.primary === true ? `${main} (primary)` : main;
}

function listText(items: readonly unknown[], text: (item: unknown) => string): string | null {
  return items.length === 0 ? null : items.map(text).sort(byCodePoint).join(LIST_SEPARATOR);
}

/** Old and new text of some elements: short where that tells them apart, every sub-attribute where it does not. */
function pushElements(out: Out, attribute: string, definition: AttributeDefinition, before: readonly unknown[], after: readonly unknown[]): void {
  let oldValue = listText(before, (item) => shortText(definition, item));
  let newValue = listText(after, (item) => shortText(definition, item));
  if (oldValue === newValue) {
    oldValue = listText(before, (item) => longText(definition, item));
    newValue = listText(after, (item) => longText(definition, item));
  }
  // Still the same: only the order changed.
  if (oldValue === newValue) return;
  out.push({ event: 'attributeChanged', attribute, oldValue: clip(oldValue), newValue: clip(newValue) });
}

function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** The element's type in lower case; '' for an element without one. */
function typeKey(item: unknown): string {
  return isObject(item) && nonEmpty(item.type) ? item.type.toLowerCase() : '';
}

function diffMultiValued(out: Out, path: string, definition: AttributeDefinition, before: unknown, after: unknown): void {
  const oldItems = asList(before);
  const newItems = asList(after);
  if (definition.type !== 'complex' || !findAttribute(definition.subAttributes ?? [], 'type')) {
    pushElements(out, path, definition, oldItems, newItems);
    return;
  }
  // Untyped elements first (under the bare name), then one row per type in alphabetical order.
  const types = [...new Set([...oldItems, ...newItems].map(typeKey))].sort(byCodePoint);
  for (const type of types) {
    const attribute = type === '' ? path : `${path}[${type}]`;
    pushElements(out, attribute, definition, oldItems.filter((item) => typeKey(item) === type), newItems.filter((item) => typeKey(item) === type));
  }
}

function diffAttribute(out: Out, path: string, definition: AttributeDefinition, before: unknown, after: unknown): void {
  // Secrets (password) are never shown; see DiffOptions.passwordChanged.
  if (definition.returned === 'never' || definition.mutability === 'writeOnly') return;
  if (sameJson(before, after)) return;
  if (definition.multiValued) {
    diffMultiValued(out, path, definition, before, after);
    return;
  }
  if (definition.type !== 'complex') {
    const oldValue = before === undefined ? null : scalarText(definition, before);
    const newValue = after === undefined ? null : scalarText(definition, after);
    if (oldValue !== newValue) out.push({ event: 'attributeChanged', attribute: path, oldValue: clip(oldValue), newValue: clip(newValue) });
    return;
  }
  const subs = definition.subAttributes ?? [];
  if (findAttribute(subs, 'value')) {
    // A reference (manager): one row, by display name.
    pushElements(out, path, definition, asList(before), asList(after));
    return;
  }
  const oldObject = isObject(before) ? before : {};
  const newObject = isObject(after) ? after : {};
  for (const sub of subs) diffAttribute(out, `${path}.${sub.name}`, sub, oldObject[sub.name], newObject[sub.name]);
}

/** Top-level attributes of one schema; readOnly ones are the server's, recorded by events of their own (locked, lockedOut). */
function diffSchema(
  out: Out,
  schemaId: string,
  definitions: readonly AttributeDefinition[],
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  nameOf: (definition: AttributeDefinition) => string,
  password: () => void,
): void {
  for (const definition of definitions) {
    if (definition.name === 'password') password();
    if (definition.mutability === 'readOnly') continue;
    if (OWN_EVENTS.has(`${schemaId.toLowerCase()}|${definition.name.toLowerCase()}`)) continue;
    diffAttribute(out, nameOf(definition), definition, before[definition.name], after[definition.name]);
  }
}

/** How extension attributes are named: bare when unambiguous, `SchemaName:attribute` otherwise. */
function extensionNamer(resourceType: ResourceTypeDefinition): (schema: SchemaDefinition, definition: AttributeDefinition) => string {
  const core = new Set([...COMMON_ATTRIBUTES, ...resourceType.schema.attributes].map((a) => a.name.toLowerCase()));
  const uses = new Map<string, number>();
  for (const { schema } of resourceType.schemaExtensions) {
    for (const a of schema.attributes) uses.set(a.name.toLowerCase(), (uses.get(a.name.toLowerCase()) ?? 0) + 1);
  }
  return (schema, definition) => {
    const lower = definition.name.toLowerCase();
    return core.has(lower) || (uses.get(lower) ?? 0) > 1 ? `${schema.name}:${definition.name}` : definition.name;
  };
}

/** Keys no definition covers (an extension this resource type does not list): compared as plain JSON. */
function diffUnknown(out: Out, known: Set<string>, before: ResourceData, after: ResourceData): void {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((key) => !known.has(key.toLowerCase())).sort(byCodePoint);
  for (const key of keys) {
    const oldValue = before[key];
    const newValue = after[key];
    if (sameJson(oldValue, newValue)) continue;
    if (/^urn:/i.test(key) && (isObject(oldValue) || isObject(newValue))) {
      diffUnknown(out, new Set(), isObject(oldValue) ? oldValue : {}, isObject(newValue) ? newValue : {});
      continue;
    }
    const oldText = oldValue === undefined ? null : genericText(oldValue);
    const newText = newValue === undefined ? null : genericText(newValue);
    if (oldText !== newText) out.push({ event: 'attributeChanged', attribute: key, oldValue: clip(oldText), newValue: clip(newText) });
  }
}

/**
 * The changes from `before` to `after`, two canonical documents of `resourceType` as stored (core attributes
 * at the top, each extension's under its schema URN; see normalizeResource). Rows come in schema order: common
 * attributes, the core schema's, then each extension's; a set password appears where the schema lists
 * `password`, as `{attribute: 'password', oldValue: null, newValue: null}` with the event passwordChanged.
 */
export function diffResource(
  resourceType: ResourceTypeDefinition,
  before: ResourceData,
  after: ResourceData,
  options: DiffOptions = {},
): AttributeChange[] {
  const out: Out = [];
  let passwordShown = false;
  const password = () => {
    if (options.passwordChanged && !passwordShown) {
      out.push({ event: 'passwordChanged', attribute: 'password', oldValue: null, newValue: null });
    }
    passwordShown = true;
  };
  const coreId = resourceType.schema.id;
  diffSchema(out, coreId, [...COMMON_ATTRIBUTES, ...resourceType.schema.attributes], before, after, (d) => d.name, password);
  if (!passwordShown) password();

  const nameOf = extensionNamer(resourceType);
  for (const { schema } of resourceType.schemaExtensions) {
    const oldExtension = before[schema.id];
    const newExtension = after[schema.id];
    if (sameJson(oldExtension, newExtension)) continue;
    diffSchema(
      out,
      schema.id,
      schema.attributes,
      isObject(oldExtension) ? oldExtension : {},
      isObject(newExtension) ? newExtension : {},
      (definition) => nameOf(schema, definition),
      () => {},
    );
  }

  const known = new Set(
    ['schemas', ...COMMON_ATTRIBUTES.map((a) => a.name), ...resourceType.schema.attributes.map((a) => a.name), ...resourceType.schemaExtensions.map((e) => e.schema.id)].map(
      (name) => name.toLowerCase(),
    ),
  );
  diffUnknown(out, known, before, after);
  return out;
}
