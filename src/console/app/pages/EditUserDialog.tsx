// "User Account Update": every action on one user, section by section; after each one the dialog announces what
// happened and re-reads the user, so it always shows the current state.
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Dialog } from '../components/Dialog';
import { LiveStatus, errorMessage, type StatusMessage } from '../components/LiveStatus';
import type { Persona } from '../personas';
import type { User } from '../scim-types';
import { currentSession } from '../session';
import { DeactivateSection, LockSection, ResetPasswordSection, TemporaryPasswordSection, TwoStepSection, WelcomeSection } from './edit/AccountSections';
import { deleteUser, getUser } from './edit/actions';
import { EmailSection } from './edit/EmailSection';
import { GroupsSections } from './edit/GroupsSection';
import { PersonasSection } from './edit/PersonasSection';
import type { Run } from './edit/section-props';
import { UserInfoSection } from './edit/UserInfoSection';

export interface EditUserDialogProps {
  readonly userId: string;
  readonly canWrite: boolean;
  readonly personas: readonly Persona[];
  readonly onClose: () => void;
  /** The user changed: the list behind should show it. */
  readonly onChanged: () => void;
  readonly onDeleted: (user: User) => void;
  readonly fallbackFocus?: () => HTMLElement | null | undefined;
}

const CHANGED_MEANWHILE = 'Someone else changed this user meanwhile: the dialog now shows the latest details. Make your change again.';
const GONE = 'This user does not exist any more.';

export function EditUserDialog(props: EditUserDialogProps) {
  const { userId, canWrite, personas } = props;
  const [user, setUser] = useState<User>();
  const [loadError, setLoadError] = useState<string>();
  const [status, setStatus] = useState<StatusMessage>();
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  // Bumped to throw away every section's unsaved input (after a conflict).
  const [generation, setGeneration] = useState(0);

  const reread = async () => {
    try {
      setUser(await getUser(userId));
    } catch (error) {
      setLoadError(error instanceof ApiError && error.status === 404 ? GONE : errorMessage(error).text);
    }
  };

  useEffect(() => void reread(), [userId]);

  const run: Run = async (work) => {
    if (busy) return undefined;
    setBusy(true);
    setStatus(undefined);
    try {
      const text = await work();
      // Announce once the dialog shows the new state, so what is heard and what is seen agree.
      await reread();
      setStatus({ text, tone: 'success' });
      props.onChanged();
      return undefined;
    } catch (error) {
      if (error instanceof ApiError && error.status === 412) {
        setStatus({ text: CHANGED_MEANWHILE, tone: 'error' });
        await reread();
        setGeneration((g) => g + 1);
      } else {
        setStatus(error instanceof ApiError && error.status === 404 ? { text: GONE, tone: 'error' } : errorMessage(error));
      }
      return error;
    } finally {
      setBusy(false);
    }
  };

  const title = user ? `User Account Update: ${user.displayName || user.userName}(${user.userName})` : 'User Account Update';
  const section = { user: user!, busy, run };

  return (
    <Dialog title={title} onClose={props.onClose} size="large" fallbackFocus={props.fallbackFocus}>
      <div class="dialog__body">
        {!user && <p class={loadError ? 'alert alert--error' : 'muted'}>{loadError ?? 'Loading…'}</p>}
        {user && (
          <div class="sections" key={generation}>
            <LockSection {...section} canWrite={canWrite} />
            {canWrite && <ResetPasswordSection {...section} />}
            {canWrite && <TemporaryPasswordSection {...section} />}
            <TwoStepSection {...section} canWrite={canWrite} own={user.id === currentSession()?.user.id} />
            <EmailSection {...section} canWrite={canWrite} />
            <PersonasSection {...section} canWrite={canWrite} personas={personas} />
            <UserInfoSection {...section} canWrite={canWrite} />
            {canWrite && <DeactivateSection {...section} />}
            {canWrite && <WelcomeSection {...section} />}
            <GroupsSections user={user} />
          </div>
        )}
      </div>
      <div class="dialog__footer dialog__footer--spread">
        <LiveStatus message={status} class="dialog__status" />
        <div class="dialog__footer-buttons">
          {canWrite && user && (
            <button type="button" class="button button--danger-outline" onClick={() => !busy && setConfirming(true)} aria-disabled={busy ? 'true' : undefined}>
              Delete User
            </button>
          )}
          <button type="button" class="button button--secondary" onClick={props.onClose}>
            Close
          </button>
        </div>
      </div>
      {confirming && user && (
        <ConfirmDialog
          message={`Delete ${user.userName}? This cannot be undone.`}
          onConfirm={async () => {
            await deleteUser(user.id);
            setConfirming(false);
            props.onDeleted(user);
          }}
          onClose={() => setConfirming(false)}
        />
      )}
    </Dialog>
  );
}
