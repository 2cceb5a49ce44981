// `${name}` substitution in case files, request URLs built from templates, and values read back from responses.

export type Variables = ReadonlyMap<string, unknown>;

const PLACEHOLDER = /\$\{([A-Za-z_]\w*)\}/g;
const WHOLE = /^\$\{([A-Za-z_]\w*)\}$/;

export class MissingVariableError extends Error {
  constructor(readonly variable: string) {
    super(`\${${variable}} has no value (an earlier step did not save it)`);
  }
}

function valueOf(vars: Variables, name: string): unknown {
  if (!vars.has(name)) throw new MissingVariableError(name);
  return vars.get(name);
}

/** Replaces `${name}` in a string; a string that is only `${name}` takes the saved value as is (a number stays a number). */
export function substituteString(text: string, vars: Variables): unknown {
  const whole = WHOLE.exec(text);
  if (whole) return valueOf(vars, whole[1]!);
  return text.replace(PLACEHOLDER, (_, name: string) => {
    const value = valueOf(vars, name);
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
}

/** Substitutes in every string of a JSON value, keys included. */
export function substitute(value: unknown, vars: Variables): unknown {
  if (typeof value === 'string') return substituteString(value, vars);
  if (Array.isArray(value)) return value.map((item) => substitute(item, vars));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [String(substituteString(k, vars)), substitute(v, vars)]));
  }
  return value;
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at === -1 ? [text, undefined] : [text.slice(0, at), text.slice(at + separator.length)];
}

/** Percent-encodes a path segment, keeping `:` and `@`, which RFC 3986 allows there (schema URNs read better). */
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/%3A/gi, ':').replace(/%40/gi, '@');
}

/**
 * The URL for a case path such as `/Users?filter=userName eq "${userName}"&count=100`: the template is split into
 * path segments and query names and values first, then each part is substituted and percent-encoded, so a saved
 * value can never add a segment or a parameter.
 */
export function buildUrl(baseUrl: string, template: string, vars: Variables): string {
  const [pathTemplate, queryTemplate] = splitOnce(template, '?');
  const path = pathTemplate
    .split('/')
    .map((segment) => encodeSegment(asText(substituteString(segment, vars))))
    .join('/');
  if (queryTemplate === undefined || queryTemplate === '') return `${baseUrl}${path}`;
  const query = queryTemplate
    .split('&')
    .map((pair) => {
      const [name, value] = splitOnce(pair, '=');
      const encodedName = encodeURIComponent(asText(substituteString(name, vars)));
      return value === undefined ? encodedName : `${encodedName}=${encodeURIComponent(asText(substituteString(value, vars)))}`;
    })
    .join('&');
  return `${baseUrl}${path}?${query}`;
}

/** Splits `Resources.0.id` or `["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].manager.value`. */
export function parsePath(path: string): (string | number)[] {
  const parts: (string | number)[] = [];
  let rest = path;
  while (rest !== '') {
    if (rest.startsWith('[')) {
      const end = rest.indexOf('"]');
      if (!rest.startsWith('["') || end === -1) throw new Error(`bad path ${JSON.stringify(path)}: use ["name"] for names with dots`);
      parts.push(JSON.parse(rest.slice(1, end + 1)) as string);
      rest = rest.slice(end + 2);
    } else {
      const match = /^[^.[]+/.exec(rest);
      if (!match) throw new Error(`bad path ${JSON.stringify(path)}`);
      parts.push(/^\d+$/.test(match[0]) ? Number(match[0]) : match[0]);
      rest = rest.slice(match[0].length);
    }
    if (rest.startsWith('.')) rest = rest.slice(1);
  }
  return parts;
}

/** The value at `path` in a parsed JSON body, or undefined. Object keys are matched exactly, then ignoring case. */
export function readPath(value: unknown, path: string): unknown {
  let current = value;
  for (const part of parsePath(path)) {
    if (typeof part === 'number') {
      current = Array.isArray(current) ? current[part] : undefined;
    } else if (typeof current === 'object' && current !== null && !Array.isArray(current)) {
      const object = current as Record<string, unknown>;
      if (Object.hasOwn(object, part)) {
        current = object[part];
      } else {
        const keys = Object.keys(object).filter((k) => k.toLowerCase() === part.toLowerCase());
        current = keys.length === 1 ? object[keys[0]!] : undefined;
      }
    } else {
      return undefined;
    }
  }
  return current;
}
