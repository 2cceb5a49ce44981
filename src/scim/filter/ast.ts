// The SCIM filter and PATCH path syntax tree (RFC 7644 §3.4.2.2 and §3.5.2), shared by the parser, the printer and the SQL builder.

export type CompareOperator = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';

export type CompareValue = string | number | boolean | null;

/** An attribute path as written by the client; names keep the client's spelling (resolution to the schema, which is case-insensitive, happens elsewhere). */
export interface AttrPath {
  readonly uri?: string;
  readonly name: string;
  readonly subAttr?: string;
}

export type Filter =
  | { readonly kind: 'compare'; readonly attr: AttrPath; readonly op: CompareOperator; readonly value: CompareValue }
  | { readonly kind: 'present'; readonly attr: AttrPath }
  | { readonly kind: 'and'; readonly left: Filter; readonly right: Filter }
  | { readonly kind: 'or'; readonly left: Filter; readonly right: Filter }
  | { readonly kind: 'not'; readonly filter: Filter }
  /** attr[filter]: true when one and the same element of the multi-valued `attr` satisfies `filter` (attr has no subAttr). */
  | { readonly kind: 'valuePath'; readonly attr: AttrPath; readonly filter: Filter };

/** A PATCH operation path (RFC 7644 §3.5.2): attrPath, or valuePath with an optional trailing subAttr. */
export interface PatchPath {
  readonly attr: AttrPath;
  readonly filter?: Filter;
  readonly subAttr?: string;
}
