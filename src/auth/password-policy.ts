// The one password policy of portal users, on every path that sets a password: length bounds, none of the user's
// own names, and nothing an attacker would try early (a common password, a keyboard walk, a repeat: zxcvbn).
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';

export interface PasswordPolicy {
  readonly minLength: number;
  readonly maxLength: number;
}

export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = { minLength: 12, maxLength: 256 };

/**
 * zxcvbn's score 3 is "safely unguessable: moderate protection from an offline slow-hash scenario" (about 10^8
 * guesses or more), what its authors advise as the least to accept. Below it are the common passwords the library
 * ships (and their l33t, reversed and capitalised forms), keyboard walks, repeats, sequences and dates, with or
 * without a few digits added: a score rather than a bare list lookup also refuses "Password123!" and "qwertyuiop123".
 */
const MIN_SCORE = 3;

/**
 * zxcvbn runs on the event loop, and its time grows faster than the length: about 100 ms at 64 characters, a
 * second at 256 on a slow core. Only the first 64 are scored: a password whose beginning is hard to guess is at
 * least as hard as that, and one longer than 64 that starts with a guessable part can be rearranged.
 */
const SCORED_CHARACTERS = 64;

// Built on first use: the dictionaries take a few tens of milliseconds to load.
let estimator: ZxcvbnFactory | undefined;
function estimate(password: string): number {
  estimator ??= new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs });
  return estimator.check([...password].slice(0, SCORED_CHARACTERS).join('')).score;
}

export interface PasswordOwner {
  readonly userName: string;
  readonly emails: readonly string[];
}

/**
 * The names a password must not contain, lower case: the user name, its part before an @, and each e-mail
 * address's local part. A name of one or two letters is left out: it would refuse a great many good passphrases
 * ("jo" is in "major joy") and make none stronger, since an attacker gains nothing from two known letters.
 */
function namesOf(user: PasswordOwner): string[] {
  return [user.userName, user.userName.split('@')[0] ?? '', ...user.emails.map((email) => email.split('@')[0] ?? '')]
    .map((name) => name.toLowerCase())
    .filter((name) => name.length >= 3);
}

/**
 * The first rule the password breaks that is cheap to check (length, the user's names), as a sentence for the
 * user, or undefined. For a check again inside a transaction, after passwordProblem passed outside it.
 */
export function quickPasswordProblem(policy: PasswordPolicy, password: string, user: PasswordOwner): string | undefined {
  const length = [...password].length;
  if (length < policy.minLength) return `The password is too short: use at least ${policy.minLength} characters.`;
  if (length > policy.maxLength) return `The password is too long: use at most ${policy.maxLength} characters.`;
  const lower = password.toLowerCase();
  if (namesOf(user).some((name) => lower.includes(name))) {
    return 'The password must not contain the user name or the part of the e-mail address before the @.';
  }
  return undefined;
}

/** The first rule the password breaks, as a sentence for the user, or undefined when the policy accepts it. */
export function passwordProblem(policy: PasswordPolicy, password: string, user: PasswordOwner): string | undefined {
  const quick = quickPasswordProblem(policy, password, user);
  if (quick) return quick;
  if (estimate(password) < MIN_SCORE) {
    return 'The password is too easy to guess: it is a common password, or close to one (a word with digits, a keyboard pattern, a repeat or a date). Choose a passphrase of several unrelated words.';
  }
  return undefined;
}
