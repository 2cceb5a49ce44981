// "Previous" and "Next" over a cursor-paged list (RFC 9865): each works when the server gave its cursor. They are
// aria-disabled rather than disabled, so the button just pressed keeps keyboard focus on the last page.

export interface PagerProps {
  readonly label: string;
  readonly previous?: string;
  readonly next?: string;
  readonly onPage: (cursor: string) => void;
  readonly busy?: boolean;
}

function PageButton({ cursor, busy, onPage, children }: { cursor?: string; busy?: boolean; onPage: (cursor: string) => void; children: string }) {
  const off = busy || cursor === undefined;
  return (
    <button type="button" class="button button--secondary" aria-disabled={off ? 'true' : undefined} onClick={() => !off && onPage(cursor)}>
      {children}
    </button>
  );
}

export function Pager({ label, previous, next, onPage, busy }: PagerProps) {
  return (
    <nav class="pager" aria-label={label}>
      <PageButton cursor={previous} busy={busy} onPage={onPage}>
        Previous
      </PageButton>
      <PageButton cursor={next} busy={busy} onPage={onPage}>
        Next
      </PageButton>
    </nav>
  );
}
