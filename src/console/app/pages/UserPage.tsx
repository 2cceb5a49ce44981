// A user's page, /admin/users/{id}: who they are and the account's actions (header), then the profile form,
// personas, sign-in and security, groups and history, each with its feedback next to it.
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api';
import { errorMessage } from '../components/LiveStatus';
import { usePersonas } from '../personas';
import { leave, setLeaveGuard } from '../router';
import type { User } from '../scim-types';
import { currentSession } from '../session';
import { getUser } from './user/actions';
import { GroupsCard } from './user/GroupsCard';
import { HistoryCard } from './user/HistoryCard';
import { PersonasCard } from './user/PersonasCard';
import { ProfileCard, useLeaveGuard } from './user/ProfileCard';
import { SecurityCard } from './user/SecurityCard';
import { GONE, useAction } from './user/use-action';
import { UserHeader } from './user/UserHeader';
import { personaNames } from './UsersTable';

export function UserPage({ userId, canWrite }: { userId: string; canWrite: boolean }) {
  const { personas } = usePersonas();
  const [user, setUser] = useState<User>();
  const [loadError, setLoadError] = useState<string>();
  const [loading, setLoading] = useState(true);
  const [profileDirty, setProfileDirty] = useState(false);
  const [personasDirty, setPersonasDirty] = useState(false);
  useLeaveGuard(profileDirty || personasDirty);

  const reread = async () => {
    setLoading(true);
    try {
      setUser(await getUser(userId));
      setLoadError(undefined);
    } catch (error) {
      setLoadError(error instanceof ApiError && error.status === 404 ? GONE : errorMessage(error).text);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => void reread(), [userId]);

  const header = useAction(reread);
  const profile = useAction(reread);
  const personasAction = useAction(reread);
  const security = useAction(reread);

  const back = (
    <p class="breadcrumb">
      <a
        href="/admin/users"
        onClick={(event) => {
          if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
          event.preventDefault();
          // Back to the list as it was (search, filters, page) when the page was opened from it.
          leave('/admin/users');
        }}
      >
        ← Users
      </a>
    </p>
  );

  if (!user) {
    return (
      <main id="main" class="page">
        {back}
        <h1 class="page__title" id="page-title" tabIndex={-1}>
          User
        </h1>
        {loadError ? (
          <div class="alert alert--error alert--action" role="alert">
            <p>The user could not be loaded: {loadError}</p>
            {loadError !== GONE && (
              <button type="button" class="button button--secondary button--small" onClick={() => void reread()}>
                {loading ? 'Retrying…' : 'Retry'}
              </button>
            )}
          </div>
        ) : (
          <p class="muted" role="status">
            Loading the user…
          </p>
        )}
      </main>
    );
  }

  const own = user.id === currentSession()?.user.id;
  return (
    <main id="main" class="page user-page">
      {back}
      <UserHeader
        user={user}
        personaNames={personaNames(user, personas)}
        canWrite={canWrite}
        own={own}
        action={header}
        onDeleted={() => {
          // Nothing left to save: the list, as it was when the page was opened.
          setLeaveGuard(undefined);
          leave('/admin/users');
        }}
      />
      {loadError && (
        <p class="alert alert--error" role="alert">
          {loadError}
        </p>
      )}
      <div class="user-page__grid">
        <ProfileCard user={user} canWrite={canWrite} action={profile} onDirty={setProfileDirty} />
        <div class="user-page__column">
          <PersonasCard user={user} canWrite={canWrite} own={own} personas={personas} action={personasAction} onDirty={setPersonasDirty} />
          <SecurityCard user={user} canWrite={canWrite} own={own} action={security} />
          <GroupsCard user={user} />
        </div>
        <HistoryCard userId={user.id} version={user.meta?.version} />
      </div>
    </main>
  );
}
