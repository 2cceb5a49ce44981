// The account actions of the edit dialog: locking, the password reset mail, a temporary password, two-step
// verification, deactivation and the welcome mail.
import { useRef, useState } from 'preact/hooks';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Field } from '../../components/Field';
import { Link } from '../../components/Link';
import { formatDateTime } from '../../format';
import { ACCOUNT_EXT } from '../../scim-types';
import { primaryEmail } from '../../users';
import { ActionButton, ActionRow } from './ActionRow';
import { resetTwoStep, sendPasswordReset, sendWelcome, setActive, setTemporaryPassword } from './actions';
import { errorText, type SectionProps } from './section-props';

const LOCK_REASONS = {
  admin: 'Locked by an administrator.',
  provisioning: 'Turned off by the identity provider.',
  failedLogins: 'Locked after too many failed sign-ins.',
} as const;

export function LockSection({ user, busy, run, canWrite }: SectionProps & { canWrite: boolean }) {
  const locked = user.active === false;
  const account = user[ACCOUNT_EXT];
  const reason = locked && account?.lockReason ? LOCK_REASONS[account.lockReason] : undefined;
  const until = locked && account?.lockedUntil ? ` It unlocks by itself at ${formatDateTime(account.lockedUntil)}.` : '';
  const toggle = () =>
    run(async () => {
      await setActive(user.id, locked);
      return locked ? 'The account is unlocked.' : 'The account is locked.';
    });
  return (
    <ActionRow
      title="Account Locking"
      action={canWrite && <ActionButton onClick={toggle} busy={busy}>{locked ? 'Unlock Account' : 'Lock Account'}</ActionButton>}
    >
      <p>{locked ? 'This account is currently locked.' : 'This account is currently unlocked.'}</p>
      {reason && <p class="muted small">{`${reason}${until}`}</p>}
    </ActionRow>
  );
}

export function ResetPasswordSection({ user, busy, run }: SectionProps) {
  const email = primaryEmail(user);
  const send = () =>
    run(async () => {
      await sendPasswordReset(user.id);
      return `A password reset email is on its way to ${email ?? 'the user'}.`;
    });
  return (
    <ActionRow title="Reset Password" action={<ActionButton onClick={send} busy={busy}>Send Password Reset Email</ActionButton>}>
      <p>This button sends an email to the user allowing them to reset their own password.</p>
    </ActionRow>
  );
}

export function TemporaryPasswordSection({ user, busy, run }: SectionProps) {
  const [password, setPassword] = useState('');
  const [generated, setGenerated] = useState<string>();
  const [error, setError] = useState<string>();
  const [copied, setCopied] = useState(false);
  const generatedRef = useRef<HTMLInputElement>(null);

  const submit = async () => {
    setError(undefined);
    setGenerated(undefined);
    setCopied(false);
    const failure = await run(async () => {
      const created = await setTemporaryPassword(user.id, password);
      setPassword('');
      setGenerated(created);
      return 'Temporary password set: the user must choose a new one at the next login.';
    });
    setError(errorText(failure));
  };

  const copy = async () => {
    if (!generated) return;
    try {
      await navigator.clipboard.writeText(generated);
      setCopied(true);
    } catch {
      // No clipboard permission: select it so the keyboard copy works.
      generatedRef.current?.select();
    }
  };

  return (
    <ActionRow title="Temporary Password" onSubmit={submit} action={<ActionButton submit busy={busy}>Set Temporary Password</ActionButton>}>
      <p>
        If a user is unable to receive the password reset email, you can set a temporary password here and give it to them verbally. The user
        will be forced to set a new password when they log in with the temporary password.
      </p>
      <Field
        label="Temporary password"
        value={password}
        onValue={setPassword}
        hint="Leave it empty to have a strong password generated."
        error={error}
        autoComplete="off"
        spellcheck={false}
      />
      {generated && (
        <div class="generated">
          <Field label="Generated password" value={generated} readOnly inputRef={generatedRef} class="generated__field" spellcheck={false} />
          <button type="button" class="button button--secondary" onClick={copy}>
            {copied ? 'Copied' : 'Copy'}
          </button>
          <p class="field__hint generated__note">Shown only this once: give it to the user now.</p>
        </div>
      )}
    </ActionRow>
  );
}

/**
 * Whether the user has a second factor, and (for administrators) its reset, after a confirmation: for someone who
 * lost their phone and their recovery codes. The server mails the user that it was removed.
 */
export function TwoStepSection({ user, busy, run, canWrite, own }: SectionProps & { canWrite: boolean; own: boolean }) {
  const [confirming, setConfirming] = useState(false);
  const on = user[ACCOUNT_EXT]?.mfaEnabled === true;
  // One's own second factor is changed on My profile, where it takes the password and a code: a reset here
  // would take neither.
  const mayReset = canWrite && !own;
  const reset = async () => {
    const failure = await run(async () => {
      await resetTwoStep(user.id);
      return 'Two-step verification is reset: their authenticator app and recovery codes no longer work.';
    });
    // The confirmation stays open with the server's reason, so the administrator sees why nothing changed.
    if (failure !== undefined) throw failure;
    setConfirming(false);
  };
  return (
    <ActionRow
      title="Two-Step Verification"
      action={mayReset && <ActionButton onClick={() => setConfirming(true)} busy={busy} disabled={!on}>Reset Two-Step Verification</ActionButton>}
    >
      <p>{on ? 'Two-step verification is on for this account.' : 'Two-step verification is off for this account.'}</p>
      {own && (
        <p class="muted small">
          This is your own account: change your two-step verification on <Link href="/admin/profile">My profile</Link>.
        </p>
      )}
      {mayReset && (
        <p class="muted small">
          If the user has lost their phone and their recovery codes, resetting removes their authenticator and recovery codes; they set it up
          again at their next sign-in if their organisation requires it, or from their profile.
        </p>
      )}
      {confirming && (
        <ConfirmDialog
          message={`Reset two-step verification for ${user.userName}? Their authenticator app and recovery codes stop working.`}
          onConfirm={reset}
          onClose={() => setConfirming(false)}
        />
      )}
    </ActionRow>
  );
}

export function DeactivateSection({ user, busy, run }: SectionProps) {
  const inactive = user.active === false;
  const deactivate = () =>
    run(async () => {
      await setActive(user.id, false);
      return 'The user is deactivated and cannot sign in.';
    });
  return (
    <ActionRow title="Deactivation" action={<ActionButton onClick={deactivate} busy={busy} disabled={inactive}>Deactivate User</ActionButton>}>
      <p>For someone who no longer needs access: they cannot sign in, and the account and its history are kept.</p>
      {inactive && <p class="muted small">This user cannot sign in now.</p>}
    </ActionRow>
  );
}

export function WelcomeSection({ user, busy, run }: SectionProps) {
  const sentAt = user[ACCOUNT_EXT]?.welcomeEmailSentAt;
  const send = () =>
    run(async () => {
      await sendWelcome(user.id);
      return 'The welcome email is on its way.';
    });
  return (
    <ActionRow title="Welcome Email" action={<ActionButton onClick={send} busy={busy}>Retrigger Welcome Email</ActionButton>}>
      <p>Sends the welcome email again, with a new link to set a password.</p>
      {sentAt && <p class="muted small">Last sent {formatDateTime(sentAt)}.</p>}
    </ActionRow>
  );
}
