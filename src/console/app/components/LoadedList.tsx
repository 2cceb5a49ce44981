// What stands where a loaded list goes: its status line (what just happened, or that it is loading), the load's
// error, the words for an empty list, and the list itself once it has items.
import type { ComponentChildren } from 'preact';

export interface LoadedListProps<T> {
  /** Undefined while loading. */
  readonly items: readonly T[] | undefined;
  /** What the last action did, announced in the status line. */
  readonly notice?: string;
  /** The status line while loading ("Loading tokens…"). */
  readonly loading: string;
  readonly error?: string;
  /** The words for an empty list ("No API tokens yet."). */
  readonly empty: string;
  /** The list, given its items (never none). */
  readonly children: (items: readonly T[]) => ComponentChildren;
}

export function LoadedList<T>({ items, notice, loading, error, empty, children }: LoadedListProps<T>) {
  return (
    <>
      <p role="status" class="list-meta__count">
        {notice ?? (items ? '' : loading)}
      </p>
      {error && (
        <p class="alert alert--error" role="alert">
          {error}
        </p>
      )}
      {items?.length === 0 && <p class="empty">{empty}</p>}
      {items && items.length > 0 && children(items)}
    </>
  );
}
