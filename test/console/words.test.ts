// The console's words for the server's codes: attribute paths, history values and error details.
import { describe, expect, it } from 'vitest';
import { attributeName, friendlyError, historyEvent, historyValue, tooManyAttempts } from '../../src/console/app/words.js';

describe('attributeName', () => {
  it.each([
    ['title', 'Job title'],
    ['phoneNumbers[work]', 'Work phone'],
    ['phoneNumbers[mobile]', 'Mobile phone'],
    ['emails[work]', 'Work email'],
    ['name.honorificPrefix', 'Title (prefix)'],
    ['name.givenName', 'First name'],
    ['persona', 'Persona'],
    ['lockReason', 'Account status'],
    ['EnterpriseUser:organization', 'Organization'],
    ['department', 'Department'],
    ['roles[admin]', 'Roles (admin)'],
    ['someNewThing', 'Some new thing'],
  ])('%s reads %s', (path, words) => expect(attributeName(path)).toBe(words));
});

describe('historyValue', () => {
  it('writes extensions, primary and lock reasons in words, and leaves plain text be', () => {
    expect(historyValue('phoneNumbers[work]', '+1 555 0100;ext=42 (primary)')).toBe('+1 555 0100, ext. 42 (preferred)');
    expect(historyValue('lockReason', 'Deactivated by the identity provider')).toBe('Deactivated (by the identity provider)');
    expect(historyValue('active', 'false')).toBe('Inactive');
    expect(historyValue('title', 'Director')).toBe('Director');
    expect(historyValue('title', undefined)).toBeUndefined();
  });

  it('formats timestamps in the locale, not as ISO text', () => {
    const shown = historyValue('lockedUntil', '2026-12-05T04:15:00.000Z')!;
    expect(shown).not.toContain('T04');
    expect(shown).toMatch(/2026/);
  });
});

describe('historyEvent', () => {
  it('says Deactivated and Reactivated for a deactivation and its end', () => {
    expect(historyEvent({ event: 'locked', eventDescription: 'Locked', newValue: 'Deactivated by an administrator' })).toBe('Deactivated');
    expect(historyEvent({ event: 'unlocked', eventDescription: 'Unlocked', oldValue: 'Deactivated by an administrator' })).toBe('Reactivated');
    expect(historyEvent({ event: 'locked', eventDescription: 'Locked', newValue: 'Locked by an administrator' })).toBe('Locked');
  });
});

describe('friendlyError', () => {
  it('maps uniqueness on userName to a sentence by the User name field', () => {
    expect(friendlyError(409, 'uniqueness', 'userName "bob@acme.example" is already taken.')).toEqual({ message: 'This user name is already in use.', field: 'userName' });
  });

  it('drops "Attribute \'password\':" from policy messages', () => {
    expect(friendlyError(400, 'invalidValue', "Attribute 'password': The password must be at least 12 characters long.")).toEqual({
      message: 'The password must be at least 12 characters long.',
      field: 'password',
    });
  });

  it('names permissions in words', () => {
    expect(friendlyError(403, undefined, 'This needs the "users:write" permission, which none of your personas grants.').message).toBe(
      'You cannot manage users: none of your personas allows it.',
    );
    expect(
      friendlyError(403, 'forbidden', 'You cannot change this user: it needs the "billing:pay" permission, which none of your personas grants. Ask an administrator who holds it.').message,
    ).toBe('You cannot change this user: it needs permission to make payments, which none of your personas grants. Ask an administrator who holds it.');
    // A permission the console has no words for is not shown as a code.
    expect(friendlyError(403, 'forbidden', 'You cannot change this user: it needs the "crm:export" permission, which none of your personas grants.').message).toBe(
      'You cannot change this user: it needs permission to do this, which none of your personas grants.',
    );
  });

  it('puts a name, or no id, where the server names a user by id', () => {
    const id = '0b7c2a4e-1d2f-4a3b-8c9d-0e1f2a3b4c5d';
    const detail = `User ${id} has no e-mail address to send the password reset link to; add one first.`;
    expect(friendlyError(409, 'conflict', detail, new Map([[id, 'Bob Builder']])).message).toBe('Bob Builder has no e-mail address to send the password reset link to; add one first.');
    expect(friendlyError(409, 'conflict', detail).message).toBe('This user has no e-mail address to send the password reset link to; add one first.');
  });

  it('says the wait in minutes', () => {
    expect(tooManyAttempts(61)).toBe('Too many attempts; try again in 2 minutes.');
    expect(tooManyAttempts(5)).toBe('Too many attempts; try again in 1 minute.');
  });
});
