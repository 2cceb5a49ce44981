// The Prefer request header (RFC 7240 §2): the preferences a client states, which a server may honour or ignore.

/**
 * The preferences in a Prefer header (or several, joined by commas), by lower-cased name, each with its value ('' when
 * it has none). Parameters after ';' are dropped; a preference given twice counts once, the first time (§2); a part
 * that does not parse is skipped, as any preference a server does not understand is.
 */
export function parsePrefer(header: string | undefined): Map<string, string> {
  const preferences = new Map<string, string>();
  if (header === undefined) return preferences;
  for (const part of splitOutsideQuotes(header, ',')) {
    const [head = ''] = splitOutsideQuotes(part, ';');
    const match = /^\s*([!#$%&'*+\-.^_`|~0-9A-Za-z]+)\s*(?:=\s*([!#$%&'*+\-.^_`|~0-9A-Za-z]+|"(?:[^"\\]|\\.)*")\s*)?$/.exec(head);
    if (!match) continue;
    const name = match[1]!.toLowerCase();
    const raw = match[2] ?? '';
    const value = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
    if (!preferences.has(name)) preferences.set(name, value);
  }
  return preferences;
}

/** The pieces of `text` between separators that are not inside a quoted string. */
function splitOutsideQuotes(text: string, separator: string): string[] {
  const pieces: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted && ch === '\\') i++;
    else if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === separator) {
      pieces.push(text.slice(start, i));
      start = i + 1;
    }
  }
  pieces.push(text.slice(start));
  return pieces;
}
