// Import users from a CSV file: a preview of what each row will do (create, update, or why it is refused), then one
// POST /scim/v2/Bulk, so the identity-provider rules and the history apply as to any change, and each row's result.
import { useState } from 'preact/hooks';
import { scim } from '../api';
import { Dialog } from '../components/Dialog';
import { bulkRequest, planImport, rowBulkId, type BulkResult, type ImportRow } from '../csv';
import type { Persona } from '../personas';
import { quote, type ListResponse, type User } from '../scim-types';

/** Ids of the users the file names who exist already, by user name in lower case (one filter per 50 names). */
async function existingUsers(userNames: readonly string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (let i = 0; i < userNames.length; i += 50) {
    const names = userNames.slice(i, i + 50);
    const filter = names.map((name) => `userName eq ${quote(name)}`).join(' or ');
    const list = await scim<ListResponse<User>>('GET', '/Users', { query: { filter, attributes: 'userName', count: names.length } });
    for (const user of list.Resources ?? []) found.set(user.userName.toLowerCase(), user.id);
  }
  return found;
}

/** Rows sent in one Bulk request: well under its 1000 operations (each row may add a persona operation) and its size limit. */
const MAX_ROWS = 500;

const ACTION_WORDS = { create: 'Will be created', update: 'Will be updated' } as const;

export function ImportUsersDialog({ personas, onClose, onImported }: { personas: readonly Persona[]; onClose: () => void; onImported: () => void }) {
  const [rows, setRows] = useState<ImportRow[]>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [results, setResults] = useState<Map<string, string>>();

  const read = async (file: File | undefined) => {
    setRows(undefined);
    setResults(undefined);
    setError(undefined);
    if (!file) return;
    try {
      const text = await file.text();
      const names = planImport(text, personas, new Map()).rows.map((r) => r.userName).filter(Boolean);
      const plan = planImport(text, personas, await existingUsers(names));
      if (plan.error) setError(plan.error);
      else setRows(plan.rows);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  const run = async () => {
    if (!rows || busy) return;
    const sent = rows.filter((r) => r.action.kind !== 'refused').length;
    if (sent === 0) return setError('No row of the file can be imported; correct the refused rows and choose the file again.');
    if (sent > MAX_ROWS) return setError(`A file can import at most ${MAX_ROWS} users at a time; this one has ${sent}. Split it and import each part.`);
    setBusy(true);
    setError(undefined);
    try {
      const response = await scim<{ Operations?: BulkResult[] }>('POST', '/Bulk', { body: bulkRequest(rows) });
      const byId = new Map<string, string>();
      for (const op of response.Operations ?? []) {
        if (!op.bulkId) continue;
        const ok = Number(op.status) < 300;
        byId.set(op.bulkId, ok ? (op.method === 'POST' ? 'Created' : 'Updated') : `Refused: ${op.response?.detail ?? `status ${op.status}`}`);
      }
      const personaFailures = (response.Operations ?? []).filter((op) => op.bulkId?.startsWith('persona-') && Number(op.status) >= 300);
      if (personaFailures.length) setError(`Some personas could not be given: ${personaFailures.map((op) => op.response?.detail ?? op.status).join(' ')}`);
      setResults(byId);
      onImported();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
    setBusy(false);
  };

  const counts = rows && {
    create: rows.filter((r) => r.action.kind === 'create').length,
    update: rows.filter((r) => r.action.kind === 'update').length,
    refused: rows.filter((r) => r.action.kind === 'refused').length,
  };

  return (
    <Dialog title="Import users from a CSV file" onClose={onClose} size="large">
      <div class="dialog__body">
        <p class="muted">
          Use the columns of an export: User Name, First Name, Last Name, Email, Job Title, Telephone, Cell Phone and Personas (names separated by “;”). A user
          name that exists updates that user; personas are added, never taken away.
        </p>
        <div class="field">
          <label class="field__label" for="import-file">
            CSV file
          </label>
          <input id="import-file" class="input" type="file" accept=".csv,text/csv" onChange={(event) => read(event.currentTarget.files?.[0])} />
        </div>
        {error && (
          <p class="alert alert--error" role="alert">
            {error}
          </p>
        )}
        {counts && (
          <p role="status" class="strong">
            {results ? 'Import finished.' : `${counts.create} to create, ${counts.update} to update, ${counts.refused} refused.`}
          </p>
        )}
        {rows && rows.length > 0 && (
          <div class="table-scroll" role="region" aria-label="Rows of the file" tabIndex={0}>
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">Line</th>
                  <th scope="col">User Name</th>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Personas</th>
                  <th scope="col">{results ? 'Result' : 'What happens'}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={row.line} data-line={row.line}>
                    <td>{row.line}</td>
                    <td class="strong">{row.userName}</td>
                    <td>{[row.givenName, row.familyName].filter(Boolean).join(' ')}</td>
                    <td>{row.email}</td>
                    <td>{row.personas.map((p) => p.displayName).join(', ')}</td>
                    <td class={row.action.kind === 'refused' ? 'import-preview__refused' : undefined}>
                      {row.action.kind === 'refused'
                        ? `Refused: ${row.action.reason}`
                        : (results?.get(rowBulkId(row)) ?? (results ? 'Unchanged' : ACTION_WORDS[row.action.kind]))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
      <div class="dialog__footer">
        {!results && (
          <button type="button" class="button button--primary" onClick={run} aria-disabled={!counts || counts.create + counts.update === 0 || busy ? 'true' : undefined}>
            {busy ? 'Importing…' : 'Import'}
          </button>
        )}
        <button type="button" class="button button--secondary" onClick={onClose}>
          {results ? 'Close' : 'Cancel'}
        </button>
      </div>
    </Dialog>
  );
}
