// Password hashing with Argon2id at OWASP's recommended cost, on libuv's thread pool so the event loop stays free.
import { availableParallelism } from 'node:os';
import { hash, verify, type Options } from '@node-rs/argon2';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hashed: string, password: string): Promise<boolean>;
  /**
   * Runs a request's work that leads to hashing (its database reads, then hash or verify), admitted only while
   * the hash queue could take it: past that, it fails at once with HashQueueFullError, before any of its reads.
   * A flood of sign-ins then costs each turned-away one no database work, so the database stays free for the rest.
   */
  admit<T>(work: () => Promise<T>): Promise<T>;
}

/** OWASP Password Storage Cheat Sheet: Argon2id, m=19 MiB, t=2, p=1. */
const OWASP_ARGON2ID: Options = {
  // Algorithm.Argon2id; the package declares it as an ambient const enum, which isolated modules cannot read.
  algorithm: 2,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};

/**
 * The hash queue is full: rather than wait behind every request queued before it, the caller is told at once to
 * come back later (503 with Retry-After).
 */
export class HashQueueFullError extends Error {
  override readonly name = 'HashQueueFullError';
  constructor(readonly retryAfterSeconds: number) {
    super(`The server is busy hashing passwords; retry after ${retryAfterSeconds} s.`);
  }
}

export interface ConcurrencyLimitOptions {
  /** How many tasks may wait for a slot; past that, a new task fails at once with HashQueueFullError. */
  readonly maxWaiting?: number;
}

// What a task is assumed to take before one has been measured: a little more than an Argon2id hash on a slow core.
const FIRST_ESTIMATE_MS = 100;

/**
 * Runs tasks with at most `max` of them at once; the others wait their turn, first come first served, up to
 * `maxWaiting` of them (unbounded when left out).
 */
export interface ConcurrencyLimit {
  <T>(task: () => Promise<T>): Promise<T>;
  /** Whole seconds, at least 1, until `ahead` tasks (those under way and waiting included) would have run. */
  retryAfterSeconds(ahead: number): number;
  /** Tasks under way and waiting now. */
  load(): number;
}

export function limitConcurrency(max: number, options: ConcurrencyLimitOptions = {}): ConcurrencyLimit {
  if (!Number.isSafeInteger(max) || max < 1) throw new RangeError(`max must be a whole number of at least 1, got ${max}`);
  const maxWaiting = options.maxWaiting ?? Number.POSITIVE_INFINITY;
  if (maxWaiting !== Number.POSITIVE_INFINITY && (!Number.isSafeInteger(maxWaiting) || maxWaiting < 0)) {
    throw new RangeError(`maxWaiting must be a whole number of at least 0, got ${maxWaiting}`);
  }
  let running = 0;
  const waiting: (() => void)[] = [];
  // A moving average of how long a task takes, for Retry-After: when the queue of now would have drained.
  let averageMs = FIRST_ESTIMATE_MS;
  const retryAfterSeconds = (ahead: number) => Math.max(1, Math.ceil(((ahead / max) * averageMs) / 1000));
  const run = async <T>(task: () => Promise<T>): Promise<T> => {
    if (running < max) running++;
    else if (waiting.length >= maxWaiting) throw new HashQueueFullError(retryAfterSeconds(waiting.length + running));
    // The slot is handed over by the task that ends, so `running` stays counted for the one woken.
    else await new Promise<void>((resolve) => waiting.push(resolve));
    const started = performance.now();
    try {
      return await task();
    } finally {
      averageMs = 0.8 * averageMs + 0.2 * (performance.now() - started);
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
  return Object.assign(run, { retryAfterSeconds, load: () => running + waiting.length });
}

/** One less than the cores, at least one: see createPasswordHasher. */
export function defaultMaxConcurrent(): number {
  return Math.max(1, availableParallelism() - 1);
}

export interface PasswordHasherOptions {
  /** Hashes and verifications at once; the default is explained in createPasswordHasher. */
  readonly maxConcurrent?: number;
  /**
   * Hashes and verifications that may wait for a slot (HASH_QUEUE_MAX); past that, hash and verify fail at once
   * with HashQueueFullError. Unbounded when left out.
   */
  readonly maxWaiting?: number;
}

/**
 * Argon2id runs on libuv's thread pool (4 threads unless UV_THREADPOOL_SIZE says otherwise), never on the event
 * loop. But each hash is about 19 MiB of memory-hard work, and with as many at once as the pool has threads on a
 * machine with fewer cores, the hashes take the cores from the event loop and every other request waits behind
 * them. So at most one less than the cores run at once (at least one), and the rest queue here: a login burst
 * then costs logins a queue, and SCIM requests little. Measured with `npm run bench` (underLogins) on 2 cores:
 * while logins ran, a userName lookup's p99 grew 8 to 40 times with 4 at once, and 1.2 to 2 times with 1 (unless
 * other work swamped the machine), for up to a third fewer logins/s (docs/benchmarks.md, Sign-in).
 */
export function createPasswordHasher(options: PasswordHasherOptions = {}): PasswordHasher {
  const maxConcurrent = options.maxConcurrent ?? defaultMaxConcurrent();
  const limit = limitConcurrency(maxConcurrent, { maxWaiting: options.maxWaiting });
  // Admitted work takes at most one place in the queue each: as much is admitted as the queue has places, slots
  // included, and nothing while the queue is full (of admitted work or of other hashing, such as SCIM passwords).
  const capacity = maxConcurrent + (options.maxWaiting ?? Number.POSITIVE_INFINITY);
  let admitted = 0;
  return {
    async admit(work) {
      const ahead = Math.max(admitted, limit.load());
      if (ahead >= capacity) throw new HashQueueFullError(limit.retryAfterSeconds(ahead));
      admitted++;
      try {
        return await work();
      } finally {
        admitted--;
      }
    },
    hash: (password) => limit(() => hash(password, OWASP_ARGON2ID)),
    // A malformed stored hash verifies nothing; a full queue is no answer about the password, so it is passed on.
    verify: (hashed, password) =>
      limit(async () => {
        try {
          return await verify(hashed, password);
        } catch {
          return false;
        }
      }),
  };
}

/**
 * A hasher that answers the passwords hashed beforehand from `known` and hashes any other one with `hasher`:
 * work that must run inside a transaction gets its hashes computed before the transaction opens.
 */
export function withKnownHashes(hasher: PasswordHasher, known: ReadonlyMap<string, string>): PasswordHasher {
  return {
    hash: (password) => {
      const found = known.get(password);
      return found === undefined ? hasher.hash(password) : Promise.resolve(found);
    },
    // A hash made beforehand from this very password verifies it without Argon2id: a Bulk that creates a user and
    // then replaces it with the same password (circular references) checks whether the password changed.
    verify: (hashed, password) => (known.get(password) === hashed ? Promise.resolve(true) : hasher.verify(hashed, password)),
    admit: (work) => hasher.admit(work),
  };
}
