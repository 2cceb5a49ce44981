// When a failed job is tried again: exponential backoff, capped, with jitter so that jobs that failed together (a
// receiver or relay that was down) do not all come back at the same moment.
import { positive } from './options.js';

/** The backoff settings a worker's options take (MailBackoff, PushBackoff); each is optional. */
export interface BackoffSettings {
  /** Delay after the first failed attempt; it doubles with each further one. Default: the worker's. */
  readonly baseMs?: number | undefined;
  /** Longest delay between attempts; not below baseMs. Default 1 hour. */
  readonly capMs?: number | undefined;
  /** Each delay is shortened by up to this fraction, at random; in [0, 1). Default 0.2. */
  readonly jitter?: number | undefined;
}

export interface BackoffOptions {
  /** Names the worker factory in the TypeError a bad setting throws, e.g. `createMailWorker`. */
  readonly factory: string;
  readonly settings: BackoffSettings | undefined;
  /** baseMs when the settings give none. */
  readonly defaultBaseMs: number;
  /** A number in [0, 1) for the jitter. Default Math.random. */
  readonly random: (() => number) | undefined;
  readonly clock: () => Date;
}

/** Checks the settings once and returns the time of the next attempt after `attempts` failed ones (1 or more). */
export function createBackoff(options: BackoffOptions): (attempts: number) => Date {
  const { factory, settings, clock } = options;
  const baseMs = positive(factory, 'backoff.baseMs', settings?.baseMs ?? options.defaultBaseMs);
  const capMs = positive(factory, 'backoff.capMs', settings?.capMs ?? 3_600_000);
  const jitter = settings?.jitter ?? 0.2;
  if (!(jitter >= 0 && jitter < 1)) throw new TypeError(`${factory}: backoff.jitter must be in [0, 1)`);
  if (capMs < baseMs) throw new TypeError(`${factory}: backoff.capMs must not be below backoff.baseMs`);
  const random = options.random ?? Math.random;
  return (attempts) => {
    // 2 ** n is Infinity for a large n, and the cap then holds: no overflow to guard against.
    const delay = Math.min(baseMs * 2 ** (attempts - 1), capMs) * (1 - jitter * random());
    // At least a millisecond later: a retry is never due at the very instant of its failure.
    return new Date(clock().getTime() + Math.max(1, Math.round(delay)));
  };
}
