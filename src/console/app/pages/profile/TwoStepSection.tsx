// My profile's "Two-step verification": whether it is on, and setting it up, replacing the authenticator, new
// recovery codes and turning it off. Each change asks for the current password, and those that prove the second
// factor for a code from the app (or a recovery code).
import type { TargetedSubmitEvent } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../../api';
import { sessionEnded } from '../../auth';
import { AuthenticatorKey } from '../../components/AuthenticatorKey';
import { CodeField } from '../../components/CodeField';
import { Field } from '../../components/Field';
import { LiveStatus, type StatusMessage } from '../../components/LiveStatus';
import { RecoveryCodes } from '../../components/RecoveryCodes';
import { plural } from '../../format';
import { useLoad } from '../../hooks';
import * as mfa from '../../mfa';
import { checkProof, proofError, proofOf, type Enrolment, type MfaStatus } from '../../mfa';
import { endSession } from '../../session';

type Purpose = 'setup' | 'replace';

type Mode =
  | { readonly kind: 'idle' }
  | { readonly kind: 'password'; readonly purpose: Purpose }
  | { readonly kind: 'scan'; readonly purpose: Purpose; readonly enrolment: Enrolment }
  | { readonly kind: 'proof'; readonly purpose: 'recovery' | 'disable' }
  | { readonly kind: 'codes'; readonly codes: readonly string[] };

const WRONG_PASSWORD = 'The current password is wrong.';
const FEW_CODES_LEFT = 3;

interface Problems {
  readonly current?: string;
  readonly code?: string;
  readonly status?: string;
}

/** Where a refused request's reason belongs: the password field, the code field, or the section's status. */
function problemsOf(error: unknown, recovery: boolean): Problems | undefined {
  const ended = sessionEnded(error);
  if (ended) {
    endSession(ended);
    return undefined;
  }
  if (error instanceof ApiError && error.status === 401 && error.code === 'invalid_credentials') return { current: WRONG_PASSWORD };
  const wrong = proofError(error, recovery);
  if (wrong) return { code: wrong };
  return { status: error instanceof Error ? error.message : String(error) };
}

interface FlowProps {
  readonly onCancel: () => void;
  readonly onStatus: (message: StatusMessage | undefined) => void;
}

function FormButtons({ busy, label, onCancel }: { busy: boolean; label: string; onCancel: () => void }) {
  return (
    <div class="two-step__actions">
      <button type="submit" class="button button--primary" disabled={busy}>
        {label}
      </button>
      <button type="button" class="button button--secondary" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}

/** Step 1 of setting up or replacing: the current password, which buys a new pending key. */
function PasswordStep({ purpose, onKey, onCancel, onStatus }: FlowProps & { purpose: Purpose; onKey: (enrolment: Enrolment) => void }) {
  const [current, setCurrent] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const currentRef = useRef<HTMLInputElement>(null);
  useEffect(() => currentRef.current?.focus(), []);

  const submit = async (event: TargetedSubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    onStatus(undefined);
    if (!current) {
      setError('Enter your current password.');
      return currentRef.current?.focus();
    }
    setError(undefined);
    setBusy(true);
    try {
      onKey(await mfa.enrol(current));
    } catch (failure) {
      setBusy(false);
      setCurrent('');
      const problems = problemsOf(failure, false);
      if (problems?.current) setError(problems.current);
      else if (problems?.status) onStatus({ text: problems.status, tone: 'error' });
      currentRef.current?.focus();
    }
  };

  return (
    <form onSubmit={submit} noValidate class="stack">
      <p>
        {purpose === 'replace'
          ? 'To move two-step verification to a new phone or app, enter your password. Your current authenticator keeps working until the new one is confirmed.'
          : 'Enter your password to set up two-step verification.'}
      </p>
      <Field label="Current password" type="password" value={current} onValue={setCurrent} autoComplete="current-password" error={error} inputRef={currentRef} required />
      <FormButtons busy={busy} label="Continue" onCancel={onCancel} />
    </form>
  );
}

/** Step 2: the key for the app, and its first code, which turns the new key on. */
function ScanStep({ purpose, enrolment, onCodes, onRestart, onCancel, onStatus }: FlowProps & {
  purpose: Purpose;
  enrolment: Enrolment;
  onCodes: (codes: readonly string[]) => void;
  onRestart: () => void;
}) {
  const [code, setCode] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const codeRef = useRef<HTMLInputElement>(null);

  const submit = async (event: TargetedSubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    onStatus(undefined);
    const problem = checkProof(code, false);
    setError(problem);
    if (problem) return codeRef.current?.focus();
    setBusy(true);
    try {
      const codes = await mfa.confirm(code);
      onStatus({ text: purpose === 'replace' ? 'Your new authenticator is confirmed; the old one no longer works.' : 'Two-step verification is on.', tone: 'success' });
      onCodes(codes);
    } catch (failure) {
      setBusy(false);
      setCode('');
      // The pending key is gone (replaced from another tab, or expired): start again from the password.
      if (failure instanceof ApiError && failure.code === 'no_pending_enrolment') {
        onStatus({ text: failure.detail, tone: 'error' });
        return onRestart();
      }
      const problems = problemsOf(failure, false);
      if (problems?.code) setError(problems.code);
      else if (problems?.status) onStatus({ text: problems.status, tone: 'error' });
      codeRef.current?.focus();
    }
  };

  return (
    <form onSubmit={submit} noValidate class="stack">
      <AuthenticatorKey enrolment={enrolment} />
      <CodeField value={code} onValue={setCode} error={error} inputRef={codeRef} />
      <FormButtons busy={busy} label={purpose === 'replace' ? 'Replace authenticator' : 'Turn on'} onCancel={onCancel} />
    </form>
  );
}

/** New recovery codes, or turning off: the current password and a code (or a recovery code). */
function ProofStep({ purpose, onCodes, onDisabled, onCancel, onStatus }: FlowProps & {
  purpose: 'recovery' | 'disable';
  onCodes: (codes: readonly string[]) => void;
  onDisabled: () => void;
}) {
  const [current, setCurrent] = useState('');
  const [code, setCode] = useState('');
  const [recovery, setRecovery] = useState(false);
  const [errors, setErrors] = useState<Problems>({});
  const [busy, setBusy] = useState(false);
  const currentRef = useRef<HTMLInputElement>(null);
  const codeRef = useRef<HTMLInputElement>(null);
  useEffect(() => currentRef.current?.focus(), []);

  const switchKind = (next: boolean) => {
    setRecovery(next);
    setCode('');
    setErrors((e) => ({ ...e, code: undefined }));
    requestAnimationFrame(() => codeRef.current?.focus());
  };

  const submit = async (event: TargetedSubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    onStatus(undefined);
    const problems = { current: current ? undefined : 'Enter your current password.', code: checkProof(code, recovery) };
    setErrors(problems);
    if (problems.current) return currentRef.current?.focus();
    if (problems.code) return codeRef.current?.focus();
    setBusy(true);
    try {
      if (purpose === 'recovery') {
        const codes = await mfa.newRecoveryCodes(current, proofOf(code, recovery));
        onStatus({ text: 'New recovery codes are made; the old ones no longer work.', tone: 'success' });
        onCodes(codes);
      } else {
        await mfa.disable(current, proofOf(code, recovery));
        onStatus({ text: 'Two-step verification is turned off.', tone: 'success' });
        onDisabled();
      }
    } catch (failure) {
      setBusy(false);
      setCode('');
      // Required by the tenant (mfa_mandatory) or already off (mfa_not_enabled): the section shows the state as it is.
      if (failure instanceof ApiError && (failure.code === 'mfa_mandatory' || failure.code === 'mfa_not_enabled')) {
        onStatus({ text: failure.detail, tone: 'error' });
        return onDisabled();
      }
      const found = problemsOf(failure, recovery);
      if (!found) return;
      setErrors({ current: found.current, code: found.code });
      if (found.status) onStatus({ text: found.status, tone: 'error' });
      (found.current ? currentRef : codeRef).current?.focus();
      if (found.current) setCurrent('');
    }
  };

  return (
    <form onSubmit={submit} noValidate class="stack">
      <p>
        {purpose === 'recovery'
          ? 'New recovery codes replace all your old ones. Enter your password and a code from your authenticator app.'
          : 'Without two-step verification, your password alone signs you in. Enter your password and a code from your authenticator app to turn it off.'}
      </p>
      <Field label="Current password" type="password" value={current} onValue={setCurrent} autoComplete="current-password" error={errors.current} inputRef={currentRef} required />
      <CodeField value={code} onValue={setCode} error={errors.code} inputRef={codeRef} recovery={recovery} onRecovery={switchKind} />
      <FormButtons busy={busy} label={purpose === 'recovery' ? 'Make new recovery codes' : 'Turn off'} onCancel={onCancel} />
    </form>
  );
}

function StateText({ status }: { status: MfaStatus }) {
  if (!status.enabled) {
    return (
      <>
        <p class="two-step__state">
          <span class="badge badge--inactive">Off</span> Two-step verification is off.
        </p>
        <p class="muted small">With it on, each sign-in asks for a code from an authenticator app on your phone after your password.</p>
        {status.required && <p class="alert alert--warning">Your organisation requires two-step verification for your account: set it up now, or you will be asked to at your next sign-in.</p>}
      </>
    );
  }
  const few = status.recoveryCodesLeft <= FEW_CODES_LEFT;
  return (
    <>
      <p class="two-step__state">
        <span class="badge badge--active">On</span> Two-step verification is on.
      </p>
      <p class="muted small">Each sign-in asks for a code from your authenticator app after your password.</p>
      <p class={few ? 'alert alert--warning' : undefined}>
        {`${plural(status.recoveryCodesLeft, 'recovery code', 'recovery codes')} left.`}
        {few && ' Make new ones before you run out.'}
      </p>
      {status.required && <p class="muted small">Your organisation requires two-step verification for your account, so it cannot be turned off.</p>}
    </>
  );
}

export function TwoStepSection() {
  const [reloads, setReloads] = useState(0);
  const state = useLoad(() => mfa.fetchMfaStatus(), [reloads]);
  const [mode, setMode] = useState<Mode>({ kind: 'idle' });
  const [status, setStatus] = useState<StatusMessage>();
  const headingRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    const ended = sessionEnded(state.error);
    if (ended) endSession(ended);
  }, [state.error]);

  const toIdle = () => {
    setMode({ kind: 'idle' });
    setReloads((n) => n + 1);
    requestAnimationFrame(() => headingRef.current?.focus());
  };
  // Also after the recovery codes: what was announced with them is now the section's state.
  const cancel = () => {
    setStatus(undefined);
    toIdle();
  };
  const flow = { onCancel: cancel, onStatus: setStatus };
  const current = state.data;

  let body;
  switch (mode.kind) {
    case 'password':
      body = <PasswordStep {...flow} purpose={mode.purpose} onKey={(enrolment) => setMode({ kind: 'scan', purpose: mode.purpose, enrolment })} />;
      break;
    case 'scan':
      body = (
        <ScanStep
          {...flow}
          purpose={mode.purpose}
          enrolment={mode.enrolment}
          onCodes={(codes) => setMode({ kind: 'codes', codes })}
          onRestart={() => setMode({ kind: 'password', purpose: mode.purpose })}
        />
      );
      break;
    case 'proof':
      body = <ProofStep key={mode.purpose} {...flow} purpose={mode.purpose} onCodes={(codes) => setMode({ kind: 'codes', codes })} onDisabled={toIdle} />;
      break;
    case 'codes':
      body = (
        <div class="stack">
          <RecoveryCodes codes={mode.codes} />
          <div>
            <button type="button" class="button button--primary" onClick={cancel}>
              I have saved them
            </button>
          </div>
        </div>
      );
      break;
    default:
      body = !current ? (
        <p class={state.error ? 'alert alert--error' : 'muted'}>{state.error instanceof Error ? state.error.message : 'Loading…'}</p>
      ) : (
        <div class="stack">
          <StateText status={current} />
          <div class="two-step__actions">
            {current.enabled ? (
              <>
                <button type="button" class="button button--secondary" onClick={() => setMode({ kind: 'password', purpose: 'replace' })}>
                  Replace authenticator
                </button>
                <button type="button" class="button button--secondary" onClick={() => setMode({ kind: 'proof', purpose: 'recovery' })}>
                  New recovery codes
                </button>
                {!current.required && (
                  <button type="button" class="button button--danger-outline" onClick={() => setMode({ kind: 'proof', purpose: 'disable' })}>
                    Turn off
                  </button>
                )}
              </>
            ) : (
              <button type="button" class="button button--primary" onClick={() => setMode({ kind: 'password', purpose: 'setup' })}>
                Set up two-step verification
              </button>
            )}
          </div>
        </div>
      );
  }

  return (
    <section class="card" aria-labelledby="two-step-title">
      <h2 id="two-step-title" class="card__title" tabIndex={-1} ref={headingRef}>
        Two-step verification
      </h2>
      <LiveStatus message={status} />
      {body}
    </section>
  );
}
