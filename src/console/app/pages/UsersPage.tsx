// User Management: search, persona and status filters, the sortable, cursor-paged user list, and the add dialog.
// The whole list state is in the address (users-query.ts), so Back and a reload show the same list.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api';
import { useConfirmation } from '../components/ConfirmDialog';
import { PlusIcon } from '../components/Icons';
import { LiveStatus, type StatusMessage } from '../components/LiveStatus';
import { PageHeading } from '../components/PageHeading';
import { Pager } from '../components/Pager';
import { useDebounced, useLoad } from '../hooks';
import { usePersonas } from '../personas';
import { leave, navigate, useLocation } from '../router';
import type { User } from '../scim-types';
import { displayNameOf, type StatusFilter } from '../users';
import { AddUserDialog } from './AddUserDialog';
import { deleteUser } from './user/actions';
import { ColumnChooser, SortSelect, UsersTable, useColumns } from './UsersTable';
import { UsersCsvActions } from './UsersCsvActions';
import { UsersToolbar } from './UsersToolbar';
import { addressOf, DEFAULT_SORT, fetchTotal, fetchUsers, firstOrder, queryOf, rangeText, type UsersQuery } from './users-query';

export interface UsersPageProps {
  readonly canWrite: boolean;
  readonly adding?: boolean;
}

const focusHeading = () => document.getElementById('page-title');

// What another page did that the list should say when it shows next (a user deleted from their page).
let pending: StatusMessage | undefined;

/** Says `message` on the list when it opens next. */
export function sayOnList(message: StatusMessage): void {
  pending = message;
}

/** The list's address after a change: a new question starts at the first page. */
function go(query: UsersQuery, options: { replace?: boolean } = {}): void {
  navigate(addressOf(query), options);
}

export function UsersPage({ canWrite, adding }: UsersPageProps) {
  const location = useLocation();
  const query = queryOf(location.search);
  const { personas, error: personasError } = usePersonas();
  const [searchText, setSearchText] = useState(query.search);
  const search = useDebounced(searchText, 300);
  const [reloads, setReloads] = useState(0);
  const [status, setStatus] = useState<StatusMessage | undefined>(() => {
    const message = pending;
    pending = undefined;
    return message;
  });
  const deletion = useConfirmation();
  const [highlight, setHighlight] = useState<string>();
  const [columns, toggleColumn] = useColumns();
  const [total, setTotal] = useState<number>();

  // Back or a link changed the search in the address: the box follows.
  useEffect(() => {
    if (query.search !== searchText) setSearchText(query.search);
  }, [query.search]);
  // The typed search, once settled, goes to the address (replacing the entry: typing is not a step to go back to).
  useEffect(() => {
    if (search === searchText && search !== query.search) go({ ...query, search, cursor: '', page: 1 }, { replace: true });
  }, [search]);

  const question = JSON.stringify([query.search, query.personaId, query.status, query.sort]);
  const list = useLoad(() => fetchUsers(query), [question, query.cursor, reloads]);
  const reload = () => setReloads((n) => n + 1);

  const latestQuestion = useRef(question);
  latestQuestion.current = question;
  // A new question or a reload (after a deletion, say) counts again.
  useEffect(() => setTotal(undefined), [question, reloads]);
  useEffect(() => {
    if (list.data?.totalResults !== undefined) setTotal(list.data.totalResults);
    else if (list.data && total === undefined) {
      // Pages come without their total (fetchUsers), so that a common search shows its first rows at once: the
      // number is asked for alone, once the page is there.
      const asked = question;
      fetchTotal(query).then(
        (n) => asked === latestQuestion.current && setTotal(n),
        () => undefined,
      );
    }
  }, [list.data]);
  // A cursor from before the list changed (or expired): back to the first page of the same question.
  const refused = list.error instanceof ApiError && (list.error.code === 'invalidCursor' || list.error.code === 'expiredCursor');
  useEffect(() => {
    if (refused) go({ ...query, cursor: '', page: 1 }, { replace: true });
  }, [list.error]);
  const loadError = refused ? undefined : list.error;

  const onSort = (by: string) => {
    const sort = query.sort.by === by ? { by, order: query.sort.order === 'ascending' ? ('descending' as const) : ('ascending' as const) } : { by, order: firstOrder(by) };
    go({ ...query, sort, cursor: '', page: 1 });
  };

  const resetSearch = () => {
    setSearchText('');
    go({ search: '', personaId: '', status: '', sort: DEFAULT_SORT, cursor: '', page: 1 });
  };

  const askDelete = (user: User) =>
    deletion.ask({
      title: `Delete ${displayNameOf(user)}?`,
      message: `${displayNameOf(user)} (${user.userName}) is removed for good, with their personas and sign-in. Their history is kept. This cannot be undone.`,
      confirmLabel: 'Delete user',
      fallbackFocus: focusHeading,
      act: () => deleteUser(user.id),
      done: () => {
        setStatus({ text: `${displayNameOf(user)} is deleted.`, tone: 'success' });
        reload();
        requestAnimationFrame(() => focusHeading()?.focus());
      },
    });

  const users = list.data?.Resources ?? [];
  const range = list.data ? rangeText(query.page, users.length, total) : undefined;
  const filtered = Boolean(query.search || query.personaId || query.status);

  return (
    <main id="main" class="page page--wide">
      <div class="page__header">
        <PageHeading title="User Management">User Management</PageHeading>
        {canWrite && (
          <button type="button" class="button button--primary" onClick={() => navigate(`/admin/users/new${location.search.size ? `?${location.search}` : ''}`, { opened: true })}>
            <PlusIcon />
            Add New Portal User
          </button>
        )}
      </div>

      <section class="card" aria-labelledby="page-title">
        <UsersToolbar
          searchText={searchText}
          onSearchText={setSearchText}
          personaId={query.personaId}
          onPersona={(personaId) => go({ ...query, personaId, cursor: '', page: 1 })}
          status={query.status}
          onStatus={(value: StatusFilter) => go({ ...query, status: value, cursor: '', page: 1 })}
          personas={personas}
          onReset={resetSearch}
        />
        <UsersCsvActions search={query.search} personaId={query.personaId} status={query.status} sort={query.sort} personas={personas} canWrite={canWrite} onImported={reload} />

        <div class="list-meta">
          <p role="status" class="list-meta__count">
            {list.loading ? 'Loading users…' : range ? `Showing ${range}` : ''}
          </p>
          <SortSelect sort={query.sort} onSort={(sort) => go({ ...query, sort, cursor: '', page: 1 })} />
          <ColumnChooser shown={columns} onToggle={toggleColumn} />
        </div>
        <LiveStatus message={status} />
        {personasError && <p class="alert alert--error">The personas could not be loaded: {personasError}</p>}
        {loadError !== undefined && !list.loading && (
          <div class="alert alert--error alert--action" role="alert">
            <p>The users could not be loaded: {loadError instanceof Error ? loadError.message : String(loadError)}</p>
            <button type="button" class="button button--secondary button--small" onClick={reload}>
              Retry
            </button>
          </div>
        )}

        {users.length > 0 ? (
          <UsersTable
            users={users}
            personas={personas}
            sort={query.sort}
            onSort={onSort}
            busy={list.loading}
            highlight={highlight}
            extra={columns}
            onDelete={canWrite ? askDelete : undefined}
          />
        ) : (
          !list.loading && !loadError && <p class="empty">{filtered ? 'No users match your search.' : 'There are no users yet.'}</p>
        )}
        <Pager
          label="Pages of users"
          previous={list.data?.previousCursor}
          next={list.data?.nextCursor}
          onPage={(cursor, step) => go({ ...query, cursor, page: Math.max(1, query.page + step) })}
          busy={list.loading}
          range={range}
        />
      </section>

      {deletion.dialog}
      {adding && canWrite && (
        <AddUserDialog
          personas={personas}
          onClose={() => leave(addressOf(query))}
          onCreated={(message, id) => {
            setStatus(message);
            setHighlight(id);
            reload();
          }}
        />
      )}
    </main>
  );
}
