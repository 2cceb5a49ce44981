// Sign-in and security: when the user last signed in, the password's state, the second factor with its reset, and a
// temporary password for someone who cannot receive mail. Both ask first: each ends the user's sessions or factor.
import { useRef, useState } from 'preact/hooks';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Details } from '../../components/Details';
import { Field } from '../../components/Field';
import { Link } from '../../components/Link';
import { LiveStatus } from '../../components/LiveStatus';
import { formatDateTime } from '../../format';
import { ACCOUNT_EXT, type User } from '../../scim-types';
import { displayNameOf } from '../../users';
import { resetTwoStep, setTemporaryPassword } from './actions';
import type { Action } from './use-action';

export interface SecurityCardProps {
  readonly user: User;
  readonly canWrite: boolean;
  readonly own: boolean;
  readonly action: Action;
}

export function SecurityCard({ user, canWrite, own, action }: SecurityCardProps) {
  const [password, setPassword] = useState('');
  const [generated, setGenerated] = useState<string>();
  const [confirming, setConfirming] = useState<'password' | 'twoStep'>();
  const generatedRef = useRef<HTMLInputElement>(null);
  const account = user[ACCOUNT_EXT];
  const name = displayNameOf(user);
  const twoStepOn = account?.mfaEnabled === true;
  // One's own second factor is changed on My profile, where it takes the password and a code.
  const mayReset = canWrite && !own;

  const setTemporary = async () => {
    setGenerated(undefined);
    const failure = await action.run(async () => {
      const created = await setTemporaryPassword(user.id, password);
      setPassword('');
      setGenerated(created);
      return `Temporary password set: ${name} must choose a new one at the next sign-in.`;
    });
    if (failure !== undefined) throw failure;
    setConfirming(undefined);
  };
  const reset = async () => {
    const failure = await action.run(async () => {
      await resetTwoStep(user.id);
      return 'Two-step verification is reset: their authenticator app and recovery codes no longer work.';
    });
    if (failure !== undefined) throw failure;
    setConfirming(undefined);
  };

  return (
    <section class="card user-card" aria-labelledby="security-title">
      <h2 id="security-title" class="card__title">
        Sign-in and security
      </h2>
      <Details
        rows={[
          ['Last sign-in', account?.lastLogin ? formatDateTime(account.lastLogin) : 'Never'],
          ['Password set', account?.passwordSetAt ? formatDateTime(account.passwordSetAt) : 'Not yet'],
          ['Welcome email sent', account?.welcomeEmailSentAt ? formatDateTime(account.welcomeEmailSentAt) : undefined],
          ['Failed sign-ins', account?.failedLogins ? String(account.failedLogins) : undefined],
        ]}
      />

      <h3 class="user-card__subtitle">Second factor</h3>
      <p>{twoStepOn ? 'Two-step verification is on for this account.' : 'Two-step verification is off for this account.'}</p>
      {own && (
        <p class="muted small">
          This is your own account: change your two-step verification on <Link href="/admin/profile">My profile</Link>.
        </p>
      )}
      {mayReset && (
        <div class="card__actions">
          <button
            type="button"
            class="button button--secondary"
            aria-disabled={action.busy || !twoStepOn ? 'true' : undefined}
            title={twoStepOn ? undefined : 'There is no second factor to reset.'}
            onClick={() => !action.busy && twoStepOn && setConfirming('twoStep')}
          >
            Reset second factor
          </button>
        </div>
      )}

      {canWrite && (
        <form
          class="user-card__form"
          onSubmit={(event) => {
            event.preventDefault();
            if (!action.busy) setConfirming('password');
          }}
          noValidate
        >
          <h3 class="user-card__subtitle">Temporary password</h3>
          <p class="muted small">For someone who cannot receive the password reset email: give it to them in person or by phone.</p>
          <Field label="Temporary password" value={password} onValue={setPassword} hint="Leave it empty to have a strong password generated." autoComplete="off" spellcheck={false} />
          <div class="card__actions">
            <button type="submit" class="button button--secondary" aria-disabled={action.busy ? 'true' : undefined}>
              Set temporary password
            </button>
          </div>
          {generated && (
            <div class="generated">
              <Field label="Generated password" value={generated} readOnly inputRef={generatedRef} class="generated__field" spellcheck={false} />
              <p class="field__hint generated__note">Shown only this once: give it to the user now.</p>
            </div>
          )}
        </form>
      )}
      <LiveStatus message={action.status} />

      {confirming === 'password' && (
        <ConfirmDialog
          title={`Set a temporary password for ${name}?`}
          message={`${name} is signed out everywhere, their current password stops working, and they must choose a new one when they sign in with the temporary one.`}
          confirmLabel="Set temporary password"
          onConfirm={setTemporary}
          onClose={() => setConfirming(undefined)}
        />
      )}
      {confirming === 'twoStep' && (
        <ConfirmDialog
          title={`Reset two-step verification for ${name}?`}
          message={`${name}'s authenticator app and recovery codes stop working. They set it up again at their next sign-in if it is required, or from their profile.`}
          confirmLabel="Reset second factor"
          onConfirm={reset}
          onClose={() => setConfirming(undefined)}
        />
      )}
    </section>
  );
}
