// Which TOTP time step (RFC 6238 §4) each sign-in user of the bench may use next, in memory that every load thread
// shares: the server accepts a step once per user and only within one step of now (src/auth/totp.ts).
import { totpStep } from '../auth/totp.js';

/**
 * Per user, the last step used and whether a sign-in of the user is in flight, on SharedArrayBuffers: a copy posted
 * to a load thread is the same memory, so a step is never used twice, whichever thread signs in and however many
 * phases the bench runs.
 */
export interface TotpSteps {
  readonly last: Int32Array;
  readonly busy: Int32Array;
}

export interface ReservedStep {
  /** The user's index among the sign-in users. */
  readonly user: number;
  readonly step: number;
}

/** The table for users whose last accepted steps are `confirmed` (the steps their enrolment was confirmed with). */
export function createTotpSteps(confirmed: readonly number[]): TotpSteps {
  const last = new Int32Array(new SharedArrayBuffer(confirmed.length * Int32Array.BYTES_PER_ELEMENT));
  confirmed.forEach((step, i) => (last[i] = step));
  return { last, busy: new Int32Array(new SharedArrayBuffer(confirmed.length * Int32Array.BYTES_PER_ELEMENT)) };
}

/**
 * A user with no sign-in in flight and an unused step among now and now + 1, starting the search at a random user,
 * and that step, now marked used and the user busy; undefined when every user has used both. The earlier step is
 * taken when it is free, so that a user's later one is left for the next sign-in; the server still accepts a step of now
 * during the next one, so a sign-in has at least 30 s to send its code. Call releaseUser when the sign-in has ended.
 */
export function reserveStep(steps: TotpSteps, now: Date): ReservedStep | undefined {
  const current = totpStep(now);
  const count = steps.last.length;
  const start = Math.floor(Math.random() * count);
  for (let k = 0; k < count; k++) {
    const user = (start + k) % count;
    if (Atomics.load(steps.last, user) > current || Atomics.compareExchange(steps.busy, user, 0, 1) !== 0) continue;
    // Only the thread that holds the user writes its step: read again now that this one does.
    const step = Math.max(Atomics.load(steps.last, user) + 1, current);
    if (step > current + 1) {
      Atomics.store(steps.busy, user, 0);
      continue;
    }
    Atomics.store(steps.last, user, step);
    return { user, step };
  }
  return undefined;
}

export function releaseUser(steps: TotpSteps, user: number): void {
  Atomics.store(steps.busy, user, 0);
}
