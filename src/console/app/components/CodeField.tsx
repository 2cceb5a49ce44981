// The second factor's field: a 6-digit code from the authenticator app, or (where offered) one of the recovery codes,
// with the button that switches between the two.
import type { Ref } from 'preact';
import { Field } from './Field';

export interface CodeFieldProps {
  readonly value: string;
  readonly onValue: (value: string) => void;
  readonly error?: string;
  readonly inputRef?: Ref<HTMLInputElement>;
  readonly recovery?: boolean;
  /** Offers "Use a recovery code instead" and back; the form clears the field and moves focus. */
  readonly onRecovery?: (recovery: boolean) => void;
  readonly hint?: string;
}

export function CodeField({ value, onValue, error, inputRef, recovery = false, onRecovery, hint }: CodeFieldProps) {
  return (
    <div class="code-field">
      {recovery ? (
        <Field label="Recovery code" value={value} onValue={onValue} error={error} inputRef={inputRef} hint={hint} autoComplete="off" spellcheck={false} required />
      ) : (
        <Field label="Code" value={value} onValue={onValue} error={error} inputRef={inputRef} hint={hint} autoComplete="one-time-code" inputMode="numeric" spellcheck={false} required />
      )}
      {onRecovery && (
        <button type="button" class="link-button" onClick={() => onRecovery(!recovery)}>
          {recovery ? 'Use a code from your authenticator app instead' : 'Use a recovery code instead'}
        </button>
      )}
    </div>
  );
}
