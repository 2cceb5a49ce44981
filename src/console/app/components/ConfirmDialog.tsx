// "Delete <userName>? This cannot be undone." with OK and Cancel; Cancel has focus, so Enter is never a mistake.
import { useRef, useState } from 'preact/hooks';
import { Dialog } from './Dialog';

export interface ConfirmDialogProps {
  readonly message: string;
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
    <Dialog title={props.message} onClose={props.onClose} size="small" role="alertdialog" initialFocus={cancelRef} fallbackFocus={props.fallbackFocus}>
      {error && (
        <div class="dialog__body">
          <p class="alert alert--error" role="alert">
            {error}
          </p>
        </div>
      )}
      <div class="dialog__footer">
        <button type="button" class="button button--danger" onClick={confirm} aria-disabled={busy ? 'true' : undefined}>
          OK
        </button>
        <button type="button" class="button button--secondary" ref={cancelRef} onClick={() => !busy && props.onClose()} aria-disabled={busy ? 'true' : undefined}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
