// Wakes what waits for new deliveries in this process (the push worker, long polls) once a change that wrote events
// has committed. Other instances on the same database find them by looking again within a second.

export interface EventNotifier {
  /** New deliveries are committed: wake every waiter. */
  notify(): void;
  /** Resolves at the next notify(), after `ms`, or when `signal` aborts, whichever comes first. */
  wait(ms: number, signal?: AbortSignal): Promise<void>;
  /** Hears every notify() (the push worker's own). */
  subscribe(listener: () => void): () => void;
}

export function createEventNotifier(): EventNotifier {
  const waiters = new Set<() => void>();
  const listeners = new Set<() => void>();
  return {
    notify() {
      for (const wake of [...waiters]) wake();
      for (const listener of [...listeners]) listener();
    },
    wait(ms, signal) {
      return new Promise<void>((resolve) => {
        if (signal?.aborted) return resolve();
        const done = () => {
          clearTimeout(timer);
          waiters.delete(done);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        timer.unref();
        waiters.add(done);
        signal?.addEventListener('abort', done, { once: true });
      });
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
