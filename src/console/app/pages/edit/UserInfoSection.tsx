// The edit dialog's User Information: the profile fields and Save, which PATCHes only the attributes that changed.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../../api';
import { Details, type DetailRow } from '../../components/Details';
import { ContactFields, NameFields } from '../../components/ProfileFields';
import { checkProfile, fieldOfError, profileChanges, profileOf, type Profile, type ProfileErrors } from '../../profile';
import { ActionButton, ActionRow } from './ActionRow';
import { patchUser } from './actions';
import type { SectionProps } from './section-props';

function sameProfile(a: Profile, b: Profile): boolean {
  return (Object.keys(a) as (keyof Profile)[]).every((key) => a[key] === b[key]);
}

function ReadOnlyProfile({ profile }: { profile: Profile }) {
  const name = [profile.salutation, profile.givenName, profile.middleName, profile.familyName].filter(Boolean).join(' ');
  const rows: DetailRow[] = [
    ['Name', name],
    ['User Name', profile.userName],
    ['Job Title', profile.title],
    ['Telephone Number', profile.work],
    ['Extension', profile.extension],
    ['Cell Phone Number', profile.mobile],
  ];
  return <Details rows={rows} />;
}

export function UserInfoSection({ user, busy, run, canWrite }: SectionProps & { canWrite: boolean }) {
  const read = profileOf(user);
  const [profile, setProfile] = useState<Profile>(read);
  const [errors, setErrors] = useState<ProfileErrors>({});
  const base = useRef(read);
  const userNameRef = useRef<HTMLInputElement>(null);
  const givenNameRef = useRef<HTMLInputElement>(null);
  const familyNameRef = useRef<HTMLInputElement>(null);
  const extensionRef = useRef<HTMLInputElement>(null);

  // A re-read user (after another section's action) replaces the fields only when they hold no unsaved edits.
  useEffect(() => {
    if (sameProfile(profile, base.current)) setProfile(read);
    base.current = read;
  }, [user]);

  if (!canWrite) {
    return (
      <ActionRow title="User Information">
        <ReadOnlyProfile profile={read} />
      </ActionRow>
    );
  }

  const save = async () => {
    const problems = checkProfile(profile, user.userName);
    setErrors(problems);
    const first = ([['userName', userNameRef], ['givenName', givenNameRef], ['familyName', familyNameRef], ['extension', extensionRef]] as const).find(
      ([key]) => problems[key],
    );
    if (first) return first[1].current?.focus();
    const operations = profileChanges(user, profile);
    const failure = await run(async () => {
      if (operations.length === 0) return 'Nothing to save: no field changed.';
      await patchUser(user.id, operations, user.meta?.version);
      base.current = profile;
      return 'Saved.';
    });
    const field = failure instanceof ApiError ? fieldOfError(failure.detail) : undefined;
    if (field === 'userName') setErrors({ userName: (failure as ApiError).detail });
  };

  const refs = { userName: userNameRef, givenName: givenNameRef, familyName: familyNameRef, extension: extensionRef };
  return (
    <ActionRow title="User Information" onSubmit={save} action={<ActionButton submit busy={busy}>Save</ActionButton>}>
      <div class="form-grid">
        <NameFields value={profile} errors={errors} onChange={setProfile} refs={refs} />
        <ContactFields value={profile} errors={errors} onChange={setProfile} refs={refs} />
      </div>
    </ActionRow>
  );
}
