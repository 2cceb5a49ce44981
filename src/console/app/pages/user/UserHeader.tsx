// The user page's header: who (name, user name, status, personas) and the account's actions, weighted: one primary
// (the password reset mail, the guides' first answer to "I cannot sign in"), the others secondary, Delete apart.
// Every action that locks someone out or ends their sessions asks first, naming the person and saying what happens.
import { useEffect, useState } from 'preact/hooks';
import { lockedBy } from '../../account-status';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { LiveStatus } from '../../components/LiveStatus';
import { PageHeading } from '../../components/PageHeading';
import { formatDateTime } from '../../format';
import { ACCOUNT_EXT, type User } from '../../scim-types';
import { displayNameOf, primaryEmail, statusOf } from '../../users';
import { StatusBadge } from '../UsersTable';
import { sayOnList } from '../UsersPage';
import { deactivateUser, deleteUser, reactivateUser, sendPasswordReset, sendWelcome, setActive } from './actions';
import type { Confirmation } from './Confirm';
import type { Action } from './use-action';

const LOCK_REASONS: Record<string, string> = {
  admin: 'Locked by an administrator.',
  provisioning: 'Turned off by the identity provider.',
  deactivated: 'Deactivated by an administrator.',
  failedLogins: 'Locked after too many failed sign-ins.',
};

/** The lock reason with who did it, when the history names them: "Locked by Ada Lovelace." */
function reasonBy(lockReason: string | undefined, reason: string, by: string | undefined): string {
  if (!by) return reason;
  if (lockReason === 'admin') return `Locked by ${by}.`;
  if (lockReason === 'deactivated') return `Deactivated by ${by}.`;
  if (lockReason === 'provisioning') return `Turned off by the identity provider (${by}).`;
  return reason;
}

export interface UserHeaderProps {
  readonly user: User;
  readonly personaNames: readonly string[];
  readonly canWrite: boolean;
  readonly own: boolean;
  readonly action: Action;
  readonly onDeleted: () => void;
}

function Button(props: { label: string; tone?: 'primary' | 'secondary' | 'danger'; off?: string; busy: boolean; onClick: () => void }) {
  const off = props.busy || props.off !== undefined;
  return (
    <button
      type="button"
      class={`button button--${props.tone === 'danger' ? 'danger-outline' : (props.tone ?? 'secondary')}`}
      aria-disabled={off ? 'true' : undefined}
      title={props.off}
      onClick={() => !off && props.onClick()}
    >
      {props.label}
    </button>
  );
}

export function UserHeader({ user, personaNames, canWrite, own, action, onDeleted }: UserHeaderProps) {
  const [confirming, setConfirming] = useState<Confirmation>();
  const name = displayNameOf(user);
  const email = primaryEmail(user);
  const status = statusOf(user);
  const account = user[ACCOUNT_EXT];
  const reason = user.active === false && account?.lockReason ? LOCK_REASONS[account.lockReason] : undefined;
  const until = user.active === false && account?.lockedUntil ? ` It unlocks by itself at ${formatDateTime(account.lockedUntil)}.` : '';
  // Who locked or deactivated the account: the history's last lock entry names them.
  const [by, setBy] = useState<string>();
  useEffect(() => {
    setBy(undefined);
    if (user.active !== false) return;
    let current = true;
    lockedBy(user.id).then(
      (who) => current && setBy(who),
      () => {},
    );
    return () => {
      current = false;
    };
  }, [user.id, user.active, account?.lockReason]);
  const noMail = email ? undefined : 'This user has no email address: add one in the profile to send mail.';
  const self = own ? 'You cannot do this to your own account.' : undefined;

  const confirmed = (c: Omit<Confirmation, 'act'>, work: () => Promise<string>) =>
    setConfirming({
      ...c,
      act: async () => {
        const failure = await action.run(work);
        if (failure !== undefined) throw failure;
        setConfirming(undefined);
      },
    });

  const lock = () =>
    confirmed(
      { title: `Lock ${name}?`, message: `${name} is signed out everywhere and cannot sign in until the account is unlocked.`, confirmLabel: 'Lock account' },
      async () => {
        await setActive(user.id, false);
        return `${name} is locked.`;
      },
    );
  const deactivate = () =>
    confirmed(
      {
        title: `Deactivate ${name}?`,
        message: `${name} no longer needs access: they are signed out everywhere and cannot sign in. The account and its history are kept.`,
        confirmLabel: 'Deactivate user',
      },
      async () => {
        await deactivateUser(user.id);
        return `${name} is deactivated and cannot sign in.`;
      },
    );
  const activate = () =>
    action.run(async () => {
      if (status === 'Deactivated') await reactivateUser(user.id);
      else await setActive(user.id, true);
      return status === 'Deactivated' ? `${name} is active again and can sign in.` : `${name} is unlocked and can sign in.`;
    });
  const resetMail = () =>
    action.run(async () => {
      await sendPasswordReset(user.id);
      return `A password reset email is on its way to ${email}.`;
    });
  const welcome = () =>
    action.run(async () => {
      await sendWelcome(user.id);
      return `The welcome email is on its way to ${email}.`;
    });
  const remove = () =>
    setConfirming({
      title: `Delete ${name}?`,
      message: `${name} (${user.userName}) is removed for good, with their personas and sign-in. Their history is kept. This cannot be undone.`,
      confirmLabel: 'Delete user',
      act: async () => {
        await deleteUser(user.id);
        setConfirming(undefined);
        sayOnList({ text: `${name} is deleted.`, tone: 'success' });
        onDeleted();
      },
    });

  return (
    <section class="card user-header" aria-labelledby="page-title">
      <div class="user-header__who">
        <PageHeading title={name}>{name}</PageHeading>
        <p class="user-header__user-name">{user.userName}</p>
        <p class="user-header__facts">
          <StatusBadge user={user} />
          {personaNames.length > 0 ? (
            <span class="user-header__personas">
              <span class="visually-hidden">Personas: </span>
              {personaNames.map((p) => (
                <span key={p} class="chip">
                  {p}
                </span>
              ))}
            </span>
          ) : (
            <span class="muted small">No personas</span>
          )}
        </p>
        {reason && <p class="muted small">{`${reasonBy(account?.lockReason, reason, by)}${until}`}</p>}
      </div>
      {canWrite && (
        <div class="user-header__actions" role="group" aria-label="Account actions">
          <Button label="Send password reset email" tone="primary" busy={action.busy} off={noMail} onClick={resetMail} />
          {user.active === false ? (
            <Button label={status === 'Deactivated' ? 'Reactivate user' : 'Unlock account'} busy={action.busy} onClick={activate} />
          ) : (
            <>
              <Button label="Lock account" busy={action.busy} off={self} onClick={lock} />
              <Button label="Deactivate user" busy={action.busy} off={self} onClick={deactivate} />
            </>
          )}
          <Button label="Resend welcome email" busy={action.busy} off={noMail} onClick={welcome} />
          <Button label="Delete user" tone="danger" busy={action.busy} off={self} onClick={remove} />
        </div>
      )}
      {canWrite && noMail && <p class="muted small user-header__note">{noMail}</p>}
      <LiveStatus message={action.status} class="user-header__status" />
      {confirming && (
        <ConfirmDialog title={confirming.title} message={confirming.message} confirmLabel={confirming.confirmLabel} onConfirm={confirming.act} onClose={() => setConfirming(undefined)} />
      )}
    </section>
  );
}
