// Applies PATCH operations (RFC 7644 §3.5.2.1-§3.5.2.3) to a resource's attributes, in memory and all or nothing.
import { ScimError } from '../errors.js';
import type { Filter, PatchPath } from '../filter/ast.js';
import { elementFromEqualities, matchesElement } from '../filter/evaluate.js';
import { parsePath } from '../filter/parser.js';
import { printPath } from '../filter/print.js';
import { normalizeAttributeValue, sameJson, type ResourceData } from '../resource/normalize.js';
import { findAttribute, resolveAttributePath } from '../schema/resolve.js';
import type { AttributeDefinition, ResourceTypeDefinition, SchemaDefinition } from '../schema/types.js';
import { inOperation, type PatchOpName, type PatchOperation } from './parse.js';

/** A change to an attribute the caller keeps outside the document (a group's members live in their own table). */
export interface ExternalChange {
  readonly index: number;
  readonly op: PatchOpName;
  readonly attribute: string;
  readonly filter: Filter | undefined;
  readonly subAttr: string | undefined;
  /** The normalised value: a list for the whole attribute, undefined for a remove without one. */
  readonly value: unknown;
}

export interface PatchOutcome {
  readonly data: ResourceData;
  readonly external: ExternalChange[];
}

export interface PatchOptions {
  /** Core attributes whose changes are returned as ExternalChanges instead of applied. */
  readonly external?: readonly string[];
}

interface Target {
  readonly schema: SchemaDefinition;
  readonly inExtension: boolean;
  readonly attribute: AttributeDefinition;
  /** attr.sub, or the sub-attribute after a value filter: attr[filter].sub. */
  readonly sub: AttributeDefinition | undefined;
  readonly filter: Filter | undefined;
  readonly printed: string;
}

type Element = Record<string, unknown>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function applyPatch(
  resourceType: ResourceTypeDefinition,
  current: ResourceData,
  operations: readonly PatchOperation[],
  options: PatchOptions = {},
): PatchOutcome {
  const data = structuredClone(current);
  const external: ExternalChange[] = [];
  const externalNames = new Set((options.external ?? []).map((name) => name.toLowerCase()));
  const extensions = resourceType.schemaExtensions.map((e) => e.schema);

  function extensionById(id: string): SchemaDefinition | undefined {
    return extensions.find((schema) => schema.id.toLowerCase() === id.toLowerCase());
  }

  function resolveTarget(path: PatchPath, printed: string): Target | undefined {
    const resolved = resolveAttributePath(resourceType, path.attr);
    if (!resolved) return undefined;
    const inExtension = !resolved.common && resolved.schema !== resourceType.schema;
    if (path.filter) {
      if (!resolved.attribute.multiValued || resolved.subAttribute) {
        throw ScimError.invalidPath(`"${printed}": a value filter needs a multi-valued attribute.`);
      }
      let sub: AttributeDefinition | undefined;
      if (path.subAttr) {
        sub = findAttribute(resolved.attribute.subAttributes ?? [], path.subAttr);
        if (!sub) throw ScimError.invalidPath(`"${printed}": "${resolved.attribute.name}" has no sub-attribute "${path.subAttr}".`);
      }
      return { schema: resolved.schema, inExtension, attribute: resolved.attribute, sub, filter: path.filter, printed };
    }
    return { schema: resolved.schema, inExtension, attribute: resolved.attribute, sub: resolved.subAttribute, filter: undefined, printed };
  }

  function container(target: Target, create: boolean): Record<string, unknown> | undefined {
    if (!target.inExtension) return data;
    const existing = data[target.schema.id];
    if (isObject(existing)) return existing;
    if (!create) return undefined;
    const fresh: Record<string, unknown> = {};
    data[target.schema.id] = fresh;
    return fresh;
  }

  function dropEmptyExtension(target: Target): void {
    if (target.inExtension && isObject(data[target.schema.id]) && Object.keys(data[target.schema.id] as object).length === 0) {
      delete data[target.schema.id];
    }
  }

  /** Microsoft Entra ID sends a reference such as manager as a bare id; it means { value: id }. */
  function asComplex(definition: AttributeDefinition, value: unknown): unknown {
    if (definition.type === 'complex' && !definition.multiValued && typeof value === 'string' && findAttribute(definition.subAttributes ?? [], 'value')) {
      return { value };
    }
    return value;
  }

  function checkWritable(target: Target, op: PatchOpName): void {
    const leaf = target.sub ?? target.attribute;
    if (target.attribute.mutability === 'readOnly' || leaf.mutability === 'readOnly') {
      throw ScimError.mutability(`"${target.printed}" is read-only.`);
    }
    if (op === 'remove' && !target.sub && !target.filter && target.attribute.required) {
      throw ScimError.mutability(`"${target.printed}" is required and cannot be removed.`);
    }
    if (leaf.mutability === 'immutable' && op !== 'add') {
      const value = container(target, false)?.[target.attribute.name];
      if (value !== undefined) throw ScimError.mutability(`"${target.printed}" is immutable.`);
    }
  }

  /** After a change to a multi-valued complex attribute: at most one primary, the one this operation set. */
  function onePrimary(definition: AttributeDefinition, items: Element[], touched: Set<Element>): void {
    if (!findAttribute(definition.subAttributes ?? [], 'primary')) return;
    const primaries = items.filter((item) => item.primary === true);
    if (primaries.length <= 1) return;
    const keep = [...primaries].reverse().find((item) => touched.has(item)) ?? primaries[primaries.length - 1];
    for (const item of primaries) if (item !== keep) item.primary = false;
  }

  function setList(holder: Record<string, unknown>, definition: AttributeDefinition, items: unknown[]): void {
    if (items.length === 0) delete holder[definition.name];
    else holder[definition.name] = items;
  }

  /** The elements a remove with a value list names: Entra removes members as {"path":"members","value":[{"value":id}]}. */
  function removeListed(definition: AttributeDefinition, items: unknown[], listed: unknown): unknown[] {
    const wanted = (Array.isArray(listed) ? listed : [listed]).filter((v) => v !== null && v !== undefined);
    const valueDefinition = findAttribute(definition.subAttributes ?? [], 'value');
    // Undefined for an element without a value: a listed one then names nothing (JSON.stringify(undefined) is no text).
    const key = (item: unknown): string | undefined => {
      if (valueDefinition && isObject(item)) {
        const v = item[valueDefinition.name] ?? item.value;
        if (v === undefined) return undefined;
        const text = typeof v === 'string' ? v : JSON.stringify(v);
        return valueDefinition.caseExact ? text : text.toLowerCase();
      }
      return JSON.stringify(item);
    };
    const remove = new Set(wanted.map(key).filter((k): k is string => k !== undefined));
    return items.filter((item) => {
      const k = key(item);
      return k === undefined || !remove.has(k);
    });
  }

  function apply(target: Target, op: PatchOpName, rawValue: unknown, hasValue: boolean): void {
    const definition = target.attribute;
    const value = rawValue === null ? undefined : rawValue;
    // add or replace with null is "make it unassigned" (RFC 7643 §2.5).
    if (op !== 'remove' && value === undefined) {
      if (op === 'add') return;
      return apply(target, 'remove', undefined, false);
    }
    const holder = container(target, op !== 'remove');
    if (!holder) return;
    const current = holder[definition.name];

    if (target.filter) {
      const items = (Array.isArray(current) ? current : []) as Element[];
      const matches = items.filter((item) => matchesElement(definition, item, target.filter!));
      if (op === 'remove') {
        if (target.sub) for (const item of matches) delete item[target.sub.name];
        else setList(holder, definition, items.filter((item) => !matches.includes(item)));
        dropEmptyExtension(target);
        return;
      }
      const touched = new Set<Element>();
      if (matches.length === 0) {
        // Entra adds a work email as `Add emails[type eq "work"].value`: when the filter only states equalities,
        // the element it describes is unambiguous, so it is created.
        // RFC 7644 §3.5.2.3: a replace whose filter matches nothing fails with noTarget. An add of a sub-attribute
        // creates the element its equality filter describes (Entra's `Add emails[type eq "work"].value`).
        const seed = op === 'add' && target.sub ? elementFromEqualities(definition, target.filter) : undefined;
        if (!seed || !target.sub) throw ScimError.noTarget(`No value of "${definition.name}" matches the filter in "${target.printed}".`);
        const element = { ...seed, [target.sub.name]: normalizeAttributeValue(target.sub, asComplex(target.sub, value), target.printed) };
        const normalized = normalizeAttributeValue({ ...definition, multiValued: false }, element, target.printed) as Element;
        items.push(normalized);
        touched.add(normalized);
      } else if (target.sub) {
        const v = normalizeAttributeValue(target.sub, asComplex(target.sub, value), target.printed);
        for (const item of matches) {
          item[target.sub.name] = v;
          touched.add(item);
        }
      } else {
        const v = normalizeAttributeValue({ ...definition, multiValued: false }, value, target.printed) as Element;
        for (const item of matches) {
          const next = op === 'add' ? { ...item, ...v } : { ...v };
          items[items.indexOf(item)] = next;
          touched.add(next);
        }
      }
      onePrimary(definition, items, touched);
      setList(holder, definition, items);
      return;
    }

    if (target.sub) {
      if (definition.multiValued) {
        const items = (Array.isArray(current) ? current : []) as Element[];
        if (op === 'remove') {
          for (const item of items) delete item[target.sub.name];
          setList(holder, definition, items.filter((item) => Object.keys(item).length > 0));
        } else {
          if (items.length === 0) throw ScimError.noTarget(`"${definition.name}" has no values to set "${target.sub.name}" on.`);
          const v = normalizeAttributeValue(target.sub, value, target.printed);
          for (const item of items) item[target.sub.name] = v;
          onePrimary(definition, items, new Set(items));
        }
        dropEmptyExtension(target);
        return;
      }
      const object = isObject(current) ? current : {};
      if (op === 'remove') delete object[target.sub.name];
      else object[target.sub.name] = normalizeAttributeValue(target.sub, asComplex(target.sub, value), target.printed);
      if (Object.keys(object).length > 0) holder[definition.name] = object;
      else delete holder[definition.name];
      dropEmptyExtension(target);
      return;
    }

    if (op === 'remove') {
      if (definition.multiValued && hasValue && value !== undefined && Array.isArray(current)) {
        setList(holder, definition, removeListed(definition, current, value));
      } else {
        delete holder[definition.name];
      }
      dropEmptyExtension(target);
      return;
    }

    const v = normalizeAttributeValue(definition, asComplex(definition, value), target.printed);
    if (v === undefined) return;
    if (definition.multiValued) {
      const incoming = v as unknown[];
      if (op === 'replace' || !Array.isArray(current)) {
        const items = [...incoming];
        onePrimary(definition, items as Element[], new Set(items as Element[]));
        setList(holder, definition, items);
        return;
      }
      // add merges: a value already present is not added twice (RFC 7644 §3.5.2.1).
      const items = [...current];
      const touched = new Set<Element>();
      for (const item of incoming) {
        if (items.some((existing) => sameJson(existing, item))) continue;
        items.push(item);
        touched.add(item as Element);
      }
      onePrimary(definition, items as Element[], touched);
      setList(holder, definition, items);
      return;
    }
    if (definition.type === 'complex' && isObject(current)) {
      // Sub-attributes the value leaves out keep their values, for add and replace alike (RFC 7644 §3.5.2.3).
      holder[definition.name] = { ...current, ...(v as Element) };
      return;
    }
    holder[definition.name] = v;
  }

  function route(target: Target, operation: PatchOperation, value: unknown, hasValue: boolean, strict: boolean): void {
    if (!target.inExtension && externalNames.has(target.attribute.name.toLowerCase())) {
      if (target.sub && !target.filter) throw ScimError.invalidPath(`"${target.printed}": name the ${target.attribute.name} to change with a filter.`);
      if (target.sub) checkWritable(target, operation.op);
      external.push({
        index: operation.index,
        op: operation.op,
        attribute: target.attribute.name,
        filter: target.filter,
        subAttr: target.sub?.name,
        value: value === undefined || value === null ? undefined : normalizeAttributeValue(target.attribute, value, target.printed),
      });
      return;
    }
    if (!strict && (target.attribute.mutability === 'readOnly' || target.sub?.mutability === 'readOnly')) return;
    checkWritable(target, operation.op);
    apply(target, operation.op, value, hasValue);
  }

  /** A path-less add or replace: the value is an object of attributes, each one applied as if it were the path. */
  function applyPathless(operation: PatchOperation): void {
    if (!isObject(operation.value)) {
      throw ScimError.invalidSyntax(`Without "path", "value" must be an object of attributes, got ${JSON.stringify(operation.value)}.`);
    }
    for (const [key, value] of Object.entries(operation.value)) {
      if (key.toLowerCase() === 'schemas') continue;
      const extension = extensionById(key);
      if (extension) {
        if (value === null) continue;
        if (!isObject(value)) throw ScimError.invalidValue(`"${extension.id}" must be an object of its attributes.`);
        for (const [name, subValue] of Object.entries(value)) {
          const target = resolveTarget({ attr: { uri: extension.id, name } }, `${extension.id}:${name}`);
          if (target) route(target, operation, subValue, true, false);
        }
        continue;
      }
      // Keys may be dotted or URN-qualified, as Entra sends them: "name.givenName", "urn:...:User:employeeNumber".
      let path: PatchPath;
      try {
        path = parsePath(key);
      } catch {
        continue;
      }
      if (path.filter) throw ScimError.invalidPath(`Without "path", attribute names in "value" cannot carry filters ("${key}").`);
      const target = resolveTarget(path, key);
      // As on POST, attributes this server does not know are ignored.
      if (target) route(target, operation, value, true, false);
    }
  }

  for (const operation of operations) {
    try {
      if (!operation.path) {
        applyPathless(operation);
        continue;
      }
      const printed = operation.pathText ?? printPath(operation.path);
      const whole = operation.path.attr.uri ? extensionById(`${operation.path.attr.uri}:${operation.path.attr.name}`) : undefined;
      if (whole && !operation.path.attr.subAttr && !operation.path.filter) {
        if (operation.op === 'remove') {
          delete data[whole.id];
        } else {
          applyPathless({ ...operation, value: { [whole.id]: operation.value } });
        }
        continue;
      }
      const target = resolveTarget(operation.path, printed);
      if (!target) throw ScimError.invalidPath(`"${printed}" is not an attribute of ${resourceType.name}.`);
      route(target, operation, operation.value, operation.hasValue, true);
    } catch (error) {
      throw inOperation(operation.index, error);
    }
  }
  return { data, external };
}
