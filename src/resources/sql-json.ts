// SQL expressions over a resource's JSON attributes document, typed per the schema, for filters and sorting.
import type { MultiTarget, ScalarTarget } from '../scim/filter/to-sql.js';
import type { AttributeDefinition, AttributeType } from '../scim/schema/types.js';

const SAFE_KEY = /^[A-Za-z0-9$_.:-]+$/;

/** A text[] literal of JSON keys. Keys come from schema definitions, never from a request; the check keeps it so. */
function keyPathLiteral(keys: readonly string[]): string {
  for (const key of keys) {
    if (!SAFE_KEY.test(key)) throw new Error(`unsafe JSON key in SQL: ${key}`);
  }
  return `'{${keys.map((key) => `"${key}"`).join(',')}}'`;
}

function cast(text: string, type: AttributeType): string {
  switch (type) {
    case 'boolean':
      return `(${text})::boolean`;
    case 'integer':
    case 'decimal':
      return `(${text})::numeric`;
    case 'dateTime':
      return `(${text})::timestamptz`;
    default:
      return text;
  }
}

/** The value at keys inside a jsonb expression, as SQL of the attribute's type (jsonb for complex). */
export function jsonPathSql(base: string, keys: readonly string[], type: AttributeType): string {
  if (type === 'complex') return `(${base} #> ${keyPathLiteral(keys)})`;
  return cast(`(${base} #>> ${keyPathLiteral(keys)})`, type);
}

/** A sub-attribute of one JSON element (or the element itself for multi-valued simple attributes). */
export function jsonFieldTarget(element: string, sub: AttributeDefinition | undefined, parentType: AttributeDefinition['type']): ScalarTarget {
  if (!sub) {
    return { sql: cast(`(${element} #>> '{}')`, parentType), type: parentType, caseExact: false };
  }
  return { sql: jsonPathSql(element, [sub.name], sub.type), type: sub.type, caseExact: sub.caseExact };
}

/** A multi-valued attribute kept as a JSON array: EXISTS over its elements. */
export function jsonElementTarget(arrayExpr: string, attribute: AttributeDefinition): MultiTarget {
  return {
    exists: (condition) =>
      `exists (select 1 from jsonb_array_elements(case when jsonb_typeof(${arrayExpr}) = 'array' then ${arrayExpr} else '[]'::jsonb end) as e(value) where ${condition})`,
    // A multi-valued simple attribute (a persona's permissions) compares its elements as the attribute says.
    element: (sub) => (sub ? jsonFieldTarget('e.value', sub, attribute.type) : { ...jsonFieldTarget('e.value', undefined, attribute.type), caseExact: attribute.caseExact }),
  };
}
