// Password hashing with Argon2id at OWASP's recommended cost, on libuv's thread pool so the event loop stays free.
import { availableParallelism } from 'node:os';
import { hash, verify, type Options } from '@node-rs/argon2';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hashed: string, password: string): Promise<boolean>;
}

/** OWASP Password Storage Cheat Sheet: Argon2id, m=19 MiB, t=2, p=1. */
const OWASP_ARGON2ID: Options = {
  // Algorithm.Argon2id; the package declares it as an ambient const enum, which isolated modules cannot read.
  algorithm: 2,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};

/** Runs tasks with at most `max` of them at once; the others wait their turn, first come first served. */
export function limitConcurrency(max: number): <T>(task: () => Promise<T>) => Promise<T> {
  if (!Number.isSafeInteger(max) || max < 1) throw new RangeError(`max must be a whole number of at least 1, got ${max}`);
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running < max) running++;
    // The slot is handed over by the task that ends, so `running` stays counted for the one woken.
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

/** One less than the cores, at least one: see createPasswordHasher. */
export function defaultMaxConcurrent(): number {
  return Math.max(1, availableParallelism() - 1);
}

export interface PasswordHasherOptions {
  /** Hashes and verifications at once; the default is explained in createPasswordHasher. */
  readonly maxConcurrent?: number;
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
  const limit = limitConcurrency(options.maxConcurrent ?? defaultMaxConcurrent());
  return {
    hash: (password) => limit(() => hash(password, OWASP_ARGON2ID)),
    async verify(hashed, password) {
      try {
        return await limit(() => verify(hashed, password));
      } catch {
        return false;
      }
    },
  };
}
