// The user list: the six columns the guides list first always fit a laptop (Name, User Name, Email, Status,
// Personas, Last Login); Mobile, Created, Last Modified and Two-Step are behind the column chooser. Every cell is one
// line (long text is cut with an ellipsis and whole in its tooltip), so rows are even. Under 700 px each row is a
// card (CSS), each value under its column's name.
import type { ComponentChildren, TargetedMouseEvent } from 'preact';
import { useState } from 'preact/hooks';
import { CrossIcon, SortIcon } from '../components/Icons';
import { ActionsHeader, Table } from '../components/Table';
import { formatDate, formatDateTime } from '../format';
import type { Persona } from '../personas';
import { navigate, userPath } from '../router';
import { ACCOUNT_EXT, type User } from '../scim-types';
import { directGroupIds, listName, phonesOf, primaryEmail, statusOf } from '../users';
import { SORT_BY, type Sort } from './users-query';

export interface UsersTableProps {
  readonly users: readonly User[];
  readonly personas: readonly Persona[];
  readonly sort: Sort;
  readonly onSort: (by: string) => void;
  readonly onDelete?: (user: User) => void;
  readonly busy: boolean;
  /** The user just added: the row is marked until the list changes. */
  readonly highlight?: string;
  /** The optional columns shown (OPTIONAL_COLUMNS keys). */
  readonly extra: ReadonlySet<OptionalColumn>;
}

export const OPTIONAL_COLUMNS = { mobile: 'Mobile', created: 'Created', lastModified: 'Last Modified', twoStep: 'Two-Step' } as const;
export type OptionalColumn = keyof typeof OPTIONAL_COLUMNS;

const STORED_COLUMNS = 'usher.users.columns';

/** The optional columns chosen, kept in this browser. */
export function useColumns(): [ReadonlySet<OptionalColumn>, (column: OptionalColumn, shown: boolean) => void] {
  const [shown, setShown] = useState<ReadonlySet<OptionalColumn>>(() => {
    try {
      const stored = JSON.parse(localStorage.getItem(STORED_COLUMNS) ?? '[]') as unknown;
      return new Set(Array.isArray(stored) ? (stored.filter((c) => typeof c === 'string' && c in OPTIONAL_COLUMNS) as OptionalColumn[]) : []);
    } catch {
      return new Set();
    }
  });
  const toggle = (column: OptionalColumn, on: boolean) => {
    const next = new Set(shown);
    if (on) next.add(column);
    else next.delete(column);
    setShown(next);
    try {
      localStorage.setItem(STORED_COLUMNS, JSON.stringify([...next]));
    } catch {
      // Private mode: the choice lasts for this page only.
    }
  };
  return [shown, toggle];
}

export function ColumnChooser({ shown, onToggle }: { shown: ReadonlySet<OptionalColumn>; onToggle: (column: OptionalColumn, on: boolean) => void }) {
  return (
    <details class="column-chooser">
      <summary class="button button--secondary button--small">Columns</summary>
      <fieldset class="column-chooser__menu">
        <legend class="visually-hidden">More columns to show</legend>
        {(Object.keys(OPTIONAL_COLUMNS) as OptionalColumn[]).map((column) => (
          <label key={column} class="checkbox">
            <input type="checkbox" checked={shown.has(column)} onChange={(event) => onToggle(column, event.currentTarget.checked)} />
            {OPTIONAL_COLUMNS[column]}
          </label>
        ))}
      </fieldset>
    </details>
  );
}

const SORT_CHOICES: readonly (readonly [label: string, by: string, order: 'ascending' | 'descending'])[] = [
  ['Name, A to Z', SORT_BY.name, 'ascending'],
  ['Name, Z to A', SORT_BY.name, 'descending'],
  ['User Name, A to Z', SORT_BY.userName, 'ascending'],
  ['Email, A to Z', SORT_BY.email, 'ascending'],
  ['Last Login, newest first', SORT_BY.lastLogin, 'descending'],
  ['Last Login, oldest first', SORT_BY.lastLogin, 'ascending'],
  ['Status', SORT_BY.status, 'ascending'],
  ['Created, newest first', SORT_BY.created, 'descending'],
];

/** The sort as a list, for the card layout, where there are no column headers to press (hidden by CSS otherwise). */
export function SortSelect({ sort, onSort }: { sort: Sort; onSort: (sort: Sort) => void }) {
  const value = `${sort.by}|${sort.order}`;
  const known = SORT_CHOICES.some(([, by, order]) => `${by}|${order}` === value);
  return (
    <div class="sort-select">
      <label for="users-sort" class="sort-select__label">
        Sort by
      </label>
      <select
        id="users-sort"
        class="input select"
        value={value}
        onChange={(event) => {
          const [by = SORT_BY.name, order] = event.currentTarget.value.split('|');
          onSort({ by, order: order === 'descending' ? 'descending' : 'ascending' });
        }}
      >
        {!known && <option value={value}>As the columns say</option>}
        {SORT_CHOICES.map(([label, by, order]) => (
          <option key={label} value={`${by}|${order}`}>
            {label}
          </option>
        ))}
      </select>
    </div>
  );
}

function SortHeader({ label, by, sort, onSort }: { label: string; by: string; sort: Sort; onSort: (by: string) => void }) {
  const direction = sort.by === by ? sort.order : undefined;
  return (
    <th scope="col" aria-sort={direction ?? 'none'}>
      <button type="button" class="sort-button" onClick={() => onSort(by)}>
        {label}
        <SortIcon direction={direction} />
      </button>
    </th>
  );
}

/** One cell: a label for the card layout, one line, the whole text in the tooltip. */
function Cell({ label, children, title, class: className }: { label: string; children?: ComponentChildren; title?: string; class?: string }) {
  const empty = children === undefined || children === '' || children === null;
  return (
    <td data-label={label} class={[empty ? 'muted' : '', className ?? ''].join(' ').trim() || undefined} title={title}>
      {empty ? '—' : children}
    </td>
  );
}

/** The date in the column; the time too in its tooltip. */
function DateCell({ label, iso, never }: { label: string; iso: string | undefined; never?: string }) {
  if (!iso) return <Cell label={label}>{never}</Cell>;
  return (
    <Cell label={label}>
      <time dateTime={iso} title={formatDateTime(iso)}>
        {formatDate(iso)}
      </time>
    </Cell>
  );
}

/** The user's page, opened from the list: marked so that its "← Users" and Delete come back to this list as it is. */
function UserLink({ href, children }: { href: string; children: string }) {
  const onClick = (event: TargetedMouseEvent<HTMLAnchorElement>) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href, { opened: true });
  };
  return (
    <a href={href} class="users-table__link" onClick={onClick}>
      {children}
    </a>
  );
}

export function StatusBadge({ user }: { user: User }) {
  const status = statusOf(user);
  return <span class={`badge badge--${status.toLowerCase()}`}>{status}</span>;
}

export function personaNames(user: User, personas: readonly Persona[]): string[] {
  const direct = directGroupIds(user);
  const known = new Set(personas.map((p) => p.id));
  return (user.groups ?? [])
    .filter((g) => g.value && direct.has(g.value) && (known.size === 0 || known.has(g.value)))
    .map((g) => g.display ?? '')
    .filter(Boolean);
}

export function UsersTable({ users, personas, sort, onSort, onDelete, busy, highlight, extra }: UsersTableProps) {
  return (
    <Table
      class="users-table"
      focusable={false}
      tableClass="table table--users"
      busy={busy}
      caption={{ id: 'users-caption', text: 'Portal users' }}
      head={
        <>
          <SortHeader label="Name" by={SORT_BY.name} sort={sort} onSort={onSort} />
          <SortHeader label="User Name" by={SORT_BY.userName} sort={sort} onSort={onSort} />
          <SortHeader label="Email" by={SORT_BY.email} sort={sort} onSort={onSort} />
          <SortHeader label="Status" by={SORT_BY.status} sort={sort} onSort={onSort} />
          <th scope="col">Personas</th>
          <SortHeader label="Last Login" by={SORT_BY.lastLogin} sort={sort} onSort={onSort} />
          {extra.has('mobile') && <th scope="col">Mobile</th>}
          {extra.has('created') && <SortHeader label="Created" by={SORT_BY.created} sort={sort} onSort={onSort} />}
          {extra.has('lastModified') && <SortHeader label="Last Modified" by={SORT_BY.lastModified} sort={sort} onSort={onSort} />}
          {extra.has('twoStep') && <SortHeader label="Two-Step" by={SORT_BY.twoStep} sort={sort} onSort={onSort} />}
          {onDelete && <ActionsHeader class="actions-header" />}
        </>
      }
    >
      {users.map((user) => {
        const name = listName(user);
        const email = primaryEmail(user);
        const names = personaNames(user, personas).join(', ');
        const twoStep = user[ACCOUNT_EXT]?.mfaEnabled === true;
        return (
          <tr key={user.id} class={user.id === highlight ? 'is-new' : undefined}>
            <Cell label="Name" class="users-table__name" title={name || undefined}>
              <UserLink href={userPath(user.id)}>{name || user.userName}</UserLink>
              {user.id === highlight && <span class="badge badge--new">New</span>}
            </Cell>
            <Cell label="User Name" class="strong" title={user.userName}>
              {user.userName}
            </Cell>
            <Cell label="Email" title={email}>
              {email}
            </Cell>
            <Cell label="Status">
              <StatusBadge user={user} />
            </Cell>
            <Cell label="Personas" title={names || undefined}>
              {names}
            </Cell>
            <DateCell label="Last Login" iso={user[ACCOUNT_EXT]?.lastLogin} never="Never" />
            {extra.has('mobile') && <Cell label="Mobile">{phonesOf(user).mobile}</Cell>}
            {extra.has('created') && <DateCell label="Created" iso={user.meta?.created} />}
            {extra.has('lastModified') && <DateCell label="Last Modified" iso={user.meta?.lastModified} />}
            {extra.has('twoStep') && (
              <Cell label="Two-Step" title={twoStep ? 'Two-step verification is on' : 'Two-step verification is off'}>
                {twoStep ? 'On' : 'Off'}
              </Cell>
            )}
            {onDelete && (
              <td class="row-actions">
                <button
                  type="button"
                  class="icon-button icon-button--danger"
                  aria-label={`Delete ${user.userName}`}
                  title={`Delete ${user.userName}`}
                  onClick={() => onDelete(user)}
                >
                  <CrossIcon />
                </button>
              </td>
            )}
          </tr>
        );
      })}
    </Table>
  );
}
