// The password policy as a pure function: each rule, with the sentence a user is shown.
import { describe, expect, it } from 'vitest';
import { DEFAULT_PASSWORD_POLICY, passwordProblem, quickPasswordProblem } from '../../src/auth/password-policy.js';

const ada = { userName: 'Ada.Lovelace@acme.example', emails: ['countess@analytical.example', 'al@acme.example'] };
const problem = (password: string) => passwordProblem(DEFAULT_PASSWORD_POLICY, password, ada);

describe('passwordProblem', () => {
  it.each([
    ['x', 'too short'],
    ['a'.repeat(257), 'too long'],
    ['my ada.lovelace river song', 'must not contain the user name'],
    ['COUNTESS of the river song', 'must not contain the user name'],
    ['password1234', 'too easy to guess'],
    ['Password123!', 'too easy to guess'],
    ['qwertyuiop123', 'too easy to guess'],
    ['p@ssw0rd2024', 'too easy to guess'],
    ['aaaaaaaaaaaaaaaa', 'too easy to guess'],
    ['1234567890123', 'too easy to guess'],
  ])('refuses %j: %s', (password, rule) => {
    expect(problem(password)).toContain(rule);
  });

  it.each(['lantern orchard velvet cascade', 'Tr0ub4dor&3x-q', 'copper kettle whistles at dawn'])('accepts %j', (password) => {
    expect(problem(password)).toBeUndefined();
  });

  it('ignores names of one or two letters: "al" may appear in a passphrase', () => {
    expect(problem('royal walnut prairie signal')).toBeUndefined();
  });

  it('scores only the first 64 characters, so a long password costs no more to check than a 64-character one', () => {
    const started = performance.now();
    expect(problem(`${'zebra quartz lantern fig '.repeat(3)}${'q'.repeat(180)}`)).toBeUndefined();
    expect(problem(`${'a'.repeat(64)} hazel beacon tide mirror`)).toContain('too easy to guess');
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('quickPasswordProblem checks length and names only', () => {
    expect(quickPasswordProblem(DEFAULT_PASSWORD_POLICY, 'password1234', ada)).toBeUndefined();
    expect(quickPasswordProblem(DEFAULT_PASSWORD_POLICY, 'short', ada)).toContain('too short');
  });
});
