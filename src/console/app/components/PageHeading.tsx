// A page's h1: it names the document and takes focus when the page opens, so a screen reader hears where it is.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

export function PageHeading({ children, title }: { children: ComponentChildren; title: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Usher`;
    // On a page change (focus on nothing, or on the link that was followed), not while working in the page or a dialog.
    const active = document.activeElement;
    if (!active || active === document.body || !active.closest('main, dialog')) ref.current?.focus({ preventScroll: true });
  }, [title]);
  return (
    <h1 ref={ref} tabIndex={-1} class="page__title" id="page-title">
      {children}
    </h1>
  );
}
