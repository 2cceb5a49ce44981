// In-memory claims on a PGlite store: which jobs a worker of this process is working on, so that no other worker
// of the process takes them too. PostgreSQL needs none of this: there a job is claimed with `for update skip
// locked` in a transaction held open while it runs.
//
// PGlite runs one transaction at a time for the whole server, so none may stay open across a send, and one
// process owns the database (a lock file ensures it), so memory is enough. A worker takes and drops its claims
// under the store's mutex, and writes a job's outcome before it drops the claim: no other worker can read the job
// as due while it runs or after it ran.
import type { Store } from '../store/index.js';
import { createSerial } from './serial.js';

export interface Claims {
  /** The keys of the jobs claimed, as the worker kind names them. Read and change it only under lock(). */
  readonly held: Set<string>;
  /** Runs fn alone among the lock()s on this store's claims. */
  lock<T>(fn: () => Promise<T>): Promise<T>;
}

/**
 * Returns claimsOf(store) for one kind of worker: each kind keeps its own claims, keyed its own way. Per store, not
 * per worker: two workers of one process on one PGlite store must see each other's claims.
 */
export function createStoreClaims(): (store: Store) => Claims {
  const claimsByStore = new WeakMap<Store, Claims>();
  return (store) => {
    let claims = claimsByStore.get(store);
    if (!claims) {
      claims = { held: new Set(), lock: createSerial() };
      claimsByStore.set(store, claims);
    }
    return claims;
  };
}
