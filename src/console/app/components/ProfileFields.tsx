// The profile fields of "Create an Account" and "User Information": names first, then job and phones; the Add form
// puts its email fields between the two.
import type { RefObject } from 'preact';
import type { Profile, ProfileErrors } from '../profile';
import { Field } from './Field';

export interface ProfileFieldsProps {
  readonly value: Profile;
  readonly errors: ProfileErrors;
  readonly onChange: (value: Profile) => void;
  readonly refs?: Partial<Record<keyof Profile, RefObject<HTMLInputElement | null>>>;
}

function useBind({ value, errors, onChange, refs }: ProfileFieldsProps) {
  return (key: keyof Profile) => ({
    value: value[key],
    error: errors[key],
    onValue: (next: string) => onChange({ ...value, [key]: next }),
    inputRef: refs?.[key],
  });
}

export function NameFields(props: ProfileFieldsProps) {
  const bind = useBind(props);
  return (
    <>
      <Field label="User Name" {...bind('userName')} hint="Please enter user name in an email format" required autoComplete="off" spellcheck={false} class="span-2" />
      <Field label="Salutation" {...bind('salutation')} autoComplete="off" />
      <Field label="First Name" {...bind('givenName')} required autoComplete="off" />
      <Field label="Middle Name" {...bind('middleName')} autoComplete="off" />
      <Field label="Last Name" {...bind('familyName')} required autoComplete="off" />
    </>
  );
}

export function ContactFields(props: ProfileFieldsProps) {
  const bind = useBind(props);
  return (
    <>
      <Field label="Job Title" {...bind('title')} autoComplete="off" class="span-2" />
      <div class="phone-row span-2">
        <Field label="Telephone Number" type="tel" {...bind('work')} autoComplete="off" class="phone-row__number" />
        <Field label="Extension" {...bind('extension')} autoComplete="off" inputMode="numeric" class="phone-row__ext" />
      </div>
      <Field label="Cell Phone Number" type="tel" {...bind('mobile')} autoComplete="off" class="span-2" />
    </>
  );
}
