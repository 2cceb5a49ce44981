// "Create an Account": the profile, the email twice, and the personas; POST /Users, then one PATCH per persona.
import type { RefObject, TargetedSubmitEvent } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { ApiError, scim } from '../api';
import { Dialog } from '../components/Dialog';
import { Field } from '../components/Field';
import type { StatusMessage } from '../components/LiveStatus';
import { PersonaChoices } from '../components/PersonaChoices';
import { ContactFields, NameFields } from '../components/ProfileFields';
import { addMember, type Persona } from '../personas';
import { EMPTY_PROFILE, checkEmail, checkProfile, fieldOfError, newUser, type Profile, type ProfileErrors } from '../profile';
import type { User } from '../scim-types';

export interface AddUserDialogProps {
  readonly personas: readonly Persona[];
  readonly onClose: () => void;
  /** The list's message once the account exists (with or without all its personas). */
  readonly onCreated: (message: StatusMessage, userId: string) => void;
}

const ORDER = ['userName', 'givenName', 'familyName', 'email', 'confirmEmail', 'extension'] as const;

export function AddUserDialog({ personas, onClose, onCreated }: AddUserDialogProps) {
  const [profile, setProfile] = useState<Profile>(EMPTY_PROFILE);
  const [email, setEmail] = useState('');
  const [confirmEmail, setConfirmEmail] = useState('');
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const [errors, setErrors] = useState<ProfileErrors>({});
  const [failure, setFailure] = useState<string>();
  const [busy, setBusy] = useState(false);
  const refs: Record<(typeof ORDER)[number], RefObject<HTMLInputElement | null>> = {
    userName: useRef(null), givenName: useRef(null), familyName: useRef(null), email: useRef(null), confirmEmail: useRef(null), extension: useRef(null),
  };
  const failureRef = useRef<HTMLParagraphElement>(null);

  const toggle = (id: string, checked: boolean) => {
    const next = new Set(chosen);
    if (checked) next.add(id);
    else next.delete(id);
    setChosen(next);
  };

  const showErrors = (found: ProfileErrors): boolean => {
    setErrors(found);
    const first = ORDER.find((key) => found[key]);
    if (first) refs[first].current?.focus();
    return first !== undefined;
  };

  const submit = async (event: TargetedSubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFailure(undefined);
    if (showErrors({ ...checkProfile(profile), ...checkEmail(email, confirmEmail) })) return;
    setBusy(true);
    let user: User;
    try {
      user = await scim<User>('POST', '/Users', { body: newUser(profile, email) });
    } catch (error) {
      setBusy(false);
      const detail = error instanceof Error ? error.message : String(error);
      const field = error instanceof ApiError ? fieldOfError(detail) : undefined;
      if (field) return void showErrors({ [field]: detail });
      setFailure(detail);
      return requestAnimationFrame(() => failureRef.current?.focus());
    }
    const failed: string[] = [];
    // Why the first one failed, in the server's words (a missing permission names it): the others fail alike.
    let reason: string | undefined;
    for (const persona of personas.filter((p) => chosen.has(p.id))) {
      try {
        await addMember(persona.id, user.id);
      } catch (error) {
        failed.push(persona.displayName);
        reason ??= error instanceof Error ? error.message : String(error);
      }
    }
    onCreated(
      failed.length
        ? { tone: 'error', text: `${user.userName} is added, but these personas could not be assigned: ${failed.join(', ')}. ${reason ?? ''} Edit the user to try again.` }
        : { tone: 'success', text: `${user.userName} is added; a welcome email is on its way.` },
      user.id,
    );
    onClose();
  };

  return (
    <Dialog title="Create an Account" onClose={onClose} size="large" initialFocus={refs.userName}>
      <form class="dialog__form" onSubmit={submit} noValidate>
        <div class="dialog__body">
          <p class="muted small">
            Fields marked * are required. The new user gets an email with a link to set a password.
          </p>
          {failure && (
            <p class="alert alert--error" role="alert" tabIndex={-1} ref={failureRef}>
              {failure}
            </p>
          )}
          <div class="form-grid">
            <NameFields value={profile} errors={errors} onChange={setProfile} refs={refs} />
            <Field label="Email Address" type="email" value={email} onValue={setEmail} error={errors.email} inputRef={refs.email} required autoComplete="off" spellcheck={false} />
            <Field label="Confirm Email Address" type="email" value={confirmEmail} onValue={setConfirmEmail} error={errors.confirmEmail} inputRef={refs.confirmEmail} required autoComplete="off" spellcheck={false} />
            <ContactFields value={profile} errors={errors} onChange={setProfile} refs={refs} />
          </div>
          <PersonaChoices legend="Select Personas" personas={personas} selected={chosen} onToggle={toggle} disabled={busy} />
        </div>
        <div class="dialog__footer">
          <button type="button" class="button button--secondary" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" class="button button--primary" disabled={busy}>
            Add Account
          </button>
        </div>
      </form>
    </Dialog>
  );
}
