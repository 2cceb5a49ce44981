// "Export CSV" (the list as filtered, searched and sorted, every page, through cursor paging) and "Import CSV".
import { useState } from 'preact/hooks';
import { scim } from '../api';
import { COLUMNS, toCsv, userRow } from '../csv';
import type { Persona } from '../personas';
import type { ListResponse, User } from '../scim-types';
import { usersFilter, type StatusFilter } from '../users';
import { ImportUsersDialog } from './ImportUsersDialog';
import type { Sort } from './users-query';

const EXPORT_PAGE = 100;

async function allUsers(search: string, personaId: string, status: StatusFilter, sort: Sort): Promise<User[]> {
  const users: User[] = [];
  let cursor = '';
  for (;;) {
    const list = await scim<ListResponse<User>>('GET', '/Users', {
      query: { filter: usersFilter(search, personaId, status), sortBy: sort.by, sortOrder: sort.order, count: EXPORT_PAGE, cursor },
    });
    users.push(...(list.Resources ?? []));
    if (!list.nextCursor || (list.Resources ?? []).length === 0) return users;
    cursor = list.nextCursor;
  }
}

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export interface UsersCsvActionsProps {
  readonly search: string;
  readonly personaId: string;
  readonly status: StatusFilter;
  readonly sort: Sort;
  readonly personas: readonly Persona[];
  readonly canWrite: boolean;
  readonly onImported: () => void;
}

export function UsersCsvActions(props: UsersCsvActionsProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [importing, setImporting] = useState(false);
  const exportCsv = async () => {
    if (busy) return;
    setBusy(true);
    setError(undefined);
    try {
      const users = await allUsers(props.search, props.personaId, props.status, props.sort);
      download(`users-${new Date().toISOString().slice(0, 10)}.csv`, toCsv([[...COLUMNS], ...users.map((user) => userRow(user, props.personas))]));
    } catch (e) {
      setError(`The export failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    setBusy(false);
  };
  return (
    <div class="csv-actions">
      <button type="button" class="button button--secondary" onClick={exportCsv} aria-disabled={busy ? 'true' : undefined}>
        {busy ? 'Exporting…' : 'Export CSV'}
      </button>
      {props.canWrite && (
        <button type="button" class="button button--secondary" onClick={() => setImporting(true)}>
          Import CSV
        </button>
      )}
      {error && (
        <p class="alert alert--error" role="alert">
          {error}
        </p>
      )}
      {importing && <ImportUsersDialog personas={props.personas} onClose={() => setImporting(false)} onImported={props.onImported} />}
    </div>
  );
}
