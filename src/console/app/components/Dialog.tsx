// A modal dialog on the native <dialog> (top layer, inert background): focus kept inside, Escape closes, and focus
// goes back to what opened it. Children lay out the body and footer with the dialog__body / dialog__footer classes.
import type { ComponentChildren, RefObject, TargetedKeyboardEvent } from 'preact';
import { useId, useLayoutEffect, useRef } from 'preact/hooks';

export interface DialogProps {
  readonly title: string;
  readonly onClose: () => void;
  readonly children: ComponentChildren;
  readonly size?: 'small' | 'medium' | 'large';
  readonly role?: 'dialog' | 'alertdialog';
  /** What gets focus on open; the title when not given (long dialogs are read from the top). */
  readonly initialFocus?: RefObject<HTMLElement | null>;
  /** Where focus goes on close when the element that opened the dialog is gone. */
  readonly fallbackFocus?: () => HTMLElement | null | undefined;
}

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

function focusables(dialog: HTMLDialogElement): HTMLElement[] {
  return [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
    (el) => el.closest('dialog') === dialog && el.getClientRects().length > 0,
  );
}

export function Dialog(props: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleRef = useRef<HTMLHeadingElement>(null);
  const titleId = useId();
  const closing = useRef(false);
  const latest = useRef(props);
  latest.current = props;

  useLayoutEffect(() => {
    const dialog = ref.current!;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    (props.initialFocus?.current ?? titleRef.current)?.focus();
    return () => {
      closing.current = true;
      if (dialog.open) dialog.close();
      const target = opener?.isConnected ? opener : latest.current.fallbackFocus?.();
      target?.focus();
    };
  }, []);

  // Escape fires `cancel`: the owner decides, so the dialog closes by being unmounted.
  const onCancel = (event: Event) => {
    event.preventDefault();
    props.onClose();
  };
  // A browser may close a dialog on its own (repeated Escape): keep the owner's state in step.
  const onNativeClose = () => {
    if (!closing.current) latest.current.onClose();
  };

  const onKeyDown = (event: TargetedKeyboardEvent<HTMLDialogElement>) => {
    const dialog = ref.current;
    if (event.key !== 'Tab' || !dialog || (event.target as HTMLElement).closest('dialog') !== dialog) return;
    const items = focusables(dialog);
    const first = items[0];
    const last = items[items.length - 1];
    if (!first || !last) return;
    const active = document.activeElement;
    if (event.shiftKey && (active === first || active === titleRef.current)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && active === last) {
      event.preventDefault();
      first.focus();
    }
  };

  return (
    <dialog
      ref={ref}
      class={`dialog dialog--${props.size ?? 'medium'}`}
      role={props.role ?? 'dialog'}
      aria-modal="true"
      aria-labelledby={titleId}
      onCancel={onCancel}
      onClose={onNativeClose}
      onKeyDown={onKeyDown}
    >
      <header class="dialog__header">
        <h2 id={titleId} ref={titleRef} tabIndex={-1} class="dialog__title">
          {props.title}
        </h2>
      </header>
      {props.children}
    </dialog>
  );
}
