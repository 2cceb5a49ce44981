// One labelled input with its hint and error, wired together with aria-describedby and aria-invalid.
import type { Ref, TargetedEvent } from 'preact';
import { useId } from 'preact/hooks';

export interface FieldProps {
  readonly label: string;
  readonly value: string;
  readonly onValue?: (value: string) => void;
  readonly type?: 'text' | 'email' | 'password' | 'tel' | 'search';
  readonly hint?: string;
  readonly error?: string;
  readonly required?: boolean;
  readonly autoComplete?: string;
  readonly readOnly?: boolean;
  readonly disabled?: boolean;
  readonly inputRef?: Ref<HTMLInputElement>;
  readonly class?: string;
  readonly inputMode?: 'text' | 'email' | 'tel' | 'numeric';
  readonly spellcheck?: boolean;
}

export function Field(props: FieldProps) {
  const id = useId();
  const hintId = props.hint ? `${id}-hint` : undefined;
  const errorId = props.error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  // Preact types each input type apart; these five are all text-like, so one of them stands for all.
  const type = (props.type ?? 'text') as 'text';
  const onInput = (event: TargetedEvent<HTMLInputElement>) => props.onValue?.(event.currentTarget.value);
  return (
    <div class={`field${props.error ? ' field--invalid' : ''}${props.class ? ` ${props.class}` : ''}`}>
      <div class="field__label-row">
        <label for={id} class="field__label">
          {props.label}
        </label>
        {props.required && (
          <span class="field__required" aria-hidden="true">
            *
          </span>
        )}
      </div>
      <input
        id={id}
        ref={props.inputRef}
        class="input"
        type={type}
        value={props.value}
        onInput={onInput}
        required={props.required}
        aria-required={props.required ? 'true' : undefined}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy}
        autoComplete={props.autoComplete}
        readOnly={props.readOnly}
        disabled={props.disabled}
        inputMode={props.inputMode}
        spellcheck={props.spellcheck}
      />
      {props.hint && (
        <p id={hintId} class="field__hint">
          {props.hint}
        </p>
      )}
      {props.error && (
        <p id={errorId} class="field__error">
          {props.error}
        </p>
      )}
    </div>
  );
}
