// Users as CSV (RFC 4180): the export of the user list, and the import's reading, checking and Bulk request.
import type { Persona } from './personas';
import { USER_SCHEMA, type MultiValue, type User } from './scim-types';
import { directGroupIds, looksLikeEmail, primaryEmail } from './users';

export const COLUMNS = ['User Name', 'First Name', 'Last Name', 'Email', 'Job Title', 'Telephone', 'Cell Phone', 'Personas'] as const;
/** Between persona names in one cell. */
const PERSONA_SEPARATOR = ';';

/**
 * A cell a spreadsheet would run as a formula (= + - @, or a tab or carriage return that some treat alike) gets a
 * leading apostrophe (OWASP "CSV injection"), so that opening an export runs nothing.
 */
export function guardCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

function quoteCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The file's text: a byte order mark (Excel then reads UTF-8), CRLF line ends, every cell guarded and quoted. */
export function toCsv(rows: readonly (readonly string[])[]): string {
  return `\uFEFF${rows.map((row) => row.map((cell) => quoteCell(guardCell(cell))).join(',')).join('\r\n')}\r\n`;
}

/** Reads CSV text (RFC 4180; a byte order mark and blank lines are skipped) into rows of cells. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRow = () => {
    row.push(cell);
    if (row.length > 1 || row[0] !== '') rows.push(row);
    row = [];
    cell = '';
  };
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRow();
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) endRow();
  return rows;
}

const phone = (user: User, type: string) => user.phoneNumbers?.find((p) => p.type === type)?.value ?? '';

/** One user as an export row, its personas by name. */
export function userRow(user: User, personas: readonly Persona[]): string[] {
  const groups = directGroupIds(user);
  const names = personas.filter((p) => groups.has(p.id)).map((p) => p.displayName);
  return [
    user.userName,
    user.name?.givenName ?? '',
    user.name?.familyName ?? '',
    primaryEmail(user) ?? '',
    user.title ?? '',
    phone(user, 'work'),
    phone(user, 'mobile'),
    names.join(`${PERSONA_SEPARATOR} `),
  ];
}

export interface ImportRow {
  /** The line in the file (the header is line 1). */
  readonly line: number;
  readonly userName: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly email: string;
  readonly title: string;
  readonly telephone: string;
  readonly cellPhone: string;
  readonly personas: readonly Persona[];
  /** create, update (an existing user of that name, by id), or refused with the reason. */
  readonly action: { readonly kind: 'create' } | { readonly kind: 'update'; readonly id: string } | { readonly kind: 'refused'; readonly reason: string };
}

/** A cell read back: an apostrophe the export put before a formula character is taken off again. */
const unguard = (value: string) => (/^'[=+\-@\t\r]/.test(value) ? value.slice(1) : value).trim();

/**
 * The file's rows, checked: the header must name the exported columns (in any order; Personas optional), and each
 * row needs a user name, a valid e-mail if any, and personas the account has. `existing` maps user names (lower
 * case) to ids, for rows that update.
 */
export function planImport(text: string, personas: readonly Persona[], existing: ReadonlyMap<string, string>): { rows: ImportRow[]; error?: string } {
  const [header, ...body] = parseCsv(text);
  if (!header) return { rows: [], error: 'The file is empty.' };
  const index = new Map(header.map((name, i) => [name.trim().toLowerCase(), i]));
  const missing = COLUMNS.filter((c) => c !== 'Personas' && !index.has(c.toLowerCase()));
  if (missing.length) return { rows: [], error: `The file's first line must name the columns; missing: ${missing.join(', ')}. Export the list to see the expected layout.` };
  const cell = (row: string[], column: (typeof COLUMNS)[number]) => unguard(row[index.get(column.toLowerCase()) ?? -1] ?? '');
  const byName = new Map(personas.map((p) => [p.displayName.toLowerCase(), p]));
  const seen = new Set<string>();
  const rows = body.map((row, i): ImportRow => {
    const userName = cell(row, 'User Name');
    const email = cell(row, 'Email');
    const personaNames = cell(row, 'Personas').split(PERSONA_SEPARATOR).map((n) => n.trim()).filter(Boolean);
    const unknown = personaNames.find((n) => !byName.has(n.toLowerCase()));
    const chosen = personaNames.map((n) => byName.get(n.toLowerCase())).filter((p): p is Persona => p !== undefined);
    let reason: string | undefined;
    if (!userName) reason = 'The user name is missing.';
    else if (seen.has(userName.toLowerCase())) reason = `${userName} appears twice in the file.`;
    else if (email && !looksLikeEmail(email)) reason = `"${email}" is not an e-mail address.`;
    else if (unknown !== undefined) reason = `There is no persona "${unknown}".`;
    if (userName) seen.add(userName.toLowerCase());
    const id = existing.get(userName.toLowerCase());
    return {
      line: i + 2,
      userName,
      givenName: cell(row, 'First Name'),
      familyName: cell(row, 'Last Name'),
      email,
      title: cell(row, 'Job Title'),
      telephone: cell(row, 'Telephone'),
      cellPhone: cell(row, 'Cell Phone'),
      personas: chosen,
      action: reason ? { kind: 'refused', reason } : id ? { kind: 'update', id } : { kind: 'create' },
    };
  });
  return { rows };
}

function userAttributes(row: ImportRow) {
  const phones: MultiValue[] = [
    ...(row.telephone ? [{ value: row.telephone, type: 'work' }] : []),
    ...(row.cellPhone ? [{ value: row.cellPhone, type: 'mobile' }] : []),
  ];
  const displayName = [row.givenName, row.familyName].filter(Boolean).join(' ');
  return {
    ...(row.givenName || row.familyName ? { name: { givenName: row.givenName || undefined, familyName: row.familyName || undefined } } : {}),
    ...(displayName ? { displayName } : {}),
    ...(row.email ? { emails: [{ value: row.email, type: 'work', primary: true }] } : {}),
    ...(row.title ? { title: row.title } : {}),
    ...(phones.length ? { phoneNumbers: phones } : {}),
  };
}

export const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export const rowBulkId = (row: ImportRow) => `line${row.line}`;

/**
 * One Bulk request: a POST per new user, a PATCH (replace of the columns given) per existing one, then a PATCH per
 * persona adding its members (new users by bulkId). Personas are only added, never taken away.
 */
export function bulkRequest(rows: readonly ImportRow[]) {
  const operations: Record<string, unknown>[] = [];
  const members = new Map<string, string[]>();
  for (const row of rows) {
    const attributes = userAttributes(row);
    if (row.action.kind === 'create') {
      operations.push({ method: 'POST', path: '/Users', bulkId: rowBulkId(row), data: { schemas: [USER_SCHEMA], userName: row.userName, ...attributes } });
    } else if (row.action.kind === 'update') {
      if (Object.keys(attributes).length > 0) {
        operations.push({ method: 'PATCH', path: `/Users/${row.action.id}`, bulkId: rowBulkId(row), data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: attributes }] } });
      }
    } else continue;
    const member = row.action.kind === 'create' ? `bulkId:${rowBulkId(row)}` : row.action.id;
    for (const persona of row.personas) members.set(persona.id, [...(members.get(persona.id) ?? []), member]);
  }
  for (const [personaId, values] of members) {
    operations.push({
      method: 'PATCH',
      path: `/Groups/${personaId}`,
      bulkId: `persona-${personaId}`,
      data: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: values.map((value) => ({ value })) }] },
    });
  }
  return { schemas: [BULK_REQUEST], Operations: operations };
}

export interface BulkResult {
  readonly bulkId?: string;
  readonly method: string;
  readonly status: string;
  readonly response?: { readonly detail?: string };
}
