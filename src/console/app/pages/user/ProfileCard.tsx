// The user's profile as a form: the fields and the email address, Save and Cancel. Save PATCHes only what changed,
// with the version read (someone else's change meanwhile is refused, not overwritten). Unsaved edits are guarded:
// leaving the page (a link, Back, a reload, closing the tab) asks first.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../../api';
import { Details, type DetailRow } from '../../components/Details';
import { Field } from '../../components/Field';
import { LiveStatus } from '../../components/LiveStatus';
import { ContactFields, NameFields } from '../../components/ProfileFields';
import { checkEmail, checkProfile, fieldOfError, profileChanges, profileOf, type Profile, type ProfileErrors } from '../../profile';
import { setLeaveGuard } from '../../router';
import type { PatchOperation, User } from '../../scim-types';
import { primaryEmail } from '../../users';
import { patchUser } from './actions';
import type { Action } from './use-action';

export const UNSAVED = 'You have unsaved changes to this user. Leave without saving them?';

function same(a: Profile, b: Profile): boolean {
  return (Object.keys(a) as (keyof Profile)[]).every((key) => a[key] === b[key]);
}

function ReadOnlyProfile({ user }: { user: User }) {
  const profile = profileOf(user);
  const name = [profile.salutation, profile.givenName, profile.middleName, profile.familyName].filter(Boolean).join(' ');
  const rows: DetailRow[] = [
    ['Name', name],
    ['User Name', profile.userName],
    ['Email', primaryEmail(user)],
    ['Job Title', profile.title],
    ['Telephone Number', profile.work],
    ['Extension', profile.extension],
    ['Cell Phone Number', profile.mobile],
  ];
  return <Details rows={rows} columns />;
}

/** Keeps the page from being left while `dirty`: in-app moves ask, and the browser asks before unloading. */
export function useLeaveGuard(dirty: boolean): void {
  useEffect(() => {
    if (!dirty) return;
    const beforeUnload = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      event.returnValue = '';
    };
    window.addEventListener('beforeunload', beforeUnload);
    setLeaveGuard(() => window.confirm(UNSAVED));
    return () => {
      window.removeEventListener('beforeunload', beforeUnload);
      setLeaveGuard(undefined);
    };
  }, [dirty]);
}

export function ProfileCard({ user, canWrite, action, onDirty }: { user: User; canWrite: boolean; action: Action; onDirty: (dirty: boolean) => void }) {
  const read = profileOf(user);
  const readEmail = primaryEmail(user) ?? '';
  const [profile, setProfile] = useState<Profile>(read);
  const [email, setEmail] = useState(readEmail);
  const [errors, setErrors] = useState<ProfileErrors>({});
  const base = useRef({ profile: read, email: readEmail });
  const refs = {
    userName: useRef<HTMLInputElement>(null),
    givenName: useRef<HTMLInputElement>(null),
    familyName: useRef<HTMLInputElement>(null),
    extension: useRef<HTMLInputElement>(null),
  };
  const emailRef = useRef<HTMLInputElement>(null);
  const dirty = !same(profile, base.current.profile) || email.trim() !== base.current.email;

  // A re-read user (after another action) replaces the fields only when they hold no unsaved edits.
  useEffect(() => {
    if (!dirty) {
      setProfile(read);
      setEmail(readEmail);
    }
    base.current = { profile: read, email: readEmail };
  }, [user]);
  useEffect(() => onDirty(dirty), [dirty]);

  if (!canWrite) {
    return (
      <section class="card user-card" aria-labelledby="profile-title">
        <h2 id="profile-title" class="card__title">
          Profile
        </h2>
        <ReadOnlyProfile user={user} />
      </section>
    );
  }

  const check = (): ProfileErrors => {
    const problems: { -readonly [K in keyof ProfileErrors]: string } = { ...checkProfile(profile, user.userName) };
    // A name part the user never had (an identity provider may send none) is not required to save the rest.
    if (!read.givenName.trim() && !profile.givenName.trim()) delete problems.givenName;
    if (!read.familyName.trim() && !profile.familyName.trim()) delete problems.familyName;
    if (email.trim() !== readEmail && (email.trim() || readEmail)) Object.assign(problems, checkEmail(email));
    return problems;
  };

  const save = async (event: Event) => {
    event.preventDefault();
    const problems = check();
    setErrors(problems);
    const first = (['userName', 'givenName', 'familyName', 'extension'] as const).find((key) => problems[key]);
    if (first) return refs[first].current?.focus();
    if (problems.email) return emailRef.current?.focus();
    const operations: PatchOperation[] = profileChanges(user, profile);
    if (email.trim() !== readEmail) operations.push({ op: 'replace', path: 'emails', value: [{ value: email.trim(), type: 'work', primary: true }] });
    const failure = await action.run(async () => {
      if (operations.length === 0) return 'Nothing to save: no field changed.';
      await patchUser(user.id, operations, user.meta?.version);
      base.current = { profile, email: email.trim() };
      return 'The profile is saved.';
    });
    const field = failure instanceof ApiError ? fieldOfError(failure.detail) : undefined;
    if (field === 'userName') setErrors({ userName: (failure as ApiError).detail });
    if (failure instanceof ApiError && failure.status === 412) cancel();
  };

  const cancel = () => {
    setProfile(base.current.profile);
    setEmail(base.current.email);
    setErrors({});
    action.say(undefined);
  };

  return (
    <form class="card user-card" aria-labelledby="profile-title" onSubmit={save} noValidate>
      <h2 id="profile-title" class="card__title">
        Profile
      </h2>
      <div class="form-grid">
        <NameFields value={profile} errors={errors} onChange={setProfile} refs={refs} />
        <Field label="Email Address" type="email" value={email} onValue={setEmail} error={errors.email} inputRef={emailRef} autoComplete="off" spellcheck={false} />
        <ContactFields value={profile} errors={errors} onChange={setProfile} refs={refs} />
      </div>
      <div class="card__actions">
        <button type="submit" class="button button--primary" aria-disabled={action.busy ? 'true' : undefined}>
          {action.busy ? 'Saving…' : 'Save'}
        </button>
        <button type="button" class="button button--secondary" onClick={cancel} aria-disabled={!dirty ? 'true' : undefined}>
          Cancel
        </button>
        {dirty && <span class="muted small">Unsaved changes</span>}
      </div>
      <LiveStatus message={action.status} />
    </form>
  );
}
