// Sign in with organization (the tenant's slug), user name and password, then each step the server asks for (MFA-API.md's sign-in chain): the
// code of a second factor, a new password in place of a temporary one, and setting up a second factor that the
// tenant requires. Each step may lead on to the next one.
import type { TargetedSubmitEvent } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api';
import { rememberedTenant, setPasswordWithChangeToken, signIn, signInStepOf, startSession, verifySecondFactor, type Grant, type SignInStep } from '../auth';
import { AuthCard } from '../components/AuthCard';
import { AuthenticatorKey } from '../components/AuthenticatorKey';
import { CodeField } from '../components/CodeField';
import { Field } from '../components/Field';
import { RecoveryCodes } from '../components/RecoveryCodes';
import { EMPTY_PASSWORD, PasswordFields, checkNewPassword, type NewPassword, type NewPasswordErrors } from '../components/PasswordFields';
import { checkProof, confirmWithToken, enrolWithToken, proofError, proofOf, type Enrolment } from '../mfa';
import { takeFarewell } from '../session';

const WRONG_CREDENTIALS = 'The user name or password is wrong, or the account is locked.';
const SIGN_IN_AGAIN = 'Signing in took too long, or a code was wrong too many times. Please sign in again.';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Every step after the password: what to do when the server asks for the next step, or to start again. */
interface StepProps {
  readonly onStep: (step: SignInStep) => void;
  readonly onRestart: (notice?: string) => void;
}

/** A step's token expired, was used, or met too many wrong codes: only a new sign-in helps. */
function tokenOver(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401 && error.code === 'invalid_token';
}

function Failure({ text }: { text: string | undefined }) {
  return (
    <div role="alert" class="live-status">
      {text && <p class="alert alert--error">{text}</p>}
    </div>
  );
}

function CredentialsForm({ notice, onStep }: { notice?: string; onStep: (step: SignInStep) => void }) {
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
      tenant: tenant.trim() ? undefined : 'Enter your organization.',
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
      const next = signInStepOf(error);
      if (next) return onStep(next);
      setFailure(error instanceof ApiError && error.status === 401 ? error.detail || WRONG_CREDENTIALS : messageOf(error));
      passwordRef.current?.focus();
    }
  };

  return (
    <form onSubmit={submit} noValidate class="stack">
      <Failure text={failure} />
      <Field
        label="Organization"
        value={tenant}
        onValue={setTenant}
        autoComplete="organization"
        hint="The short name your administrator gave you. This browser remembers it."
        error={errors.tenant}
        inputRef={tenantRef}
        required
        spellcheck={false}
      />
      <Field label="User name" value={userName} onValue={setUserName} autoComplete="username" error={errors.userName} inputRef={userNameRef} required spellcheck={false} />
      <Field label="Password" type="password" value={password} onValue={setPassword} autoComplete="current-password" error={errors.password} inputRef={passwordRef} required />
      <button type="submit" class="button button--primary button--block" disabled={busy}>
        Sign in
      </button>
    </form>
  );
}

/** "Two-step verification": the code from the authenticator app, or a recovery code. */
function MfaForm({ mfaToken, onStep, onRestart }: StepProps & { mfaToken: string }) {
  const [recovery, setRecovery] = useState(false);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string>();
  const [failure, setFailure] = useState<string>();
  const [busy, setBusy] = useState(false);
  const codeRef = useRef<HTMLInputElement>(null);

  useEffect(() => codeRef.current?.focus(), [recovery]);

  const switchKind = (next: boolean) => {
    setRecovery(next);
    setCode('');
    setError(undefined);
  };

  const submit = async (event: TargetedSubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const problem = checkProof(code, recovery);
    setError(problem);
    setFailure(undefined);
    if (problem) return codeRef.current?.focus();
    setBusy(true);
    try {
      await verifySecondFactor(mfaToken, proofOf(code, recovery));
    } catch (error) {
      setBusy(false);
      setCode('');
      const next = signInStepOf(error);
      if (next) return onStep(next);
      if (tokenOver(error)) return onRestart(SIGN_IN_AGAIN);
      const wrong = proofError(error, recovery);
      if (wrong) setError(wrong);
      else setFailure(messageOf(error));
      codeRef.current?.focus();
    }
  };

  return (
    <form onSubmit={submit} noValidate class="stack">
      <Failure text={failure} />
      <p>
        {recovery
          ? 'Enter one of the recovery codes you saved when you set up two-step verification. Each code works once.'
          : 'Enter the 6-digit code from your authenticator app.'}
      </p>
      <CodeField value={code} onValue={setCode} error={error} inputRef={codeRef} recovery={recovery} onRecovery={switchKind} />
      <button type="submit" class="button button--primary button--block" disabled={busy}>
        Verify
      </button>
      <button type="button" class="button button--ghost button--block" onClick={() => onRestart()}>
        Back to sign in
      </button>
    </form>
  );
}

function ChangeForm({ changeToken, onStep, onRestart }: StepProps & { changeToken: string }) {
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
      // The new password is set when the server asks for the next step: that step goes on from here.
      const next = signInStepOf(error);
      if (next) return onStep(next);
      if (error instanceof ApiError && error.status === 401) return onRestart('That took too long: sign in again with your temporary password.');
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
      <button type="button" class="button button--ghost button--block" onClick={() => onRestart()}>
        Back to sign in
      </button>
    </form>
  );
}

/**
 * "Set up two-step verification", which the tenant requires of this user: a new key for the authenticator app, its
 * first code, then the recovery codes, shown once; the session starts when the user has seen them.
 */
function EnrolStep({ mfaToken, onStep, onRestart }: StepProps & { mfaToken: string }) {
  const [enrolment, setEnrolment] = useState<Enrolment>();
  const [loadFailure, setLoadFailure] = useState<string>();
  const [code, setCode] = useState('');
  const [error, setError] = useState<string>();
  const [failure, setFailure] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<{ recoveryCodes: readonly string[]; session: Grant }>();
  const codeRef = useRef<HTMLInputElement>(null);
  const continueRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    let live = true;
    enrolWithToken(mfaToken).then(
      (answer) => live && setEnrolment(answer),
      (error: unknown) => {
        if (!live) return;
        if (tokenOver(error)) onRestart(SIGN_IN_AGAIN);
        else setLoadFailure(messageOf(error));
      },
    );
    return () => void (live = false);
  }, [mfaToken]);
  useEffect(() => void (done && continueRef.current?.focus()), [done]);

  const submit = async (event: TargetedSubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const problem = checkProof(code, false);
    setError(problem);
    setFailure(undefined);
    if (problem) return codeRef.current?.focus();
    setBusy(true);
    try {
      setDone(await confirmWithToken(mfaToken, code));
    } catch (error) {
      setCode('');
      const next = signInStepOf(error);
      if (next) return onStep(next);
      if (tokenOver(error)) return onRestart(SIGN_IN_AGAIN);
      const wrong = proofError(error, false);
      if (wrong) setError(wrong);
      else setFailure(messageOf(error));
      codeRef.current?.focus();
    } finally {
      setBusy(false);
    }
  };

  const start = async () => {
    if (!done) return;
    setBusy(true);
    try {
      if (!(await startSession(done.session.token))) onRestart(SIGN_IN_AGAIN);
    } catch (error) {
      setBusy(false);
      setFailure(messageOf(error));
    }
  };

  if (done) {
    return (
      <AuthCard title="Save your recovery codes">
        <div class="stack">
          <p class="alert alert--success">Two-step verification is on.</p>
          <Failure text={failure} />
          <RecoveryCodes codes={done.recoveryCodes} />
          <button type="button" class="button button--primary button--block" ref={continueRef} onClick={start} disabled={busy}>
            I have saved them: continue
          </button>
        </div>
      </AuthCard>
    );
  }

  return (
    <AuthCard title="Set up two-step verification">
      <form onSubmit={submit} noValidate class="stack">
        <Failure text={failure ?? loadFailure} />
        <p>
          Your organisation requires two-step verification for your account: after your password, each sign-in asks for a code from an
          authenticator app on your phone.
        </p>
        {enrolment && (
          <>
            <AuthenticatorKey enrolment={enrolment} />
            <CodeField value={code} onValue={setCode} error={error} inputRef={codeRef} />
            <button type="submit" class="button button--primary button--block" disabled={busy}>
              Turn on two-step verification
            </button>
          </>
        )}
        {!enrolment && !loadFailure && <p class="muted">Making your key…</p>}
        <button type="button" class="button button--ghost button--block" onClick={() => onRestart()}>
          Back to sign in
        </button>
      </form>
    </AuthCard>
  );
}

type Step = SignInStep | { readonly kind: 'credentials' };

/** Signing in ends in a session; the app then shows the page the address asks for. */
export function SignInPage() {
  const [step, setStep] = useState<Step>({ kind: 'credentials' });
  const [notice, setNotice] = useState(takeFarewell);
  const onRestart = (message?: string) => {
    setNotice(message);
    setStep({ kind: 'credentials' });
  };
  const props = { onStep: setStep, onRestart };
  switch (step.kind) {
    case 'mfa':
      return (
        <AuthCard title="Two-step verification">
          <MfaForm key={step.mfaToken} mfaToken={step.mfaToken} {...props} />
        </AuthCard>
      );
    case 'password':
      return (
        <AuthCard title="Choose a new password">
          <ChangeForm key={step.changeToken} changeToken={step.changeToken} {...props} />
        </AuthCard>
      );
    case 'enrol':
      return <EnrolStep key={step.mfaToken} mfaToken={step.mfaToken} {...props} />;
    default:
      return (
        <AuthCard title="Sign in">
          <CredentialsForm notice={notice} onStep={setStep} />
        </AuthCard>
      );
  }
}
