// Compiles a parsed SCIM filter (RFC 7644 §3.4.2.2) to a parameterised SQL condition over a resource type's data model.
import { ScimError } from '../errors.js';
import { resolveAttributePath, type ResolvedAttribute } from '../schema/resolve.js';
import { findAttribute } from '../schema/resolve.js';
import { maxBytesOf } from '../schema/limits.js';
import { utf8Length } from '../text.js';
import type { AttributeDefinition, AttributeType, ResourceTypeDefinition, SchemaDefinition } from '../schema/types.js';
import type { AttrPath, CompareOperator, CompareValue, Filter } from './ast.js';
import { printFilter } from './print.js';

/** A SQL expression that yields one attribute's value for the row (or element) at hand, or NULL when unassigned. */
export interface ScalarTarget {
  readonly sql: string;
  readonly type: AttributeType;
  readonly caseExact: boolean;
  /** The expression is a uuid column: values that are not UUIDs match nothing instead of failing the cast. */
  readonly uuid?: boolean;
  /** The expression is never null (a NOT NULL column), which lets cursor paging use a plain row comparison. */
  readonly notNull?: boolean;
  /** What a test on it costs (FILTER_COSTS); a column or a field of the row's own document unless said otherwise. */
  readonly cost?: number;
  /**
   * What sorting by it orders on, when not `sql` itself: an expression that is never null, so unassigned values
   * take a fixed place in both orders (a last login that never happened is the oldest, so last when newest first).
   */
  readonly sortSql?: string;
  /**
   * A stored column that holds what sorting by it orders on (the sort expression of `sql`, kept equal by the
   * database), so that an index can carry it beside other columns: sorting orders on this column instead.
   */
  readonly orderColumn?: string;
}

/** A multi-valued attribute: conditions on one element at a time, wrapped in EXISTS. */
export interface MultiTarget {
  /** Wraps a condition over one element in a test that some element of the row satisfies it. */
  exists(condition: string): string;
  /** The SQL of an element's sub-attribute, or of the element itself for multi-valued simple attributes. */
  element(sub: AttributeDefinition | undefined): ScalarTarget | undefined;
  /** What the EXISTS costs (FILTER_COSTS); FILTER_COSTS.multiValued unless the model says otherwise. */
  readonly cost?: number;
  /**
   * The attribute's elements as one lower-cased text on the row itself (its JSON), when an index serves substring
   * matches on that text. A `co`, `sw` or `ew` on a case-insensitive sub-attribute then also tests this text, which
   * every row with a matching element contains: an OR of such tests and the row's own columns can then be read
   * from indexes alone (a BitmapOr), where an EXISTS alone cannot be. The EXISTS still decides.
   */
  readonly rowText?: string;
}

/**
 * What a filter term costs, by the SQL it becomes: priced so that the slowest filters are refused before they run
 * rather than counted by their terms alone. A filter may cost up to DEFAULT_FILTER_MAX_COST.
 */
export const FILTER_COSTS = Object.freeze({
  /** A comparison on a column or on a field of the row's own JSON document: work per row, nothing more. */
  scalar: 1,
  /**
   * An EXISTS over the elements of a multi-valued attribute (emails, phoneNumbers, members): a probe per row. A value
   * path (`emails[type eq "work" and value co "x"]`) costs one EXISTS plus a plain comparison per term inside.
   */
  multiValued: 4,
  /**
   * A subquery that walks the tenant's groups, their members and their nesting (a User's `groups`). It took 10 to
   * 25 ms each on a tenant of 6 users, so 256 of them (a filter maxTerms allows) stalled the server for seconds.
   */
  membership: 32,
});

/** 256 plain comparisons (maxTerms), 64 on multi-valued attributes, or 8 on groups. */
export const DEFAULT_FILTER_MAX_COST = 256;

export interface FilterSqlOptions {
  /** The most a filter may cost (FILTER_COSTS); Infinity lifts the limit. */
  readonly maxCost?: number;
  /**
   * 'unassigned': an attribute the resource type does not define is taken as one without a value (RFC 7644
   * §3.4.2.2, for a query across several resource types): `pr` and comparisons are false, `ne` and `eq null` true.
   * The paths taken so are listed in CompiledFilter.unknown. 'error' (the default): such a path is invalidFilter.
   */
  readonly unknownAttributes?: 'error' | 'unassigned';
}

/** How a resource type's attributes live in SQL: supplied by the resource's queries module. */
export interface SqlModel {
  /** A single-valued attribute (sub-attribute included for singular complex ones); undefined if not filterable. */
  scalar(resolved: ResolvedAttribute): ScalarTarget | undefined;
  /** A multi-valued attribute; undefined if not filterable. */
  multi(resolved: ResolvedAttribute): MultiTarget | undefined;
  /** `pr` on a singular complex attribute (`name pr`). */
  complexPresent(resolved: ResolvedAttribute): string | undefined;
  /** The value to sort a multi-valued attribute by (RFC 7644 §3.4.2.3: its primary value); undefined if unsortable. */
  multiSortKey(resolved: ResolvedAttribute): ScalarTarget | undefined;
  /** A condition that the row holds attributes of the given extension schema. */
  hasExtension(schemaId: string): string;
  /**
   * A lower-cased text on the row that holds the values of some attributes, each lower-cased and on its own line:
   * whatever a substring test on one of those attributes matches contains the substring (see ./search-text.ts).
   */
  readonly searchText?: SearchTextColumn;
  /** The resource's id column: the tie-break that makes every order total. */
  readonly idColumn: string;
  /** The cast of a tie-break value read back from a cursor; '::uuid' (an id column) unless said otherwise. */
  readonly idCast?: string;
}

export interface SearchTextColumn {
  readonly sql: string;
  /** Whether the attribute's values are in the text, lower-cased, between line feeds (e-mails: in their JSON). */
  covers(resolved: ResolvedAttribute): boolean;
}

export interface CompiledFilter {
  readonly sql: string;
  readonly params: unknown[];
  /**
   * Whether it holds a substring test a trigram index can serve: `co` of three characters or more, `sw` of any length
   * and `ew` of two or more (pg_trgm pads the start of a word with two blanks and its end with one, so a prefix has
   * trigrams from its first character on, and a suffix from its second). How many rows match is then anyone's guess,
   * and the list runner counts them before it chooses how to read a page.
   */
  readonly substring: boolean;
  /** With unknownAttributes 'unassigned': the paths the resource type does not define, as written. */
  readonly unknown?: readonly string[];
}

/** Whether JSON text holds the value as it is: it has no quote, backslash or control character, which JSON escapes. */
export function keptVerbatimInJson(value: string): boolean {
  // eslint-disable-next-line no-control-regex
  return !/["\\\u0000-\u001f]/.test(value);
}

/** A test on an attribute the resource type does not define, which therefore has no value. */
function unassigned(filter: Filter): string {
  if (filter.kind === 'compare' && (filter.op === 'ne' || (filter.op === 'eq' && filter.value === null))) return 'true';
  return 'false';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isSchemas(path: AttrPath): boolean {
  return !path.uri && !path.subAttr && path.name.toLowerCase() === 'schemas';
}

/** A value for LIKE, its wildcards and escape character taken literally (with `escape '\\'`). */
function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The LIKE pattern that finds `value` anywhere in a text, its wildcards and escape character taken literally. */
export function containsPattern(value: string): string {
  return `%${escapeLike(value)}%`;
}

/**
 * The test that a lower-cased text holds, lower-cased, what the pattern at `pattern` (a text parameter's placeholder,
 * of a containsPattern) finds. A trigram index on the text serves it: the History's search, the filter's row texts
 * (MultiTarget.rowText) and the users' search walk (SqlModel.searchText) all write it so.
 */
export function lowerContainsSql(text: string, pattern: string): string {
  return `(${text} like lower(${pattern}) escape '\\')`;
}

function describePath(path: AttrPath): string {
  return `${path.uri ? `${path.uri}:` : ''}${path.name}${path.subAttr ? `.${path.subAttr}` : ''}`;
}

class Compiler {
  readonly params: unknown[] = [];
  readonly unknown: string[] = [];
  cost = 0;
  /** See CompiledFilter.substring. */
  substring = false;

  constructor(
    private readonly resourceType: ResourceTypeDefinition,
    private readonly model: SqlModel,
    private readonly paramOffset: number,
    private readonly maxCost: number,
    private readonly unknownAttributes: 'error' | 'unassigned' = 'error',
  ) {}

  /** Whether the path names nothing of this resource type and is to be taken as unassigned (see FilterSqlOptions). */
  private undefinedHere(path: AttrPath): boolean {
    if (this.unknownAttributes !== 'unassigned' || resolveAttributePath(this.resourceType, path)) return false;
    this.unknown.push(describePath(path));
    return true;
  }

  private charge(cost: number): void {
    this.cost += cost;
    if (this.cost > this.maxCost) {
      throw ScimError.invalidFilter(
        `The filter is too costly to run: it costs more than ${this.maxCost} (maxCost). A comparison costs ` +
          `${FILTER_COSTS.scalar}, one on a multi-valued attribute such as emails ${FILTER_COSTS.multiValued}, ` +
          `one on groups ${FILTER_COSTS.membership}. Split it into several requests, or ask for one group at a time ` +
          `(groups.value eq "<id>").`,
      );
    }
  }

  param(value: unknown, cast = ''): string {
    this.params.push(value);
    return `$${this.paramOffset + this.params.length}${cast}`;
  }

  compile(filter: Filter): string {
    switch (filter.kind) {
      case 'and':
        return `(${this.compile(filter.left)} and ${this.compile(filter.right)})`;
      case 'or':
        return `(${this.compile(filter.left)} or ${this.compile(filter.right)})`;
      case 'not':
        // SQL's NULL would make `not` drop rows whose attribute is unassigned; SCIM's logic has two values.
        return `(not coalesce(${this.compile(filter.filter)}, false))`;
      case 'present':
        if (isSchemas(filter.attr)) return this.schemas(filter);
        if (this.schemaNamed(filter.attr)) return this.schemaPresent(filter.attr);
        if (this.undefinedHere(filter.attr)) return unassigned(filter);
        return this.attribute(filter.attr, (target) => this.present(target), (resolved) => this.model.complexPresent(resolved));
      case 'compare':
        if (isSchemas(filter.attr)) return this.schemas(filter);
        if (this.schemaNamed(filter.attr)) {
          const urn = describePath(filter.attr);
          throw ScimError.invalidFilter(
            `"${urn}" is a schema, not an attribute: "${urn} pr" tests that a resource has it, or compare one of its attributes ("${urn}:<attribute> ${filter.op} ...").`,
          );
        }
        if (this.undefinedHere(filter.attr)) return unassigned(filter);
        return this.attribute(
          filter.attr,
          (target, path, leaf) => this.compare(target, filter.op, filter.value, path, leaf),
          undefined,
          (rowText) => this.rowTextTest(rowText, filter.op, filter.value),
        );
      case 'valuePath':
        if (this.undefinedHere(filter.attr)) return unassigned(filter);
        return this.valuePath(filter.attr, filter.filter);
    }
  }

  /** `schemas` is not an attribute of any schema, yet every resource has it (RFC 7643 §3): it lists the extensions present. */
  private schemas(filter: Filter & { kind: 'compare' | 'present' }): string {
    if (filter.kind === 'present') return 'true';
    if (typeof filter.value !== 'string' || (filter.op !== 'eq' && filter.op !== 'ne')) {
      throw ScimError.invalidFilter('"schemas" can only be compared with eq or ne and a schema URN.');
    }
    const urn = filter.value.toLowerCase();
    const extension = this.resourceType.schemaExtensions.find((e) => e.schema.id.toLowerCase() === urn)?.schema;
    const has = urn === this.resourceType.schema.id.toLowerCase() ? 'true' : extension ? this.model.hasExtension(extension.id) : 'false';
    return filter.op === 'eq' ? `(${has})` : `(not ${has})`;
  }

  /** The resource type's core schema or one of its extensions when `path` is that schema's URN and nothing more. */
  private schemaNamed(path: AttrPath): SchemaDefinition | undefined {
    if (path.uri === undefined) return undefined;
    const urn = describePath(path).toLowerCase();
    const schemas = [this.resourceType.schema, ...this.resourceType.schemaExtensions.map((e) => e.schema)];
    return schemas.find((schema) => schema.id.toLowerCase() === urn);
  }

  /**
   * `<schema URN> pr`: the resource has attributes of that schema, as its `schemas` lists them (RFC 7643 §3), the
   * same test as `schemas eq "<schema URN>"`. The URN in place of an attribute path is Usher's reading: RFC 7644
   * §3.10 gives URN prefixes to attributes only, but clients (Usher's own console among them) ask so.
   */
  private schemaPresent(path: AttrPath): string {
    const schema = this.schemaNamed(path)!;
    this.charge(FILTER_COSTS.scalar);
    return schema.id === this.resourceType.schema.id ? 'true' : `(${this.model.hasExtension(schema.id)})`;
  }

  private resolve(path: AttrPath): ResolvedAttribute {
    const resolved = resolveAttributePath(this.resourceType, path);
    if (!resolved) throw ScimError.invalidFilter(`Unknown attribute "${describePath(path)}" for resource type ${this.resourceType.name}.`);
    const leaf = resolved.subAttribute ?? resolved.attribute;
    if (leaf.returned === 'never' || resolved.attribute.returned === 'never') {
      throw ScimError.invalidFilter(`Attribute "${describePath(path)}" cannot be used in a filter.`);
    }
    return resolved;
  }

  /**
   * A test on MultiTarget.rowText that every row with an element matching `op value` passes, or undefined when
   * there is none: only substrings of three characters or more (a trigram index has nothing to look up for fewer),
   * and none with a character JSON escapes (a quote, a backslash, a control character), which the text holds escaped.
   */
  private rowTextTest(rowText: string, op: CompareOperator, value: CompareValue): string | undefined {
    if ((op !== 'co' && op !== 'sw' && op !== 'ew') || typeof value !== 'string' || [...value].length < 3) return undefined;
    if (!keptVerbatimInJson(value)) return undefined;
    return lowerContainsSql(rowText, this.param(containsPattern(value), '::text'));
  }

  /** Compiles a test on one attribute path, routing multi-valued attributes through EXISTS over their elements. */
  private attribute(
    path: AttrPath,
    onScalar: (target: ScalarTarget, path: string, leaf: AttributeDefinition) => string,
    onComplex?: (resolved: ResolvedAttribute) => string | undefined,
    /** For a comparison: the test of MultiTarget.rowText it implies, if any (rowTextTest). */
    onRowText?: (rowText: string) => string | undefined,
  ): string {
    const resolved = this.resolve(path);
    const printed = describePath(path);
    if (resolved.attribute.multiValued) {
      const multi = this.model.multi(resolved);
      if (!multi) throw ScimError.invalidFilter(`Attribute "${printed}" cannot be used in a filter.`);
      let sub = resolved.subAttribute;
      // A multi-valued complex attribute named without a sub-attribute compares its `value`s (RFC 7644 §3.4.2.2).
      if (!sub && resolved.attribute.type === 'complex') {
        sub = findAttribute(resolved.attribute.subAttributes ?? [], 'value');
        if (!sub) throw ScimError.invalidFilter(`Attribute "${printed}" has no "value" to compare; name a sub-attribute.`);
      }
      const element = multi.element(sub);
      if (!element) throw ScimError.invalidFilter(`Attribute "${printed}" cannot be used in a filter.`);
      this.charge(multi.cost ?? FILTER_COSTS.multiValued);
      const exists = multi.exists(onScalar(element, printed, sub ?? resolved.attribute));
      const text = multi.rowText !== undefined && !element.caseExact ? onRowText?.(multi.rowText) : undefined;
      return text === undefined ? exists : `(${text} and ${exists})`;
    }
    if (resolved.attribute.type === 'complex' && !resolved.subAttribute) {
      const sql = onComplex?.(resolved);
      if (sql === undefined) throw ScimError.invalidFilter(`Attribute "${printed}" is complex; compare one of its sub-attributes.`);
      this.charge(FILTER_COSTS.scalar);
      return sql;
    }
    const target = this.model.scalar(resolved);
    if (!target) throw ScimError.invalidFilter(`Attribute "${printed}" cannot be used in a filter.`);
    this.charge(target.cost ?? FILTER_COSTS.scalar);
    return onScalar(target, printed, resolved.subAttribute ?? resolved.attribute);
  }

  private valuePath(path: AttrPath, inner: Filter): string {
    const resolved = this.resolve(path);
    const printed = describePath(path);
    if (!resolved.attribute.multiValued || resolved.subAttribute) {
      throw ScimError.invalidFilter(`"${printed}[...]" needs a multi-valued attribute.`);
    }
    const multi = this.model.multi(resolved);
    if (!multi) throw ScimError.invalidFilter(`Attribute "${printed}" cannot be used in a filter.`);
    this.charge(multi.cost ?? FILTER_COSTS.multiValued);
    return multi.exists(this.elementFilter(resolved.attribute, multi, inner, printed));
  }

  /** A filter inside brackets: every attribute is a sub-attribute of the same element (RFC 7644 §3.4.2.2, valuePath). */
  private elementFilter(parent: AttributeDefinition, multi: MultiTarget, filter: Filter, parentPath: string): string {
    const recurse = (f: Filter) => this.elementFilter(parent, multi, f, parentPath);
    switch (filter.kind) {
      case 'and':
        return `(${recurse(filter.left)} and ${recurse(filter.right)})`;
      case 'or':
        return `(${recurse(filter.left)} or ${recurse(filter.right)})`;
      case 'not':
        return `(not coalesce(${recurse(filter.filter)}, false))`;
      case 'valuePath':
        throw ScimError.invalidFilter(`Brackets cannot nest inside "${parentPath}[...]".`);
      case 'present':
      case 'compare': {
        const name = filter.attr.subAttr ? undefined : filter.attr.name;
        const sub = name && !filter.attr.uri ? findAttribute(parent.subAttributes ?? [], name) : undefined;
        const printed = `${parentPath}.${describePath(filter.attr)}`;
        if (!sub) throw ScimError.invalidFilter(`Unknown attribute "${printed}".`);
        const element = multi.element(sub);
        if (!element) throw ScimError.invalidFilter(`Attribute "${printed}" cannot be used in a filter.`);
        this.charge(element.cost ?? FILTER_COSTS.scalar);
        return filter.kind === 'present' ? this.present(element) : this.compare(element, filter.op, filter.value, printed, sub);
      }
    }
  }

  private present(target: ScalarTarget): string {
    // RFC 7644 §3.4.2.2: `pr` matches a non-empty value. A uuid is never empty, and comparing one with ''
    // would fail the cast.
    if (target.uuid) return `(${target.sql} is not null)`;
    return target.type === 'string' || target.type === 'reference' || target.type === 'binary'
      ? `(${target.sql} is not null and ${target.sql} <> '')`
      : `(${target.sql} is not null)`;
  }

  private compare(target: ScalarTarget, op: CompareOperator, value: CompareValue, path: string, leaf: AttributeDefinition): string {
    const expr = target.sql;
    if (value === null) {
      // `eq null` is the negation of `pr`: an empty string counts as unassigned for both.
      if (op === 'eq') return `(not ${this.present(target)})`;
      if (op === 'ne') return this.present(target);
      throw ScimError.invalidFilter(`"${path} ${op} null" is not a comparison; only eq and ne take null.`);
    }
    switch (target.type) {
      case 'boolean':
        return this.compareBoolean(expr, op, value, path);
      case 'integer':
      case 'decimal':
        return this.compareNumber(expr, op, value, path);
      case 'dateTime':
        return this.compareDateTime(expr, op, value, path);
      case 'complex':
        throw ScimError.invalidFilter(`Attribute "${path}" is complex; compare one of its sub-attributes.`);
      default:
        return this.compareString(target, op, value, path, leaf);
    }
  }

  private compareString(target: ScalarTarget, op: CompareOperator, value: CompareValue, path: string, leaf: AttributeDefinition): string {
    if (typeof value !== 'string') {
      throw ScimError.invalidFilter(`Attribute "${path}" is a string; compare it with a quoted string, not ${JSON.stringify(value)}.`);
    }
    // A value longer than the attribute can hold matches nothing; it is refused as a write of it would be.
    const max = maxBytesOf(leaf);
    if (value.length * 3 > max && utf8Length(value) > max) {
      throw ScimError.invalidFilter(`The value compared with "${path}" is ${utf8Length(value)} bytes long (UTF-8); "${path}" holds at most ${max} bytes.`);
    }
    if (target.uuid && (op === 'eq' || op === 'ne')) {
      // A value that is not a UUID cannot equal any id; answer without a cast that would fail.
      if (!UUID.test(value)) return op === 'eq' ? 'false' : `(${target.sql} is not null)`;
      const p = this.param(value.toLowerCase(), '::uuid');
      return op === 'eq' ? `(${target.sql} = ${p})` : `(${target.sql} is distinct from ${p})`;
    }
    const column = target.uuid ? `${target.sql}::text` : target.sql;
    const fold = (sql: string) => (target.caseExact ? sql : `lower(${sql})`);
    const left = fold(column);
    switch (op) {
      case 'eq':
        return `(${left} = ${fold(this.param(value, '::text'))})`;
      case 'ne':
        return `(${left} is distinct from ${fold(this.param(value, '::text'))})`;
      case 'co':
        if ([...value].length >= 3) this.substring = true;
        return `(${left} like ${fold(this.param(containsPattern(value), '::text'))} escape '\\')`;
      case 'sw':
        if ([...value].length >= 1) this.substring = true;
        return `(${left} like ${fold(this.param(`${escapeLike(value)}%`, '::text'))} escape '\\')`;
      case 'ew':
        if ([...value].length >= 2) this.substring = true;
        return `(${left} like ${fold(this.param(`%${escapeLike(value)}`, '::text'))} escape '\\')`;
      case 'gt':
      case 'ge':
      case 'lt':
      case 'le':
        // Ordering of strings is by code point, the same on every database whatever its collation.
        return `(${left} collate "C" ${SQL_ORDER[op]} ${fold(this.param(value, '::text'))} collate "C")`;
    }
  }

  private compareBoolean(expr: string, op: CompareOperator, value: CompareValue, path: string): string {
    if (typeof value !== 'boolean') {
      throw ScimError.invalidFilter(`Attribute "${path}" is a boolean; compare it with true or false, not ${JSON.stringify(value)}.`);
    }
    if (op === 'eq') return `(${expr} = ${this.param(value, '::boolean')})`;
    if (op === 'ne') return `(${expr} is distinct from ${this.param(value, '::boolean')})`;
    throw ScimError.invalidFilter(`Operator "${op}" does not apply to the boolean attribute "${path}"; use eq or ne.`);
  }

  private compareNumber(expr: string, op: CompareOperator, value: CompareValue, path: string): string {
    if (typeof value !== 'number') {
      throw ScimError.invalidFilter(`Attribute "${path}" is a number; compare it with a number, not ${JSON.stringify(value)}.`);
    }
    if (op === 'co' || op === 'sw' || op === 'ew') {
      throw ScimError.invalidFilter(`Operator "${op}" does not apply to the numeric attribute "${path}".`);
    }
    const p = this.param(String(value), '::numeric');
    return op === 'ne' ? `(${expr} is distinct from ${p})` : `(${expr} ${SQL_ORDER[op]} ${p})`;
  }

  private compareDateTime(expr: string, op: CompareOperator, value: CompareValue, path: string): string {
    if (typeof value !== 'string' || !DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) {
      throw ScimError.invalidFilter(`Attribute "${path}" is a dateTime; compare it with a quoted xsd:dateTime such as "2026-01-01T00:00:00Z", not ${JSON.stringify(value)}.`);
    }
    if (op === 'co' || op === 'sw' || op === 'ew') {
      throw ScimError.invalidFilter(`Operator "${op}" does not apply to the dateTime attribute "${path}".`);
    }
    // Date.parse takes years 0000 and, after a time zone shift, 10000, which PostgreSQL refuses in this form.
    const instant = new Date(value);
    const year = instant.getUTCFullYear();
    if (year < 1 || year > 9999) {
      throw ScimError.invalidFilter(`Attribute "${path}" is a dateTime; "${value}" is outside the years 0001 to 9999.`);
    }
    const p = this.param(instant.toISOString(), '::timestamptz');
    return op === 'ne' ? `(${expr} is distinct from ${p})` : `(${expr} ${SQL_ORDER[op]} ${p})`;
  }
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;

const SQL_ORDER: Record<'eq' | 'gt' | 'ge' | 'lt' | 'le', string> = { eq: '=', gt: '>', ge: '>=', lt: '<', le: '<=' };

/**
 * Compiles a filter to a SQL boolean expression. Parameters are numbered from paramOffset + 1, so the
 * caller's own parameters (the tenant id first) come before them.
 */
export function filterToSql(
  filter: Filter,
  resourceType: ResourceTypeDefinition,
  model: SqlModel,
  paramOffset: number,
  options: FilterSqlOptions = {},
): CompiledFilter {
  const compiler = new Compiler(resourceType, model, paramOffset, options.maxCost ?? DEFAULT_FILTER_MAX_COST, options.unknownAttributes);
  try {
    const sql = compiler.compile(filter);
    return {
      sql,
      params: compiler.params,
      substring: compiler.substring,
      ...(options.unknownAttributes === 'unassigned' ? { unknown: compiler.unknown } : {}),
    };
  } catch (error) {
    if (error instanceof ScimError) throw error;
    throw ScimError.invalidFilter(`The filter "${printFilter(filter).slice(0, 200)}" could not be compiled.`);
  }
}
