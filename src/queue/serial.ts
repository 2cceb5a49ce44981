// Runs async functions one after the other, each once the one before it has settled, whether it resolved or threw.

export interface Serial {
  /** Runs fn after everything queued before it; its result or error is the caller's alone. */
  <T>(fn: () => Promise<T>): Promise<T>;
  /** Settles once everything queued so far has settled. */
  settled(): Promise<unknown>;
}

export function createSerial(): Serial {
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(() => fn());
    // A failure belongs to its caller; the functions after it still run.
    chain = run.catch(() => {});
    return run;
  };
  return Object.assign(serial, { settled: () => chain });
}
