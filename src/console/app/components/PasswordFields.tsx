// "New password" and "Confirm new password" with the password rules, and the check that the two match.
import type { Ref } from 'preact';
import { PASSWORD_RULES } from '../auth';
import { Field } from './Field';

export interface NewPassword {
  readonly password: string;
  readonly confirm: string;
}

export interface NewPasswordErrors {
  readonly password?: string;
  readonly confirm?: string;
}

export const EMPTY_PASSWORD: NewPassword = { password: '', confirm: '' };

/** What the browser can tell before asking the server: both filled in, and the same. */
export function checkNewPassword(value: NewPassword): NewPasswordErrors {
  if (!value.password) return { password: 'Enter a new password.' };
  if (value.confirm !== value.password) return { confirm: 'The two passwords are not the same.' };
  return {};
}

export interface PasswordFieldsProps {
  readonly value: NewPassword;
  readonly errors: NewPasswordErrors;
  readonly onChange: (value: NewPassword) => void;
  readonly passwordRef?: Ref<HTMLInputElement>;
  readonly confirmRef?: Ref<HTMLInputElement>;
}

export function PasswordFields({ value, errors, onChange, passwordRef, confirmRef }: PasswordFieldsProps) {
  return (
    <>
      <Field
        label="New password"
        type="password"
        autoComplete="new-password"
        value={value.password}
        onValue={(password) => onChange({ ...value, password })}
        hint={PASSWORD_RULES}
        error={errors.password}
        inputRef={passwordRef}
        required
      />
      <Field
        label="Confirm new password"
        type="password"
        autoComplete="new-password"
        value={value.confirm}
        onValue={(confirm) => onChange({ ...value, confirm })}
        error={errors.confirm}
        inputRef={confirmRef}
        required
      />
    </>
  );
}
