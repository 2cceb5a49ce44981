// Sign in with tenant, user name and password; a temporary password leads on to "Choose a new password".
import type { TargetedSubmitEvent } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api';
import { rememberedTenant, setPasswordWithChangeToken, signIn } from '../auth';
import { Field } from '../components/Field';
import { AuthCard } from '../components/AuthCard';
import { EMPTY_PASSWORD, PasswordFields, checkNewPassword, type NewPassword, type NewPasswordErrors } from '../components/PasswordFields';
import { takeFarewell } from '../session';

const WRONG_CREDENTIALS = 'The user name or password is wrong, or the account is locked.';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function CredentialsForm({ notice, onChangeRequired }: { notice?: string; onChangeRequired: (changeToken: string) => void }) {
  const [tenant, setTenant] = useState(rememberedTenant);
  const [userName, setUserName] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<{ tenant?: string; userName?: string; password?: string }>({});
  const [failure, setFailure] = useState<string | undefined>(notice);
  const [busy, setBusy] = useState(false);
  const tenantRef = useRef<HTMLInputElement>(null);
  const userNameRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    (tenant ? userNameRef : tenantRef).current?.focus();
  }, []);

  const submit = async (event: TargetedSubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const missing = {
      tenant: tenant.trim() ? undefined : 'Enter your tenant.',
      userName: userName.trim() ? undefined : 'Enter your user name.',
      password: password ? undefined : 'Enter your password.',
    };
    setErrors(missing);
    const first = missing.tenant ? tenantRef : missing.userName ? userNameRef : missing.password ? passwordRef : undefined;
    if (first) return first.current?.focus();
    setBusy(true);
    setFailure(undefined);
    try {
      await signIn(tenant.trim(), userName.trim(), password);
    } catch (error) {
      setBusy(false);
      setPassword('');
      if (error instanceof ApiError && error.status === 403 && typeof error.body.changeToken === 'string') {
        return onChangeRequired(error.body.changeToken);
      }
      setFailure(error instanceof ApiError && error.status === 401 ? error.detail || WRONG_CREDENTIALS : messageOf(error));
      passwordRef.current?.focus();
    }
  };

  return (
    <form onSubmit={submit} noValidate class="stack">
      <div role="alert" class="live-status">
        {failure && <p class="alert alert--error">{failure}</p>}
      </div>
      <Field label="Tenant" value={tenant} onValue={setTenant} autoComplete="organization" error={errors.tenant} inputRef={tenantRef} required spellcheck={false} />
      <Field label="User name" value={userName} onValue={setUserName} autoComplete="username" error={errors.userName} inputRef={userNameRef} required spellcheck={false} />
      <Field label="Password" type="password" value={password} onValue={setPassword} autoComplete="current-password" error={errors.password} inputRef={passwordRef} required />
      <button type="submit" class="button button--primary button--block" disabled={busy}>
        Sign in
      </button>
    </form>
  );
}

function ChangeForm({ changeToken, onBack }: { changeToken: string; onBack: (notice?: string) => void }) {
  const [value, setValue] = useState<NewPassword>(EMPTY_PASSWORD);
  const [errors, setErrors] = useState<NewPasswordErrors>({});
  const [busy, setBusy] = useState(false);
  const passwordRef = useRef<HTMLInputElement>(null);
  const confirmRef = useRef<HTMLInputElement>(null);

  useEffect(() => passwordRef.current?.focus(), []);

  const submit = async (event: TargetedSubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const problems = checkNewPassword(value);
    setErrors(problems);
    if (problems.password) return passwordRef.current?.focus();
    if (problems.confirm) return confirmRef.current?.focus();
    setBusy(true);
    try {
      await setPasswordWithChangeToken(changeToken, value.password);
    } catch (error) {
      setBusy(false);
      if (error instanceof ApiError && error.status === 401) return onBack('That took too long: sign in again with your temporary password.');
      setErrors({ password: messageOf(error) });
      passwordRef.current?.focus();
    }
  };

  return (
    <form onSubmit={submit} noValidate class="stack">
      <p class="muted">Your password is temporary. Choose a new one to continue.</p>
      <PasswordFields value={value} errors={errors} onChange={setValue} passwordRef={passwordRef} confirmRef={confirmRef} />
      <button type="submit" class="button button--primary button--block" disabled={busy}>
        Set password
      </button>
      <button type="button" class="button button--ghost button--block" onClick={() => onBack()}>
        Back to sign in
      </button>
    </form>
  );
}

/** Signing in ends in a session; the app then shows the page the address asks for. */
export function SignInPage() {
  const [changeToken, setChangeToken] = useState<string>();
  const [notice, setNotice] = useState(takeFarewell);
  if (changeToken) {
    return (
      <AuthCard title="Choose a new password">
        <ChangeForm
          changeToken={changeToken}
          onBack={(message) => {
            setNotice(message);
            setChangeToken(undefined);
          }}
        />
      </AuthCard>
    );
  }
  return (
    <AuthCard title="Sign in">
      <CredentialsForm notice={notice} onChangeRequired={setChangeToken} />
    </AuthCard>
  );
}
