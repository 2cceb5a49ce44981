// "Delete <userName>? This cannot be undone." with OK and Cancel; Cancel has focus, so Enter is never a mistake.
import type { VNode } from 'preact';
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

/** One confirmation step: the dialog's words, what confirming does, and what follows once it is done. */
export interface ConfirmStep extends Omit<ConfirmDialogProps, 'onConfirm' | 'onClose'> {
  /** Does the thing; a rejection's message is shown in the dialog, which stays open. */
  readonly act: () => Promise<unknown>;
  /** Runs as the dialog closes after `act` succeeded: say what happened, reload. */
  readonly done: () => void;
}

/**
 * An action that asks first (a row's Remove, Revoke or Delete): `ask` opens the confirmation; `dialog` is what the
 * page renders where its dialogs go.
 */
export function useConfirmation(): { ask: (step: ConfirmStep) => void; dialog: VNode | null } {
  const [asking, setAsking] = useState<ConfirmStep>();
  const dialog = asking ? (
    <ConfirmDialog
      title={asking.title}
      message={asking.message}
      confirmLabel={asking.confirmLabel}
      fallbackFocus={asking.fallbackFocus}
      onConfirm={async () => {
        await asking.act();
        setAsking(undefined);
        asking.done();
      }}
      onClose={() => setAsking(undefined)}
    />
  ) : null;
  return { ask: (step) => setAsking(step), dialog };
}
