// Small hooks shared by the pages.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api';

/** The value once it has stopped changing for `delay` ms (the search box waits for the user to pause). */
export function useDebounced<T>(value: T, delay: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setSettled(value), delay);
    return () => window.clearTimeout(timer);
  }, [value, delay]);
  return settled;
}

export interface Loaded<T> {
  readonly data?: T;
  readonly error?: unknown;
  readonly loading: boolean;
}

/**
 * Runs `load` whenever `deps` change and keeps the answer of the latest call only, so a slow early answer never
 * replaces a later one. The previous data stays shown while the next loads.
 */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>({ loading: true });
  const sequence = useRef(0);
  useEffect(() => {
    const call = ++sequence.current;
    setState((previous) => ({ data: previous.data, loading: true }));
    load().then(
      (data) => call === sequence.current && setState({ data, loading: false }),
      (error: unknown) => call === sequence.current && setState((previous) => ({ data: previous.data, error, loading: false })),
    );
  }, deps);
  useEffect(() => () => void (sequence.current = -1), []);
  return state;
}

export interface CursorPages<T> {
  readonly list: Loaded<T>;
  /** The load's error, but for a refused cursor, which only sends the list back to its first page. */
  readonly error: unknown;
  /** The list's total, kept while paging: from a page that carries totalResults, else asked for on its own (loadTotal). */
  readonly total: number | undefined;
  setCursor(next: string): void;
}

/**
 * A cursor-paged list (RFC 9865). A cursor belongs to the question it was answered for (the search, filter and
 * sort, as `question`): a new question starts at the first page, and so does a cursor the server refuses (one
 * from before the list changed). `reloads` asks the same page again when it changes. Pages loaded without their
 * total (which a common search takes long to count) get it from `loadTotal`, asked once the page is shown.
 */
export function useCursorPages<T extends { readonly totalResults?: number }>(
  question: readonly unknown[],
  load: (cursor: string) => Promise<T>,
  reloads = 0,
  loadTotal?: () => Promise<number | undefined>,
): CursorPages<T> {
  const key = JSON.stringify(question);
  const [page, setPage] = useState({ key, cursor: '' });
  const cursor = page.key === key ? page.cursor : '';
  const setCursor = (next: string) => setPage({ key, cursor: next });
  const [counted, setCounted] = useState<{ key: string; total: number | undefined }>({ key, total: undefined });
  const total = counted.key === key ? counted.total : undefined;
  const asked = useRef<string | undefined>(undefined);

  const list = useLoad(() => load(cursor), [key, cursor, reloads]);
  useEffect(() => {
    if (list.data?.totalResults !== undefined) setCounted({ key, total: list.data.totalResults });
    else if (list.data && !list.loading && loadTotal && asked.current !== key) {
      asked.current = key;
      loadTotal().then(
        (n) => setCounted((previous) => (asked.current === key ? { key, total: n } : previous)),
        () => undefined,
      );
    }
  }, [list.data, list.loading]);
  const refused = list.error instanceof ApiError && list.error.code === 'invalidCursor';
  useEffect(() => {
    if (refused) setCursor('');
  }, [list.error]);

  return { list, error: refused ? undefined : list.error, total, setCursor };
}
