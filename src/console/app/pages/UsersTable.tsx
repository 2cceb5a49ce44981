// The user list as a table: sortable column headers (buttons, aria-sort on the th) and per-row Edit and Delete.
import type { ComponentChildren } from 'preact';
import { CrossIcon, PencilIcon, SortIcon } from '../components/Icons';
import { formatDate, formatDateTime } from '../format';
import type { Persona } from '../personas';
import { ACCOUNT_EXT, type User } from '../scim-types';
import { directGroupIds, listName, phonesOf, primaryEmail, statusOf } from '../users';
import { SORT_BY, type Sort } from './users-query';

export interface UsersTableProps {
  readonly users: readonly User[];
  readonly personas: readonly Persona[];
  readonly sort: Sort;
  readonly onSort: (by: string) => void;
  readonly onEdit: (user: User) => void;
  readonly onDelete?: (user: User) => void;
  readonly busy: boolean;
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

/** The date in the column; the time too in its tooltip. */
function DateCell({ iso }: { iso: string | undefined }) {
  if (!iso) return <td class="muted">—</td>;
  return (
    <td>
      <time dateTime={iso} title={formatDateTime(iso)}>
        {formatDate(iso)}
      </time>
    </td>
  );
}

function StatusBadge({ user }: { user: User }) {
  const status = statusOf(user);
  return <span class={`badge badge--${status.toLowerCase()}`}>{status}</span>;
}

/** Whether the user has two-step verification: said in words, not by a mark alone. */
function TwoStepCell({ user }: { user: User }) {
  const on = user[ACCOUNT_EXT]?.mfaEnabled === true;
  return (
    <td class={on ? undefined : 'muted'} title={on ? 'Two-step verification is on' : 'Two-step verification is off'}>
      {on ? 'On' : 'Off'}
    </td>
  );
}

function personaNames(user: User, personas: readonly Persona[]): string {
  const direct = directGroupIds(user);
  const known = new Set(personas.map((p) => p.id));
  return (user.groups ?? [])
    .filter((g) => g.value && direct.has(g.value) && (known.size === 0 || known.has(g.value)))
    .map((g) => g.display ?? '')
    .filter(Boolean)
    .join(', ');
}

function Cell({ children, wrap }: { children: ComponentChildren; wrap?: boolean }) {
  if (!children) return <td class="muted">—</td>;
  return <td class={wrap ? 'wrap' : undefined}>{children}</td>;
}

export function UsersTable({ users, personas, sort, onSort, onEdit, onDelete, busy }: UsersTableProps) {
  return (
    <div class="table-scroll" role="region" aria-labelledby="users-caption" tabIndex={0}>
      <table class="table" aria-busy={busy ? 'true' : 'false'}>
        <caption id="users-caption" class="visually-hidden">
          Portal users
        </caption>
        <thead>
          <tr>
            <SortHeader label="Name" by={SORT_BY.name} sort={sort} onSort={onSort} />
            <SortHeader label="User Name" by={SORT_BY.userName} sort={sort} onSort={onSort} />
            <SortHeader label="Email" by={SORT_BY.email} sort={sort} onSort={onSort} />
            <th scope="col">Mobile</th>
            <SortHeader label="Created" by={SORT_BY.created} sort={sort} onSort={onSort} />
            <SortHeader label="Last Modified" by={SORT_BY.lastModified} sort={sort} onSort={onSort} />
            <SortHeader label="Last Login" by={SORT_BY.lastLogin} sort={sort} onSort={onSort} />
            <SortHeader label="Status" by={SORT_BY.status} sort={sort} onSort={onSort} />
            <SortHeader label="Two-Step" by={SORT_BY.twoStep} sort={sort} onSort={onSort} />
            <th scope="col">Personas</th>
            <th scope="col" class="actions-header">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {users.map((user) => (
            <tr key={user.id}>
              <Cell>{listName(user)}</Cell>
              <td class="strong">{user.userName}</td>
              <Cell>{primaryEmail(user)}</Cell>
              <Cell>{phonesOf(user).mobile}</Cell>
              <DateCell iso={user.meta?.created} />
              <DateCell iso={user.meta?.lastModified} />
              <DateCell iso={user[ACCOUNT_EXT]?.lastLogin} />
              <td>
                <StatusBadge user={user} />
              </td>
              <TwoStepCell user={user} />
              <Cell wrap>{personaNames(user, personas)}</Cell>
              <td class="row-actions">
                <button type="button" class="icon-button" aria-label={`Edit ${user.userName}`} title={`Edit ${user.userName}`} onClick={() => onEdit(user)}>
                  <PencilIcon />
                </button>
                {onDelete && (
                  <button
                    type="button"
                    class="icon-button icon-button--danger"
                    aria-label={`Delete ${user.userName}`}
                    title={`Delete ${user.userName}`}
                    onClick={() => onDelete(user)}
                  >
                    <CrossIcon />
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
