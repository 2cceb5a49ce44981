// "Delete <userName>? This cannot be undone." with OK and Cancel; Cancel has focus, so Enter is never a mistake.
import { useRef, useState } from 'preact/hooks';
import { Dialog } from './Dialog';

export interface ConfirmDialogProps {
  /** The question, as the dialog's title; without it the message is the title. */
  readonly title?: string;
  /** The consequence in plain words (under the title when there is one). */
  readonly message: string;
  /** The confirm button's words ("Lock account"); OK when not given. */
  readonly confirmLabel?: string;
  /** Does the thing; a rejection's message is shown in the dialog, which stays open. */
  readonly onConfirm: () => Promise<void>;
  readonly onClose: () => void;
  readonly fallbackFocus?: () => HTMLElement | null | undefined;
}

export function ConfirmDialog(props: ConfirmDialogProps) {
  const cancelRef = useRef<HTMLButtonElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const confirm = async () => {
    if (busy) return;
    setBusy(true);
    setError(undefined);
    try {
      await props.onConfirm();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setBusy(false);
    }
  };

  return (
    <Dialog title={props.title ?? props.message} onClose={props.onClose} size="small" role="alertdialog" initialFocus={cancelRef} fallbackFocus={props.fallbackFocus}>
      {(error || props.title) && (
        <div class="dialog__body">
          {props.title && <p class="confirm__message">{props.message}</p>}
          {error && (
            <p class="alert alert--error" role="alert">
              {error}
            </p>
          )}
        </div>
      )}
      <div class="dialog__footer">
        <button type="button" class="button button--danger" onClick={confirm} aria-disabled={busy ? 'true' : undefined}>
          {props.confirmLabel ?? 'OK'}
        </button>
        <button type="button" class="button button--secondary" ref={cancelRef} onClick={() => !busy && props.onClose()} aria-disabled={busy ? 'true' : undefined}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
