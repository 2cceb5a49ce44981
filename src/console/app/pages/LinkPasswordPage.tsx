// /reset?token= and /welcome?token=: the mail links where a user sets a password without being signed in.
import type { TargetedSubmitEvent } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api';
import { checkLink, completeLink } from '../auth';
import { AuthCard } from '../components/AuthCard';
import { Link } from '../components/Link';
import { EMPTY_PASSWORD, PasswordFields, checkNewPassword, type NewPassword, type NewPasswordErrors } from '../components/PasswordFields';

const INVALID_LINK = {
  reset: 'This link has expired or was already used. Reset links work once, for a limited time. Ask your administrator to send you a new one.',
  welcome:
    'This link has expired or was already used. Welcome links work once, for a limited time. Ask your administrator to send you a new welcome email.',
};

export function LinkPasswordPage({ kind, token }: { kind: 'reset' | 'welcome'; token: string }) {
  const [value, setValue] = useState<NewPassword>(EMPTY_PASSWORD);
  const [errors, setErrors] = useState<NewPasswordErrors>({});
  const [outcome, setOutcome] = useState<'done' | 'invalid' | undefined>(token ? undefined : 'invalid');
  // The link is checked before its form is shown: a spent one says so at once.
  const [checked, setChecked] = useState(!token);
  const [failure, setFailure] = useState<string>();
  const [busy, setBusy] = useState(false);
  const passwordRef = useRef<HTMLInputElement>(null);
  const confirmRef = useRef<HTMLInputElement>(null);
  const resultRef = useRef<HTMLParagraphElement>(null);

  useEffect(() => {
    if (!token) return;
    let live = true;
    checkLink(token).then(
      () => live && setChecked(true),
      (error: unknown) => {
        if (!live) return;
        setChecked(true);
        if (error instanceof ApiError && error.code === 'invalid_token') setOutcome('invalid');
      },
    );
    return () => {
      live = false;
    };
  }, [token]);
  useEffect(() => {
    if (checked) passwordRef.current?.focus();
  }, [checked]);
  useEffect(() => {
    if (outcome) resultRef.current?.focus();
  }, [outcome]);

  const submit = async (event: TargetedSubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const problems = checkNewPassword(value);
    setErrors(problems);
    setFailure(undefined);
    if (problems.password) return passwordRef.current?.focus();
    if (problems.confirm) return confirmRef.current?.focus();
    setBusy(true);
    try {
      await completeLink(token, value.password);
      setValue(EMPTY_PASSWORD);
      setOutcome('done');
    } catch (error) {
      setBusy(false);
      if (error instanceof ApiError && error.code === 'invalid_token') return setOutcome('invalid');
      if (error instanceof ApiError && error.code === 'weak_password') {
        setErrors({ password: error.detail });
        return passwordRef.current?.focus();
      }
      setFailure(error instanceof Error ? error.message : String(error));
    }
  };

  const title = kind === 'reset' ? 'Reset your password' : 'Set your password';
  if (outcome) {
    return (
      <AuthCard title={title}>
        <div class="stack">
          <p ref={resultRef} tabIndex={-1} class={`alert ${outcome === 'done' ? 'alert--success' : 'alert--error'}`} role="status">
            {outcome === 'done' ? 'Your password is set. You can sign in with it now.' : INVALID_LINK[kind]}
          </p>
          <Link href="/admin" class="button button--primary button--block">
            {outcome === 'done' ? 'Sign in' : 'Go to sign-in'}
          </Link>
          {outcome === 'invalid' && kind === 'reset' && (
            <p class="muted">If you remember your password, you can still sign in with it.</p>
          )}
        </div>
      </AuthCard>
    );
  }
  if (!checked) {
    return (
      <AuthCard title={title}>
        <p role="status">Checking your link…</p>
      </AuthCard>
    );
  }
  return (
    <AuthCard title={title}>
      <form onSubmit={submit} noValidate class="stack">
        <p class="muted">
          {kind === 'reset' ? 'Choose a new password for your account.' : 'Welcome! Choose a password to finish setting up your account.'}
        </p>
        <div role="alert" class="live-status">
          {failure && <p class="alert alert--error">{failure}</p>}
        </div>
        <PasswordFields value={value} errors={errors} onChange={setValue} passwordRef={passwordRef} confirmRef={confirmRef} />
        <button type="submit" class="button button--primary button--block" disabled={busy}>
          Set password
        </button>
      </form>
    </AuthCard>
  );
}
