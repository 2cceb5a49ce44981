// "Copy" for something shown once (a key, recovery codes): the clipboard when the browser allows it, else the text
// is selected so that the keyboard's copy works.
import type { RefObject } from 'preact';
import { useState } from 'preact/hooks';

function select(element: HTMLElement | null | undefined): void {
  if (!element) return;
  if (element instanceof HTMLInputElement) return element.select();
  const range = document.createRange();
  range.selectNodeContents(element);
  const selection = window.getSelection();
  selection?.removeAllRanges();
  selection?.addRange(range);
}

export function CopyButton({ text, label, target }: { text: string; label: string; target?: RefObject<HTMLElement | null> }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      // No clipboard permission (or not a secure context): select it instead.
      select(target?.current);
    }
  };
  return (
    <button type="button" class="button button--secondary" onClick={copy}>
      {copied ? 'Copied' : label}
    </button>
  );
}
