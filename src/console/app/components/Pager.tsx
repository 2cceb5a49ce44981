// "Previous" and "Next" over a cursor-paged list (RFC 9865), with the range shown ("26–50 of 1,204"): each works when
// the server gave its cursor. They are aria-disabled rather than disabled, so the button just pressed keeps keyboard
// focus on the last page.

export interface PagerProps {
  readonly label: string;
  readonly previous?: string;
  readonly next?: string;
  readonly onPage: (cursor: string, step: 1 | -1) => void;
  readonly busy?: boolean;
  /** Which rows are shown, such as "26–50 of 1,204". */
  readonly range?: string;
}

function PageButton({ cursor, busy, onPage, children }: { cursor?: string; busy?: boolean; onPage: (cursor: string) => void; children: string }) {
  const off = busy || cursor === undefined;
  return (
    <button type="button" class="button button--secondary" aria-disabled={off ? 'true' : undefined} onClick={() => !off && onPage(cursor)}>
      {children}
    </button>
  );
}

export function Pager({ label, previous, next, onPage, busy, range }: PagerProps) {
  return (
    <nav class="pager" aria-label={label}>
      {range && <span class="pager__range">{range}</span>}
      <PageButton cursor={previous} busy={busy} onPage={(c) => onPage(c, -1)}>
        Previous
      </PageButton>
      <PageButton cursor={next} busy={busy} onPage={(c) => onPage(c, 1)}>
        Next
      </PageButton>
    </nav>
  );
}
