// The inside of a dialog that is one form: the server's refusal at the top of the body, then the fields, then the
// submit button and Cancel. The submit stays pressable while busy (aria-disabled), so focus is not lost; the owner
// ignores it meanwhile.
import type { ComponentChildren } from 'preact';

export interface DialogFormProps {
  readonly onSubmit: (event: Event) => void;
  /** The submit button's words ("Add stream"). */
  readonly submitLabel: string;
  readonly busy: boolean;
  /** Why the last submit failed, shown as an alert above the fields. */
  readonly error?: string;
  readonly onCancel: () => void;
  readonly children: ComponentChildren;
}

export function DialogForm(props: DialogFormProps) {
  return (
    <form onSubmit={props.onSubmit} noValidate>
      <div class="dialog__body">
        {props.error && (
          <p class="alert alert--error" role="alert">
            {props.error}
          </p>
        )}
        {props.children}
      </div>
      <div class="dialog__footer">
        <button type="submit" class="button button--primary" aria-disabled={props.busy ? 'true' : undefined}>
          {props.submitLabel}
        </button>
        <button type="button" class="button button--secondary" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
