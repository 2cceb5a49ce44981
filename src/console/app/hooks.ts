// Small hooks shared by the pages.
import { useEffect, useRef, useState } from 'preact/hooks';

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
