// The account mails: who and what they name, the link in both bodies, and HTML that names cannot break out of.
import { describe, expect, it } from 'vitest';
import {
  emailChangedMail,
  escapeHtml,
  maskEmail,
  passwordChangedMail,
  passwordResetMail,
  welcomeMail,
  type MailContent,
} from '../../src/mail/templates.js';

const tenant = { name: 'Acme Portal' };
const user = { displayName: 'Barbara Jensen', userName: 'bjensen' };
const link = 'https://portal.acme.example/welcome?token=abc123';

const builders: { kind: string; build: (input: { tenant: { name: string }; user: typeof user | { displayName?: string | null; userName: string }; link: string }) => MailContent }[] = [
  { kind: 'welcome', build: (i) => welcomeMail({ ...i, expiresInDays: 7 }) },
  { kind: 'reset', build: (i) => passwordResetMail({ ...i, expiresInHours: 2 }) },
  { kind: 'email-changed', build: (i) => emailChangedMail({ ...i, newEmail: 'barbara.new@example.org' }) },
  { kind: 'password-changed', build: (i) => passwordChangedMail({ ...i, kind: 'changed' }) },
  { kind: 'password-reset notice', build: (i) => passwordChangedMail({ ...i, kind: 'reset' }) },
  { kind: 'temporary-password notice', build: (i) => passwordChangedMail({ ...i, kind: 'temporary' }) },
];

describe.each(builders)('the $kind mail', ({ build }) => {
  it('names the tenant and the user, and carries the link in both bodies', () => {
    const mail = build({ tenant, user, link });
    expect(mail.subject).toContain('Acme Portal');
    for (const body of [mail.text, mail.html]) {
      expect(body).toContain('Acme Portal');
      expect(body).toContain('Barbara Jensen');
    }
    expect(mail.text).toContain(link);
    expect(mail.html).toContain(`href="${link}"`);
  });

  it('falls back to the user name when there is no display name', () => {
    for (const displayName of [null, undefined, '   ']) {
      const mail = build({ tenant, user: { displayName, userName: 'bjensen' }, link });
      expect(mail.text).toContain('Hello bjensen,');
      expect(mail.html).toContain('Hello bjensen,');
    }
  });

  it('escapes names and the link in HTML', () => {
    const mail = build({
      tenant: { name: '<script>alert(1)</script> & "Co"' },
      user: { displayName: `<img src=x onerror=alert('x')>`, userName: 'u' },
      link: 'https://portal.acme.example/t?a=1&b="2"',
    });
    expect(mail.html).not.toMatch(/<script|<img/i);
    expect(mail.html).toContain('&#60;script&#62;alert(1)&#60;/script&#62; &#38; &#34;Co&#34;');
    expect(mail.html).toContain('&#60;img src=x onerror=alert(&#39;x&#39;)&#62;');
    // The URL parser percent-encodes the quotes; the & must still be escaped inside the attribute.
    expect(mail.html).toContain('href="https://portal.acme.example/t?a=1&#38;b=%222%22"');
    // The plain text is not HTML: names appear as they are.
    expect(mail.text).toContain(`<img src=x onerror=alert('x')>`);
  });

  it('keeps line breaks in names out of the subject and the text', () => {
    const mail = build({ tenant: { name: 'Acme\r\nBcc: victim@example.com' }, user: { displayName: 'Eve\nP.S. wire money', userName: 'e' }, link });
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.subject).toContain('Acme Bcc: victim@example.com');
    expect(mail.text).toContain('Hello Eve P.S. wire money,');
  });

  it('takes only http and https links', () => {
    expect(() => build({ tenant, user, link: "javascript:alert('x')" })).toThrow(TypeError);
    expect(() => build({ tenant, user, link: '/relative/path' })).toThrow(TypeError);
  });

  it('uses inline styles and no external assets', () => {
    const mail = build({ tenant, user, link });
    expect(mail.html).toMatch(/^<!DOCTYPE html>/);
    expect(mail.html).not.toMatch(/<link|<img|<style|src=|url\(/i);
    expect(mail.html).toContain('style="');
  });
});

describe('expiry', () => {
  it('says how long a welcome link lasts, in days', () => {
    expect(welcomeMail({ tenant, user, link, expiresInDays: 7 }).text).toContain('expires in 7 days');
    expect(welcomeMail({ tenant, user, link, expiresInDays: 1 }).html).toContain('expires in 1 day.');
  });

  it('says how long a reset link lasts, in hours', () => {
    expect(passwordResetMail({ tenant, user, link, expiresInHours: 2 }).text).toContain('expires in 2 hours');
    expect(passwordResetMail({ tenant, user, link, expiresInHours: 1 }).html).toContain('expires in 1 hour ');
  });
});

describe('the e-mail changed notice', () => {
  it('shows the new address masked, never whole', () => {
    const mail = emailChangedMail({ tenant, user, link, newEmail: 'barbara.new@example.org' });
    expect(mail.text).toContain('b***w@example.org');
    expect(mail.html).toContain('b***w@example.org');
    expect(`${mail.subject}${mail.text}${mail.html}`).not.toContain('barbara.new');
  });
});

describe('the password notice', () => {
  it('says what happened to the password, and nothing secret', () => {
    expect(passwordChangedMail({ tenant, user, link, kind: 'changed' }).text).toContain('was changed');
    expect(passwordChangedMail({ tenant, user, link, kind: 'reset' }).text).toContain('was reset');
    const temporary = passwordChangedMail({ tenant, user, link, kind: 'temporary' });
    expect(temporary.subject).toBe('A temporary Acme Portal password was set');
    expect(temporary.text).toContain('choose your own at the next sign-in');
  });
});

describe('maskEmail', () => {
  it.each([
    { input: 'jane.doe@example.com', expected: 'j***e@example.com' },
    { input: 'ab@example.com', expected: 'a***@example.com' },
    { input: 'a@example.com', expected: 'a***@example.com' },
    { input: 'zoë@exämple.de', expected: 'z***ë@exämple.de' },
    { input: 'no-at-sign', expected: 'n***n' },
  ])('$input -> $expected', ({ input, expected }) => {
    expect(maskEmail(input)).toBe(expected);
  });
});

describe('escapeHtml', () => {
  it('escapes the five characters that matter in content and attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&#60;a href=&#34;x&#34; title=&#39;y&#39;&#62;&#38;&#60;/a&#62;');
  });
});
