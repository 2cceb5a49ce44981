// An <a> that moves within the app without reloading the page; modified clicks (new tab) stay the browser's.
import type { AnchorHTMLAttributes, TargetedMouseEvent } from 'preact';
import { navigate } from '../router';

export function Link(props: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const onClick = (event: TargetedMouseEvent<HTMLAnchorElement>) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(props.href);
  };
  return <a {...props} onClick={onClick} />;
}
