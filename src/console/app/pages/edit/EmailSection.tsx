// The edit dialog's Email section: the current address, and a new one as the user's primary work address.
import { useRef, useState } from 'preact/hooks';
import { Field } from '../../components/Field';
import { checkEmail } from '../../profile';
import { primaryEmail } from '../../users';
import { ActionButton, ActionRow } from './ActionRow';
import { replaceEmail } from './actions';
import { errorText, type SectionProps } from './section-props';

export function EmailSection({ user, busy, run, canWrite }: SectionProps & { canWrite: boolean }) {
  const [email, setEmail] = useState('');
  const [error, setError] = useState<string>();
  const inputRef = useRef<HTMLInputElement>(null);
  const current = primaryEmail(user);

  const submit = async () => {
    const problem = checkEmail(email).email;
    setError(problem);
    if (problem) return inputRef.current?.focus();
    const failure = await run(async () => {
      await replaceEmail(user.id, email.trim());
      setEmail('');
      return 'Email updated.';
    });
    setError(errorText(failure));
  };

  return (
    <ActionRow title="Email" onSubmit={canWrite ? submit : undefined} action={canWrite && <ActionButton submit busy={busy}>Update Email</ActionButton>}>
      <p class={current ? 'strong' : 'muted'}>{current ?? 'No email address'}</p>
      {canWrite && (
        <Field label="New email address" type="email" value={email} onValue={setEmail} error={error} inputRef={inputRef} autoComplete="off" spellcheck={false} />
      )}
    </ActionRow>
  );
}
