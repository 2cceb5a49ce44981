// User Management: search, persona filter, the sortable, cursor-paged user list, and the add and edit dialogs.
import { useState } from 'preact/hooks';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { PlusIcon } from '../components/Icons';
import { LiveStatus, type StatusMessage } from '../components/LiveStatus';
import { PageHeading } from '../components/PageHeading';
import { Pager } from '../components/Pager';
import { plural } from '../format';
import { useCursorPages, useDebounced } from '../hooks';
import { usePersonas } from '../personas';
import { leave, navigate, userPath } from '../router';
import type { User } from '../scim-types';
import { AddUserDialog } from './AddUserDialog';
import { EditUserDialog } from './EditUserDialog';
import { deleteUser } from './edit/actions';
import { UsersTable } from './UsersTable';
import { UsersCsvActions } from './UsersCsvActions';
import { UsersToolbar } from './UsersToolbar';
import { DEFAULT_SORT, fetchUsers, firstOrder, type Sort } from './users-query';

export type UsersDialog = { readonly kind: 'new' } | { readonly kind: 'edit'; readonly id: string };

export interface UsersPageProps {
  readonly canWrite: boolean;
  readonly dialog?: UsersDialog;
}

const focusHeading = () => document.getElementById('page-title');

export function UsersPage({ canWrite, dialog }: UsersPageProps) {
  const { personas, error: personasError } = usePersonas();
  const [searchText, setSearchText] = useState('');
  const search = useDebounced(searchText, 300);
  const [personaId, setPersonaId] = useState('');
  const [sort, setSort] = useState<Sort>(DEFAULT_SORT);
  const [reloads, setReloads] = useState(0);
  const [status, setStatus] = useState<StatusMessage>();
  const [deleting, setDeleting] = useState<User>();

  const { list, error: loadError, total, setCursor } = useCursorPages(
    [search, personaId, sort],
    (cursor) => fetchUsers({ search, personaId, sort, cursor }),
    reloads,
  );
  const reload = () => setReloads((n) => n + 1);

  const onSort = (by: string) =>
    setSort((current) => (current.by === by ? { by, order: current.order === 'ascending' ? 'descending' : 'ascending' } : { by, order: firstOrder(by) }));

  const resetSearch = () => {
    setSearchText('');
    setPersonaId('');
    setSort(DEFAULT_SORT);
  };

  const afterDelete = (user: User) => {
    setStatus({ text: `${user.userName} is deleted.`, tone: 'success' });
    reload();
    requestAnimationFrame(() => focusHeading()?.focus());
  };

  const confirmDelete = async (user: User) => {
    await deleteUser(user.id);
    setDeleting(undefined);
    afterDelete(user);
  };

  const users = list.data?.Resources ?? [];

  return (
    <main id="main" class="page">
      <div class="page__header">
        <PageHeading title="User Management">User Management</PageHeading>
        {canWrite && (
          <button type="button" class="button button--primary" onClick={() => navigate('/admin/users/new', { opened: true })}>
            <PlusIcon />
            Add New Portal User
          </button>
        )}
      </div>

      <section class="card" aria-labelledby="page-title">
        <UsersToolbar
          searchText={searchText}
          onSearchText={setSearchText}
          personaId={personaId}
          onPersona={setPersonaId}
          personas={personas}
          onReset={resetSearch}
        />
        <UsersCsvActions search={search} personaId={personaId} sort={sort} personas={personas} canWrite={canWrite} onImported={reload} />

        <div class="list-meta">
          <p role="status" class="list-meta__count">
            {total === undefined ? (list.loading ? 'Loading users…' : '') : plural(total, 'user', 'users')}
          </p>
        </div>
        <LiveStatus message={status} />
        {personasError && <p class="alert alert--error">The personas could not be loaded: {personasError}</p>}
        {loadError !== undefined && (
          <p class="alert alert--error" role="alert">
            {loadError instanceof Error ? loadError.message : String(loadError)}
          </p>
        )}

        {users.length > 0 ? (
          <UsersTable
            users={users}
            personas={personas}
            sort={sort}
            onSort={onSort}
            busy={list.loading}
            onEdit={(user) => navigate(userPath(user.id), { opened: true })}
            onDelete={canWrite ? setDeleting : undefined}
          />
        ) : (
          !list.loading && !loadError && <p class="empty">{search || personaId ? 'No users match your search.' : 'There are no users yet.'}</p>
        )}
        <Pager label="Pages of users" previous={list.data?.previousCursor} next={list.data?.nextCursor} onPage={setCursor} busy={list.loading} />
      </section>

      {deleting && (
        <ConfirmDialog
          message={`Delete ${deleting.userName}? This cannot be undone.`}
          onConfirm={() => confirmDelete(deleting)}
          onClose={() => setDeleting(undefined)}
          fallbackFocus={focusHeading}
        />
      )}
      {dialog?.kind === 'new' && canWrite && (
        <AddUserDialog
          personas={personas}
          onClose={() => leave('/admin/users')}
          onCreated={(message) => {
            setStatus(message);
            reload();
          }}
        />
      )}
      {dialog?.kind === 'edit' && (
        <EditUserDialog
          key={dialog.id}
          userId={dialog.id}
          canWrite={canWrite}
          personas={personas}
          onClose={() => leave('/admin/users')}
          onChanged={reload}
          onDeleted={(user) => {
            leave('/admin/users');
            afterDelete(user);
          }}
          fallbackFocus={focusHeading}
        />
      )}
    </main>
  );
}
