// The account mails (welcome, password reset, e-mail changed, password changed) as subject, plain text and HTML: pure functions.

export interface MailContent {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export interface MailTenant {
  /** The tenant's display name (tenants.name). */
  readonly name: string;
}

export interface MailUser {
  readonly displayName?: string | null | undefined;
  readonly userName: string;
}

export interface WelcomeMail {
  readonly tenant: MailTenant;
  readonly user: MailUser;
  /** Where the user sets a first password. */
  readonly link: string;
  readonly expiresInDays: number;
}

export interface PasswordResetMail {
  readonly tenant: MailTenant;
  readonly user: MailUser;
  readonly link: string;
  readonly expiresInHours: number;
}

export interface EmailChangedMail {
  readonly tenant: MailTenant;
  readonly user: MailUser;
  /** The new address; the mail goes to the old one and shows the new one masked. */
  readonly newEmail: string;
  /** Where a user who did not make the change can act: the portal's sign-in or password-reset page. */
  readonly link: string;
}

export function welcomeMail(input: WelcomeMail): MailContent {
  const tenant = clean(input.tenant.name);
  const name = userName(input.user);
  const link = checkedLink(input.link);
  const expiry = `This link expires in ${plural(input.expiresInDays, 'day')}.`;
  return {
    subject: `Welcome to ${tenant}`,
    text: [
      `Hello ${name},`,
      '',
      `An account has been created for you at ${tenant}. To start, choose your password:`,
      '',
      link,
      '',
      `${expiry} If you did not expect this message, you can ignore it.`,
      '',
      `— ${tenant}`,
      '',
    ].join('\n'),
    html: layout(tenant, `Welcome to ${tenant}`, [
      paragraph(`Hello ${escapeHtml(name)},`),
      paragraph(`An account has been created for you at ${escapeHtml(tenant)}. To start, choose your password:`),
      button(link, 'Set your password'),
      fallbackLink(link),
      paragraph(`${escapeHtml(expiry)} If you did not expect this message, you can ignore it.`, true),
    ]),
  };
}

export function passwordResetMail(input: PasswordResetMail): MailContent {
  const tenant = clean(input.tenant.name);
  const name = userName(input.user);
  const link = checkedLink(input.link);
  const expiry = `This link expires in ${plural(input.expiresInHours, 'hour')} and can be used once.`;
  return {
    subject: `Reset your ${tenant} password`,
    text: [
      `Hello ${name},`,
      '',
      `Someone asked to reset the password of your account at ${tenant}. To choose a new password, open:`,
      '',
      link,
      '',
      `${expiry} If you did not ask for this, ignore this message: your password stays as it is.`,
      '',
      `— ${tenant}`,
      '',
    ].join('\n'),
    html: layout(tenant, 'Reset your password', [
      paragraph(`Hello ${escapeHtml(name)},`),
      paragraph(`Someone asked to reset the password of your account at ${escapeHtml(tenant)}. To choose a new password:`),
      button(link, 'Reset your password'),
      fallbackLink(link),
      paragraph(`${escapeHtml(expiry)} If you did not ask for this, ignore this message: your password stays as it is.`, true),
    ]),
  };
}

export function emailChangedMail(input: EmailChangedMail): MailContent {
  const tenant = clean(input.tenant.name);
  const name = userName(input.user);
  const link = checkedLink(input.link);
  const masked = maskEmail(input.newEmail);
  return {
    subject: `Your ${tenant} e-mail address was changed`,
    text: [
      `Hello ${name},`,
      '',
      `The e-mail address of your account at ${tenant} was changed to ${masked}. Mail about the account now goes there.`,
      '',
      'If you did not make this change, secure your account now:',
      '',
      link,
      '',
      `— ${tenant}`,
      '',
    ].join('\n'),
    html: layout(tenant, 'Your e-mail address was changed', [
      paragraph(`Hello ${escapeHtml(name)},`),
      paragraph(
        `The e-mail address of your account at ${escapeHtml(tenant)} was changed to <strong>${escapeHtml(masked)}</strong>. Mail about the account now goes there.`,
      ),
      paragraph('If you did not make this change, secure your account now:'),
      button(link, 'Review your account'),
      fallbackLink(link),
    ]),
  };
}

/** What happened to the password: changed (by the user or an identity provider), reset by link, set temporarily. */
export type PasswordNoticeKind = 'changed' | 'reset' | 'temporary';

export interface PasswordChangedMail {
  readonly tenant: MailTenant;
  readonly user: MailUser;
  readonly kind: PasswordNoticeKind;
  /** Where a user who did not make the change can act: the portal; the mail carries no secret. */
  readonly link: string;
}

/** Tells the owner the password changed, so that a change it did not make does not go unnoticed (ASVS 2.2.3). */
export function passwordChangedMail(input: PasswordChangedMail): MailContent {
  const tenant = clean(input.tenant.name);
  const name = userName(input.user);
  const link = checkedLink(input.link);
  const what = {
    changed: `The password of your account at ${tenant} was changed.`,
    reset: `The password of your account at ${tenant} was reset with a link sent to you.`,
    temporary: `An administrator of ${tenant} set a temporary password on your account; you will be asked to choose your own at the next sign-in. Your other sessions were ended.`,
  }[input.kind];
  const subject = input.kind === 'temporary' ? `A temporary ${tenant} password was set` : `Your ${tenant} password was changed`;
  return {
    subject,
    text: [`Hello ${name},`, '', what, '', 'If this was not you or someone you expected, secure your account now:', '', link, '', `— ${tenant}`, ''].join('\n'),
    html: layout(tenant, subject, [
      paragraph(`Hello ${escapeHtml(name)},`),
      paragraph(escapeHtml(what)),
      paragraph('If this was not you or someone you expected, secure your account now:'),
      button(link, 'Review your account'),
      fallbackLink(link),
    ]),
  };
}

export type MfaNoticeKind = 'added' | 'replaced' | 'removed' | 'reset';

export interface MfaChangedMail {
  readonly tenant: MailTenant;
  readonly user: MailUser;
  readonly kind: MfaNoticeKind;
  /** The portal, where a user who did not make the change can act; the mail carries no secret. */
  readonly link: string;
}

/** Tells the owner that its second factor was added, replaced or removed (ASVS 2.5.5 notices). */
export function mfaChangedMail(input: MfaChangedMail): MailContent {
  const tenant = clean(input.tenant.name);
  const name = userName(input.user);
  const link = checkedLink(input.link);
  const what = {
    added: `Two-step verification was turned on for your account at ${tenant}: signing in now also asks for a code from your authenticator app.`,
    replaced: `The authenticator app used for two-step verification on your account at ${tenant} was replaced, and new recovery codes were made.`,
    removed: `Two-step verification was turned off for your account at ${tenant}.`,
    reset: `An administrator of ${tenant} removed the two-step verification of your account; set it up again at your next sign-in.`,
  }[input.kind];
  const subject = input.kind === 'added' ? `Two-step verification is on for your ${tenant} account` : `Two-step verification changed on your ${tenant} account`;
  return {
    subject,
    text: [`Hello ${name},`, '', what, '', 'If this was not you or someone you expected, secure your account now:', '', link, '', `— ${tenant}`, ''].join('\n'),
    html: layout(tenant, subject, [
      paragraph(`Hello ${escapeHtml(name)},`),
      paragraph(escapeHtml(what)),
      paragraph('If this was not you or someone you expected, secure your account now:'),
      button(link, 'Review your account'),
      fallbackLink(link),
    ]),
  };
}

/** `jane.doe@example.com` -> `j***e@example.com`: enough for the owner to recognise, too little to harvest. */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  const local = at > 0 ? address.slice(0, at) : address;
  const domain = at > 0 ? address.slice(at + 1) : '';
  const chars = [...clean(local)];
  const shown = chars.length > 2 ? `${chars[0]}***${chars[chars.length - 1]}` : `${chars[0] ?? ''}***`;
  return domain ? `${shown}@${clean(domain)}` : shown;
}

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// Names come from identity providers and users: a line break in one must not forge lines in the mail or a header.
function clean(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/ {2,}/g, ' ').trim();
}

function userName(user: MailUser): string {
  return clean(user.displayName ?? '') || clean(user.userName);
}

function checkedLink(link: string): string {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    throw new TypeError('mail template: the link must be an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError('mail template: the link must be an http or https URL');
  }
  return url.href;
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

// A plain, self-contained layout: a table for old mail clients, inline styles only, no images or web fonts.
const FONT = "font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif";

function layout(tenant: string, heading: string, blocks: readonly string[]): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(heading)}</title>
</head>
<body style="margin:0;padding:0;background-color:#f4f5f7;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background-color:#f4f5f7;">
<tr><td align="center" style="padding:32px 16px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;background-color:#ffffff;border:1px solid #e1e4e8;border-radius:6px;">
<tr><td style="padding:24px 32px 8px 32px;${FONT};font-size:14px;color:#57606a;">${escapeHtml(tenant)}</td></tr>
<tr><td style="padding:0 32px;${FONT};font-size:20px;font-weight:600;color:#1f2328;">${escapeHtml(heading)}</td></tr>
<tr><td style="padding:16px 32px 24px 32px;">
${blocks.join('\n')}
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`;
}

function paragraph(html: string, muted = false): string {
  const color = muted ? '#57606a' : '#1f2328';
  return `<p style="margin:0 0 16px 0;${FONT};font-size:15px;line-height:1.5;color:${color};">${html}</p>`;
}

function button(link: string, label: string): string {
  return `<table role="presentation" cellpadding="0" cellspacing="0" style="margin:8px 0 16px 0;"><tr><td style="border-radius:6px;background-color:#1f6feb;"><a href="${escapeHtml(link)}" style="display:inline-block;padding:10px 20px;${FONT};font-size:15px;font-weight:600;color:#ffffff;text-decoration:none;border-radius:6px;">${escapeHtml(label)}</a></td></tr></table>`;
}

function fallbackLink(link: string): string {
  return paragraph(
    `If the button does not work, copy this address into your browser:<br><a href="${escapeHtml(link)}" style="color:#1f6feb;word-break:break-all;">${escapeHtml(link)}</a>`,
    true,
  );
}
