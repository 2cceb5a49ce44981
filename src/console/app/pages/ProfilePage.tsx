// My profile: the signed-in user's own account (GET /Me), the form to change their password, and two-step verification.
import type { TargetedSubmitEvent } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { ApiError, scim } from '../api';
import { changeOwnPassword, sessionEnded } from '../auth';
import { Field } from '../components/Field';
import { LiveStatus, type StatusMessage } from '../components/LiveStatus';
import { PageHeading } from '../components/PageHeading';
import { EMPTY_PASSWORD, PasswordFields, checkNewPassword, type NewPassword, type NewPasswordErrors } from '../components/PasswordFields';
import { formatDateTime } from '../format';
import { useLoad } from '../hooks';
import { endSession } from '../session';
import { ACCOUNT_EXT, type User } from '../scim-types';
import { phonesOf, primaryEmail } from '../users';
import { Details, type DetailRow } from '../components/Details';
import { TwoStepSection } from './profile/TwoStepSection';

function ProfileDetails({ user }: { user: User }) {
  const phones = phonesOf(user);
  const name = [user.name?.honorificPrefix, user.name?.givenName, user.name?.middleName, user.name?.familyName].filter(Boolean).join(' ');
  const personas = (user.groups ?? []).filter((g) => g.type !== 'indirect').map((g) => g.display).filter(Boolean);
  const rows: DetailRow[] = [
    ['Name', name || user.displayName],
    ['User Name', user.userName],
    ['Email Address', primaryEmail(user)],
    ['Job Title', user.title],
    ['Telephone Number', phones.work],
    ['Extension', phones.extension],
    ['Cell Phone Number', phones.mobile],
    ['Groups', personas.join(', ')],
    ['Last Login', formatDateTime(user[ACCOUNT_EXT]?.lastLogin)],
    ['Password set', formatDateTime(user[ACCOUNT_EXT]?.passwordSetAt)],
  ];
  return <Details rows={rows} columns />;
}

function ChangePasswordForm() {
  const [current, setCurrent] = useState('');
  const [value, setValue] = useState<NewPassword>(EMPTY_PASSWORD);
  const [errors, setErrors] = useState<NewPasswordErrors & { current?: string }>({});
  const [status, setStatus] = useState<StatusMessage>();
  const [busy, setBusy] = useState(false);
  const currentRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const confirmRef = useRef<HTMLInputElement>(null);

  const submit = async (event: TargetedSubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    setStatus(undefined);
    const problems = { current: current ? undefined : 'Enter your current password.', ...checkNewPassword(value) };
    setErrors(problems);
    const first = problems.current ? currentRef : problems.password ? passwordRef : problems.confirm ? confirmRef : undefined;
    if (first) return first.current?.focus();
    setBusy(true);
    try {
      await changeOwnPassword(current, value.password);
      setCurrent('');
      setValue(EMPTY_PASSWORD);
      setStatus({ text: 'Your password is changed.', tone: 'success' });
    } catch (error) {
      const ended = sessionEnded(error);
      if (ended) {
        endSession(ended);
      } else if (error instanceof ApiError && error.status === 401) {
        setErrors({ current: 'The current password is wrong.' });
        currentRef.current?.focus();
      } else if (error instanceof ApiError && error.code === 'weak_password') {
        setErrors({ password: error.detail });
        passwordRef.current?.focus();
      } else {
        setStatus({ text: error instanceof Error ? error.message : String(error), tone: 'error' });
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate class="stack narrow-form" aria-labelledby="change-password-title">
      <h2 id="change-password-title" class="card__title">
        Change password
      </h2>
      <LiveStatus message={status} />
      <Field label="Current password" type="password" value={current} onValue={setCurrent} autoComplete="current-password" error={errors.current} inputRef={currentRef} required />
      <PasswordFields value={value} errors={errors} onChange={setValue} passwordRef={passwordRef} confirmRef={confirmRef} />
      <div>
        <button type="submit" class="button button--primary" disabled={busy}>
          Change password
        </button>
      </div>
    </form>
  );
}

export function ProfilePage() {
  const me = useLoad(() => scim<User>('GET', '/Me'), []);
  return (
    <main id="main" class="page">
      <div class="page__header">
        <PageHeading title="My profile">My profile</PageHeading>
      </div>
      <div class="profile-grid">
        <section class="card" aria-labelledby="profile-details-title">
          <h2 id="profile-details-title" class="card__title">
            Your account
          </h2>
          {me.data ? (
            <ProfileDetails user={me.data} />
          ) : (
            <p class={me.error ? 'alert alert--error' : 'muted'}>{me.error instanceof Error ? me.error.message : me.loading ? 'Loading…' : ''}</p>
          )}
          <p class="muted small">To change these details, ask an administrator.</p>
        </section>
        <div class="profile-side">
          <section class="card">
            <ChangePasswordForm />
          </section>
          <TwoStepSection />
        </div>
      </div>
    </main>
  );
}
