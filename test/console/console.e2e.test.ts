// The admin console end to end in headless Chromium: the built server (dist/main.js) and CLI, a real browser, and
// the mail the server writes as .eml files. What a customer's administrator does, in the words of the portal guides.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { generateHOTP } from '@oslojs/otp';
import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/processes.js';
import {
  ADMIN_PASSWORD,
  axeViolations,
  browserAvailable,
  launchChromium,
  SCREENSHOTS,
  saveScreenshot,
  setPasswordAt as setPasswordOn,
  signInAt,
  startConsoleServer,
  type ConsoleServer,
} from '../helpers/console-browser.js';

let consoleServer: ConsoleServer;
let dir: string;
let server: ConsoleServer['server'];
let browser: Browser;
/** The environment the server and the CLI share. */
let env: Record<string, string>;
let page: Page;

/** The mails the server wrote for this address, oldest first, as text (quoted-printable undone). */
function mailsTo(address: string): string[] {
  const mailDir = join(dir, 'mail');
  if (!existsSync(mailDir)) return [];
  return readdirSync(mailDir)
    .filter((name) => name.endsWith('.eml'))
    .sort()
    .map((name) => readFileSync(join(mailDir, name), 'utf8').replace(/=\r?\n/g, '').replace(/=3D/g, '='))
    .filter((mail) => new RegExp(`^To: ${address.replace(/[.@]/g, '\\$&')}\\r?$`, 'm').test(mail));
}

/** The `nth` mail to `address` with a link to `path` (notices without a link, such as "password changed", are passed over). */
async function linkFromMail(address: string, path: '/reset' | '/welcome', nth: number): Promise<string> {
  const link = new RegExp(`https?://[^\\s"<>]+${path}\\?token=[A-Za-z0-9_-]+`);
  const links = () => mailsTo(address).flatMap((mail) => link.exec(mail) ?? []);
  await expect.poll(() => links().length, { timeout: 15_000 }).toBeGreaterThanOrEqual(nth);
  return links()[nth - 1]!;
}

const screenshot = (name: string, fullPage = true) => saveScreenshot(page, name, fullPage);

const signIn = (userName: string, password: string) => signInAt(page, server.url, userName, password);

async function signOut(): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect.poll(() => page.getByRole('button', { name: 'Sign in' }).isVisible()).toBe(true);
}

/** Sets a password on the page behind a reset or welcome link. */
const setPasswordAt = (link: string, password: string) => setPasswordOn(page, server.url, link, password);

/** The last time step whose code was used, per key: the server takes each step's code once. */
const usedSteps = new Map<string, number>();

/** What an authenticator app shows for `secret` now (RFC 6238: 30-second steps), waiting for the next step when this one's code was used. */
async function authenticatorCode(secret: string): Promise<string> {
  let step = Math.floor(Date.now() / 30_000);
  const used = usedSteps.get(secret) ?? -1;
  if (step <= used) {
    await new Promise((resolve) => setTimeout(resolve, (used + 1) * 30_000 - Date.now() + 250));
    step = used + 1;
  }
  usedSteps.set(secret, step);
  return generateHOTP(decodeBase32IgnorePadding(secret), BigInt(step), 6);
}

/** Six digits that are none of the codes the server would take now (its window spans a step either side). */
function wrongCode(secret: string): string {
  const key = decodeBase32IgnorePadding(secret);
  const step = Math.floor(Date.now() / 30_000);
  const near = new Set([-2, -1, 0, 1, 2].map((d) => generateHOTP(key, BigInt(step + d), 6)));
  for (let n = 0; ; n++) {
    const code = String(n).padStart(6, '0');
    if (!near.has(code)) return code;
  }
}

const twoStep = () => page.getByRole('region', { name: 'Two-step verification' });

/** The new key as the page shows it (QR code, and in groups of four), without the spaces. */
async function shownKey(within: Page | ReturnType<typeof twoStep>): Promise<string> {
  const shown = await within.getByText(/^[A-Z2-7]{4}( [A-Z2-7]{1,4})+$/).textContent();
  return shown!.replace(/\s/g, '');
}

/** The ten recovery codes, shown once; "I have saved them" goes back to the section's state. */
async function savedRecoveryCodes(): Promise<string[]> {
  await twoStep().getByText('Save these recovery codes now.').waitFor();
  const codes = (await twoStep().getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').allTextContents()).map((c) => c.trim());
  expect(codes).toHaveLength(10);
  await twoStep().getByRole('button', { name: 'I have saved them' }).click();
  await twoStep().getByText('Two-step verification is on.').waitFor();
  return codes;
}

/**
 * Sets up two-step verification on the profile page of whoever is signed in: the key the page shows, its first code,
 * then the recovery codes. Returns the key and the codes.
 */
async function setUpTwoStep(password: string): Promise<{ secret: string; recoveryCodes: string[] }> {
  await page.getByRole('link', { name: 'My profile' }).click();
  const section = twoStep();
  await section.getByText('Two-step verification is off.').waitFor();
  await section.getByRole('button', { name: 'Set up two-step verification' }).click();
  await section.getByLabel('Current password').fill(password);
  await section.getByRole('button', { name: 'Continue' }).click();
  await section.getByRole('img', { name: /QR code/ }).waitFor();
  const secret = await shownKey(section);
  await section.getByLabel('Code', { exact: true }).fill(await authenticatorCode(secret));
  await section.getByRole('button', { name: 'Turn on' }).click();
  return { secret, recoveryCodes: await savedRecoveryCodes() };
}

const confirmation = () => page.getByRole('alertdialog');
const status = (text: string | RegExp) => page.getByRole('status').filter({ hasText: text }).first().waitFor();
const main = () => page.getByRole('main');

/** Opens a user's page from the list, by the name the list shows ("Builder, Bob"). */
async function openUser(listName: string): Promise<void> {
  await page.getByRole('link', { name: listName, exact: true }).click();
  await page.getByRole('region', { name: 'Profile' }).or(page.getByRole('form', { name: 'Profile' })).first().waitFor();
}

/** Back to the list from a user page. */
async function backToList(): Promise<void> {
  await page.getByRole('link', { name: '← Users' }).click();
  await page.getByRole('heading', { name: 'User Management' }).waitFor();
}

/** An accessibility audit of the page as it is now (axe-core, WCAG 2.1 A and AA rules and best practices): no violation. */
async function expectNoAxeViolations(): Promise<void> {
  expect(await axeViolations(page, { bestPractice: true })).toEqual([]);
}

/** The page does not scroll sideways. */
async function expectNoSideScroll(): Promise<void> {
  expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
}

let apiToken: string | undefined;

/** A SCIM request with an API token, as an identity provider would send it. */
async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, any> }> {
  apiToken ??= (await cli(['token', 'create', '--tenant', 'acme', '--label', 'e2e'], env)).last;
  const response = await fetch(`${server.url}/scim/v2${path}`, {
    method,
    headers: { Authorization: `Bearer ${apiToken}`, 'Content-Type': 'application/scim+json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
}

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const SHOTS = join(process.cwd(), 'test', 'console', 'screenshots');

/** A screenshot for the README too. */
async function readmeShot(name: string, fullPage = true): Promise<void> {
  await screenshot(name, fullPage);
  mkdirSync(SHOTS, { recursive: true });
  copyFileSync(join(SCREENSHOTS, `${name}.png`), join(SHOTS, `${name}.png`));
}

describe.skipIf(!browserAvailable)('the admin console in Chromium', { timeout: 180_000 }, () => {
  beforeAll(async () => {
    consoleServer = await startConsoleServer();
    ({ server, env, dir } = consoleServer);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(15_000);
    // The welcome link the CLI printed: Ada chooses her password and signs in.
    await setPasswordAt(consoleServer.adminLink, ADMIN_PASSWORD);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await consoleServer?.close();
  });

  it('signs in an administrator and lists the users: the main columns fit a laptop, the rest behind the column chooser', async () => {
    await signIn('ada@acme.example', ADMIN_PASSWORD);
    await page.getByRole('heading', { name: 'User Management' }).waitFor();
    await page.getByRole('cell', { name: 'ada@acme.example' }).first().waitFor();
    await expectNoSideScroll();
    // Name, User Name, Email, Status, Personas and Last Login in view at 1280 px, none cut.
    for (const column of ['Name', 'User Name', 'Email', 'Status', 'Personas', 'Last Login']) {
      const box = await page.getByRole('columnheader', { name: column, exact: true }).boundingBox();
      expect(box, column).not.toBeNull();
      expect(box!.x + box!.width, column).toBeLessThanOrEqual(1280);
    }
    await page.getByText('Showing 1–1 of 1').waitFor();
    // Two-Step is one of the columns to choose; the choice stays in this browser.
    await page.getByText('Columns', { exact: true }).click();
    await page.getByRole('checkbox', { name: 'Two-Step' }).check();
    await page.getByRole('columnheader', { name: 'Two-Step' }).waitFor();
    await page.getByText('Columns', { exact: true }).click();
    await expectNoSideScroll();
  });

  it('adds an account with personas; the new user is marked in the list and gets the welcome mail', async () => {
    await page.getByRole('button', { name: 'Add New Portal User' }).click();
    await page.getByLabel('User Name').fill('bob@acme.example');
    await page.getByLabel('First Name').fill('Bob');
    await page.getByLabel('Last Name').fill('Builder');
    await page.getByLabel('Email Address', { exact: true }).fill('bob@acme.example');
    await page.getByLabel('Confirm Email Address').fill('bob@acme.example');
    await page.getByLabel('Job Title').fill('Site Manager');
    await page.getByLabel('Telephone Number').fill('+1 555 0100');
    await page.getByLabel('Extension').fill('42');
    await page.getByLabel('Cell Phone Number').fill('+1 555 0199');
    await page.getByRole('checkbox', { name: 'Billing' }).check();
    await page.getByRole('button', { name: 'Add Account' }).click();
    await page.getByRole('cell', { name: 'bob@acme.example' }).first().waitFor();
    await page.getByRole('row', { name: /bob@acme\.example/ }).getByText('New', { exact: true }).waitFor();
    await page.getByText('Showing 1–2 of 2').waitFor();
    await linkFromMail('bob@acme.example', '/welcome', 1);
    await readmeShot('users-list');
    await expectNoAxeViolations();
  });

  it('on the user page, locking, a temporary password and removing a persona each ask first: Cancel does nothing, confirming acts', async () => {
    await openUser('Builder, Bob');
    await page.getByRole('heading', { name: 'Bob Builder', level: 1 }).waitFor();
    const header = page.locator('.user-header');
    await header.getByText('Active', { exact: true }).waitFor();

    await page.getByRole('button', { name: 'Lock account' }).click();
    await confirmation().getByRole('heading', { name: 'Lock Bob Builder?' }).waitFor();
    await confirmation().getByText(/Bob Builder is signed out everywhere and cannot sign in/).waitFor();
    await confirmation().getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => confirmation().count()).toBe(0);
    await header.getByText('Active', { exact: true }).waitFor();

    await page.getByRole('button', { name: 'Lock account' }).click();
    await confirmation().getByRole('button', { name: 'Lock account' }).click();
    await status('Bob Builder is locked.');
    await header.getByText('Locked', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Unlock account' }).click();
    await status('Bob Builder is unlocked and can sign in.');
    await header.getByText('Active', { exact: true }).waitFor();

    await page.getByLabel('Temporary password', { exact: true }).fill('Temporary-Pass-2026');
    await page.getByRole('button', { name: 'Set temporary password' }).click();
    await confirmation().getByText(/Bob Builder is signed out everywhere, their current password stops working/).waitFor();
    await confirmation().getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => confirmation().count()).toBe(0);
    await page.getByRole('button', { name: 'Set temporary password' }).click();
    await confirmation().getByRole('button', { name: 'Set temporary password' }).click();
    await status(/Temporary password set/);

    const personas = page.getByRole('form', { name: 'Personas' });
    await personas.getByRole('checkbox', { name: 'Billing' }).uncheck();
    await personas.getByRole('checkbox', { name: 'Reporting' }).check();
    await personas.getByRole('button', { name: 'Update personas' }).click();
    await confirmation().getByRole('heading', { name: 'Remove Billing from Bob Builder?' }).waitFor();
    await confirmation().getByRole('button', { name: 'Cancel' }).click();
    await expect(personas.getByRole('checkbox', { name: 'Billing' }).isChecked()).resolves.toBe(false);
    await personas.getByRole('button', { name: 'Update personas' }).click();
    await confirmation().getByRole('button', { name: 'Remove' }).click();
    await status(/Personas updated/);
    await header.getByText('Reporting', { exact: true }).waitFor();
    await expectNoSideScroll();
    await readmeShot('user-page');
    await expectNoAxeViolations();
    await backToList();
  });

  it('the user signs in with the temporary password, must choose another, and sees only his profile', async () => {
    await signOut();
    await signIn('bob@acme.example', 'Temporary-Pass-2026');
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await page.getByLabel('New password', { exact: true }).fill('a passphrase of my own');
    await page.getByLabel('Confirm new password').fill('a passphrase of my own');
    await page.getByRole('button', { name: 'Set password' }).click();
    // Reporting grants no users:read: his own profile only.
    await page.getByText('bob@acme.example').first().waitFor();
    await page.getByRole('button', { name: 'Change password' }).waitFor();
    expect(await page.getByRole('heading', { name: 'User Management' }).count()).toBe(0);
    await signOut();
  });

  it('sends a password reset mail; the user follows its link and signs in with the new password', async () => {
    await signIn('ada@acme.example', ADMIN_PASSWORD);
    await openUser('Builder, Bob');
    await page.getByRole('button', { name: 'Send password reset email' }).click();
    await status('A password reset email is on its way to bob@acme.example.');
    await signOut();

    await setPasswordAt(await linkFromMail('bob@acme.example', '/reset', 1), 'a passphrase from the reset');
    await signIn('bob@acme.example', 'a passphrase from the reset');
    await page.getByRole('button', { name: 'Change password' }).waitFor();
    await signOut();
  });

  it('deletes a user after confirmation', async () => {
    await signIn('ada@acme.example', ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Add New Portal User' }).click();
    await page.getByLabel('User Name').fill('carol@acme.example');
    await page.getByLabel('First Name').fill('Carol');
    await page.getByLabel('Last Name').fill('Gone');
    await page.getByLabel('Email Address', { exact: true }).fill('carol@acme.example');
    await page.getByLabel('Confirm Email Address').fill('carol@acme.example');
    await page.getByRole('button', { name: 'Add Account' }).click();
    await page.getByRole('cell', { name: 'carol@acme.example' }).first().waitFor();
    await page.getByRole('button', { name: 'Delete carol@acme.example' }).click();
    await confirmation().getByRole('heading', { name: 'Delete Carol Gone?' }).waitFor();
    await confirmation().getByText(/removed for good/).waitFor();
    await confirmation().getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => confirmation().count()).toBe(0);
    await page.getByRole('cell', { name: 'carol@acme.example' }).first().waitFor();
    await page.getByRole('button', { name: 'Delete carol@acme.example' }).click();
    await confirmation().getByRole('button', { name: 'Delete user' }).click();
    await status('Carol Gone is deleted.');
    await expect.poll(() => page.getByRole('cell', { name: 'carol@acme.example' }).count()).toBe(0);
  });

  it('finds every step on the User History pages', async () => {
    // Bob's own history, from his page: the latest there, all of it behind the link.
    await openUser('Builder, Bob');
    await page.getByRole('region', { name: 'History' }).getByRole('cell', { name: /^Persona added( |$)/ }).first().waitFor();
    await main().getByRole('link', { name: 'User History' }).click();
    await page.getByRole('heading', { name: 'User History' }).waitFor();
    const table = page.getByRole('table');
    for (const event of ['Created', 'Welcome email sent', 'Locked', 'Unlocked', 'Temporary password set', 'Persona added', 'Persona removed', 'Password reset email sent', 'Password changed']) {
      // The cell holds the event, then the attribute it concerns.
      await table.getByRole('cell', { name: new RegExp(`^${event}( |$)`) }).first().waitFor();
    }
    await table.getByRole('cell', { name: 'Ada Lovelace' }).first().waitFor();
    await table.getByRole('cell', { name: 'Reporting' }).first().waitFor();
    await screenshot('history');

    // Everyone's history, searched: the deleted user is there too.
    await page.getByRole('link', { name: 'User History' }).first().click();
    await page.getByLabel('Search').fill('carol@acme.example');
    await table.getByRole('cell', { name: /^Deleted( |$)/ }).first().waitFor();
  });
  it('searches the name as the list shows it, filters by status, and keeps the list in the address across Back and reload', async () => {
    await page.getByRole('link', { name: 'Users', exact: true }).click();
    await page.getByRole('heading', { name: 'User Management' }).waitFor();
    // A page is asked for without its total (a common search would wait for its count), the total on its own after.
    const asked: { prefer: string | null; count: string | null }[] = [];
    const onRequest = (r: Request) => {
      const url = new URL(r.url());
      if (url.pathname === '/scim/v2/Users' && url.searchParams.get('filter')?.includes('Builder')) {
        asked.push({ prefer: r.headers()['prefer'] ?? null, count: url.searchParams.get('count') });
      }
    };
    page.on('request', onRequest);
    for (const text of ['Builder, Bob', 'Bob Builder', 'bob builder']) {
      await page.getByLabel('Search').fill(text);
      await expect.poll(() => new URL(page.url()).searchParams.get('q')).toBe(text);
      await page.getByText('Showing 1–1 of 1').waitFor();
      await page.getByRole('link', { name: 'Builder, Bob', exact: true }).waitFor();
    }
    page.off('request', onRequest);
    expect(asked).toContainEqual({ prefer: 'totalResults=omit', count: '25' });
    expect(asked).toContainEqual({ prefer: null, count: '0' });
    await page.getByLabel('Search').fill('');
    await expect.poll(() => new URL(page.url()).searchParams.get('q')).toBeNull();

    // Bob locked: the Locked filter shows him alone, Active everyone else.
    await openUser('Builder, Bob');
    await page.getByRole('button', { name: 'Lock account' }).click();
    await confirmation().getByRole('button', { name: 'Lock account' }).click();
    await status('Bob Builder is locked.');
    await backToList();
    await page.getByLabel('Status').selectOption('locked');
    await page.getByText('Showing 1–1 of 1').waitFor();
    await page.getByRole('link', { name: 'Builder, Bob', exact: true }).waitFor();
    await page.getByLabel('Status').selectOption('active');
    await page.getByRole('link', { name: 'Lovelace, Ada', exact: true }).waitFor();
    expect(await page.getByRole('link', { name: 'Builder, Bob', exact: true }).count()).toBe(0);
    await page.getByLabel('Status').selectOption('deactivated');
    await page.getByText('No users match your search.').waitFor();

    // Search, filter and sort in the address: kept by a reload, and by Back from a user's page.
    await page.getByLabel('Status').selectOption('locked');
    await page.getByLabel('Search').fill('bob');
    await expect.poll(() => new URL(page.url()).searchParams.get('q')).toBe('bob');
    await page.getByRole('button', { name: 'User Name' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('sort')).toBe('userName');
    await page.reload();
    await page.getByRole('link', { name: 'Builder, Bob', exact: true }).waitFor();
    expect(await page.getByLabel('Search').inputValue()).toBe('bob');
    expect(await page.getByLabel('Status').inputValue()).toBe('locked');
    expect(await page.getByRole('columnheader', { name: 'User Name' }).getAttribute('aria-sort')).toBe('ascending');
    await openUser('Builder, Bob');
    await page.goBack();
    await page.getByRole('link', { name: 'Builder, Bob', exact: true }).waitFor();
    expect(await page.getByLabel('Search').inputValue()).toBe('bob');
    expect(await page.getByLabel('Status').inputValue()).toBe('locked');

    // Unlocked again (he signs in later), and back to everyone.
    await openUser('Builder, Bob');
    await page.getByRole('button', { name: 'Unlock account' }).click();
    await status('Bob Builder is unlocked and can sign in.');
    await backToList();
    await page.getByRole('button', { name: 'Reset search' }).click();
    await expect.poll(() => page.url()).toBe(`${server.url}/admin/users`);
  });

  it('pages with a range indicator, and a failed page load is retried with Retry', async () => {
    for (let n = 1; n <= 26; n++) {
      const two = String(n).padStart(2, '0');
      const created = await api('POST', '/Users', {
        schemas: [USER_SCHEMA],
        userName: `zed${two}@acme.example`,
        name: { givenName: 'Zed', familyName: `Zulu${two}` },
        emails: [{ value: `zed${two}@acme.example`, primary: true }],
      });
      expect(created.status).toBe(201);
    }
    await page.reload();
    // Ada, Bob and the 26.
    const total = 28;
    await page.getByText(`Showing 1–25 of ${total}`).waitFor();

    // The next page fails once: the error says so, next to the list, and Retry asks again.
    let failing = true;
    await page.route(/\/scim\/v2\/Users\?/, (route) => (failing ? route.abort('failed') : route.continue()));
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('alert').getByText(/The users could not be loaded/).waitFor();
    failing = false;
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.getByText(`Showing 26–${total} of ${total}`).waitFor();
    await page.unroute(/\/scim\/v2\/Users\?/);
    expect(new URL(page.url()).searchParams.get('page')).toBe('2');
    await page.reload();
    await page.getByText(`Showing 26–${total}`).waitFor();
    await page.getByRole('button', { name: 'Previous' }).click();
    await page.getByText(`Showing 1–25 of ${total}`).waitFor();
  });

  it('works for users with no first or last name and no email: mail actions are offered disabled, with the reason', async () => {
    const created = await api('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'kiosk-7' });
    expect(created.status).toBe(201);
    await page.getByLabel('Search').fill('kiosk');
    await openUser('kiosk-7');
    await page.getByRole('heading', { name: 'kiosk-7', level: 1 }).waitFor();
    const reset = page.getByRole('button', { name: 'Send password reset email' });
    expect(await reset.getAttribute('aria-disabled')).toBe('true');
    expect(await reset.getAttribute('title')).toMatch(/no email address/);
    await main().getByText(/This user has no email address/).first().waitFor();
    await page.getByLabel('Job Title').fill('Front desk');
    await page.getByRole('button', { name: 'Save' }).click();
    await status('The profile is saved.');
  });

  it('deactivating and deleting from the user page ask first, naming the person; removing your own Administrator warns you', async () => {
    await page.getByRole('link', { name: 'Users', exact: true }).click();
    await page.getByLabel('Search').fill('kiosk');
    await openUser('kiosk-7');
    await page.getByRole('button', { name: 'Deactivate user' }).click();
    await confirmation().getByRole('heading', { name: 'Deactivate kiosk-7?' }).waitFor();
    await confirmation().getByText(/kiosk-7 no longer needs access: they are signed out everywhere and cannot sign in/).waitFor();
    await confirmation().getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => confirmation().count()).toBe(0);
    await page.locator('.user-header').getByText('Active', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Deactivate user' }).click();
    await confirmation().getByRole('button', { name: 'Deactivate user' }).click();
    await status('kiosk-7 is deactivated and cannot sign in.');
    expect(await page.locator('.user-header .badge').first().textContent()).not.toBe('Active');

    await page.getByRole('button', { name: 'Delete user' }).click();
    await confirmation().getByRole('heading', { name: 'Delete kiosk-7?' }).waitFor();
    await confirmation().getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => confirmation().count()).toBe(0);
    await page.getByRole('button', { name: 'Delete user' }).click();
    await confirmation().getByRole('button', { name: 'Delete user' }).click();
    // Back on the list it came from, without the user.
    await page.getByRole('heading', { name: 'User Management' }).waitFor();
    await page.getByText('No users match your search.').waitFor();
    await status('kiosk-7 is deleted.');
    expect(await page.getByLabel('Search').inputValue()).toBe('kiosk');

    await page.getByLabel('Search').fill('');
    await openUser('Lovelace, Ada');
    const personas = page.getByRole('form', { name: 'Personas' });
    await personas.getByRole('checkbox', { name: 'Administrator' }).uncheck();
    await personas.getByRole('button', { name: 'Update personas' }).click();
    await confirmation().getByRole('heading', { name: 'Remove your own Administrator persona?' }).waitFor();
    await confirmation().getByText(/you lose its rights at once/).waitFor();
    await confirmation().getByRole('button', { name: 'Cancel' }).click();
    await personas.getByRole('button', { name: 'Cancel' }).click();
    expect(await personas.getByRole('checkbox', { name: 'Administrator' }).isChecked()).toBe(true);
    await backToList();
  });

  it('warns before leaving a profile with unsaved changes; Cancel puts the fields back', async () => {
    await openUser('Builder, Bob');
    await page.getByLabel('Job Title').fill('Back office');
    await page.getByText('Unsaved changes').waitFor();
    // Staying: the in-app link asks, and nothing moves.
    page.once('dialog', (d) => void d.dismiss());
    await page.getByRole('link', { name: 'Users', exact: true }).click();
    expect(new URL(page.url()).pathname).toMatch(/^\/admin\/users\/[^/]+$/);
    expect(await page.getByLabel('Job Title').inputValue()).toBe('Back office');
    // Back asks too.
    page.once('dialog', (d) => void d.dismiss());
    await page.goBack();
    await expect.poll(() => new URL(page.url()).pathname).toMatch(/^\/admin\/users\/[^/]+$/);
    expect(await page.getByLabel('Job Title').inputValue()).toBe('Back office');
    // A reload (or closing the tab) asks the browser's own question.
    const asked = new Promise<string>((resolve) => page.once('dialog', (d) => void d.dismiss().then(() => resolve(d.type()))));
    void page.reload({ timeout: 2_000 }).catch(() => undefined);
    expect(await asked).toBe('beforeunload');
    expect(await page.getByLabel('Job Title').inputValue()).toBe('Back office');
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect(await page.getByLabel('Job Title').inputValue()).toBe('Site Manager');
    // Nothing unsaved: no question.
    await page.getByRole('link', { name: 'Users', exact: true }).click();
    await page.getByRole('heading', { name: 'User Management' }).waitFor();
  });

  it("lists the user's groups and, correctly, the subgroups nested under them", async () => {
    const bob = (await api('GET', `/Users?filter=${encodeURIComponent('userName eq "bob@acme.example"')}`)).body.Resources[0];
    const child = await api('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'North Crew' });
    const team = await api('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Field Team', members: [{ value: bob.id }, { value: child.body.id, type: 'Group' }] });
    expect(team.status).toBe(201);
    const parent = await api('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Operations', members: [{ value: team.body.id, type: 'Group' }] });
    expect(parent.status).toBe(201);
    await page.getByLabel('Search').fill('');
    await openUser('Builder, Bob');
    const groups = page.getByRole('region', { name: 'Groups' });
    const listAfter = (heading: string) => groups.getByRole('heading', { name: heading }).locator('xpath=following-sibling::ul[1]');
    await listAfter('Groups Associated to User').getByText('Field Team').waitFor();
    await listAfter('Subgroups Associated to User').getByText('North Crew').waitFor();
    expect(await listAfter('Subgroups Associated to User').getByText('Operations').count()).toBe(0);
    await listAfter('Also a member through a group').getByText('Operations').waitFor();
    await backToList();
  });

  it('on a phone, each user is a card and nothing scrolls sideways', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.getByRole('link', { name: 'Builder, Bob', exact: true }).waitFor();
      await expectNoSideScroll();
      const display = await page.evaluate("getComputedStyle(document.querySelector('.table--users tbody tr')).display");
      expect(display).toBe('block');
      // Each value with its column's name, all of it on the screen.
      const row = page.getByRole('row', { name: /bob@acme\.example/ });
      const box = await row.boundingBox();
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width).toBeLessThanOrEqual(390);
      expect(await row.getByRole('cell', { name: 'bob@acme.example' }).first().getAttribute('data-label')).toBe('User Name');
      await readmeShot('users-phone', false);
      // No column headers to press: the sort is a list. Newest login first puts those who never signed in last.
      await page.getByLabel('Sort by').selectOption({ label: 'Last Login, newest first' });
      await expect.poll(() => new URL(page.url()).searchParams.get('sort')).toBe('lastLogin');
      // Ada signed in last (she is signed in now), Bob before her, and nobody else ever did (by name, Bob comes first).
      const names = page.locator('.table--users tbody td[data-label="Name"]');
      await expect.poll(async () => (await names.first().textContent())?.trim()).toBe('Lovelace, Ada');
      expect((await names.nth(1).textContent())?.trim()).toBe('Builder, Bob');
      const lastLogins = page.locator('.table--users tbody td[data-label="Last Login"]');
      expect((await lastLogins.nth(2).textContent())?.trim()).toBe('Never');
      await page.getByLabel('Sort by').selectOption({ label: 'Name, A to Z' });
      await expect.poll(() => new URL(page.url()).searchParams.get('sort')).toBeNull();
      await openUser('Builder, Bob');
      await expectNoSideScroll();
      await expectNoAxeViolations();
      await backToList();
      // The other pages fit a phone too.
      for (const [link, heading] of [['User History', 'User History'], ['Personas', 'Personas'], ['Integrations', 'Integrations'], ['My profile', 'My profile']] as const) {
        await page.goto(`${server.url}/admin/${{ 'User History': 'history', Personas: 'personas', Integrations: 'integrations', 'My profile': 'profile' }[link]}`);
        await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
        await expectNoSideScroll();
      }
      await page.goto(`${server.url}/admin`);
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });

  it('a refused action says why, in the server\'s words', async () => {
    await page.getByRole('link', { name: 'Users' }).first().click();
    await openUser('Lovelace, Ada');
    // Her own account: locking, deactivating and deleting it are offered disabled, with the reason.
    for (const name of ['Lock account', 'Deactivate user', 'Delete user']) {
      const button = page.getByRole('button', { name });
      expect(await button.getAttribute('aria-disabled')).toBe('true');
      expect(await button.getAttribute('title')).toBe('You cannot do this to your own account.');
      await button.click({ force: true });
      expect(await confirmation().count()).toBe(0);
    }
    // Nor does the page offer to reset her own two-step verification: that is My profile's, with password and code.
    await main().getByText(/This is your own account/).waitFor();
    expect(await page.getByRole('button', { name: 'Reset second factor' }).count()).toBe(0);
    await backToList();
  });

  let ada: { secret: string; recoveryCodes: string[] };

  it('an administrator sets up two-step verification on her profile, signs in with a code and with a recovery code, renews the codes and replaces the authenticator', async () => {
    ada = await setUpTwoStep(ADMIN_PASSWORD);
    const section = page.getByRole('region', { name: 'Two-step verification' });
    await section.getByText('10 recovery codes left.').waitFor();
    await screenshot('profile-two-step');
    await signOut();

    await signIn('ada@acme.example', ADMIN_PASSWORD);
    await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
    await page.getByText('Enter the 6-digit code from your authenticator app.').waitFor();
    await page.getByLabel('Code', { exact: true }).fill(wrongCode(ada.secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByText('That code is not right; codes change every 30 seconds.').waitFor();
    await page.getByLabel('Code', { exact: true }).fill(await authenticatorCode(ada.secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'User Management' }).waitFor();
    await page.getByRole('row', { name: /ada@acme\.example/ }).getByRole('cell', { name: 'On', exact: true }).waitFor();
    await signOut();

    await signIn('ada@acme.example', ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await page.getByLabel('Recovery code').fill(ada.recoveryCodes[0]!);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'User Management' }).waitFor();
    await page.getByRole('link', { name: 'My profile' }).click();
    await section.getByText('9 recovery codes left.').waitFor();

    // New recovery codes, proven with a recovery code: ten again, and the old ones void.
    await section.getByRole('button', { name: 'New recovery codes' }).click();
    await section.getByLabel('Current password').fill(ADMIN_PASSWORD);
    await section.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await section.getByLabel('Recovery code').fill(ada.recoveryCodes[1]!);
    await section.getByRole('button', { name: 'Make new recovery codes' }).click();
    const renewed = await savedRecoveryCodes();
    await section.getByText('10 recovery codes left.').waitFor();

    // A new phone: a new key, confirmed with its own code, while the old one worked until then.
    await section.getByRole('button', { name: 'Replace authenticator' }).click();
    await section.getByLabel('Current password').fill(ADMIN_PASSWORD);
    await section.getByRole('button', { name: 'Continue' }).click();
    const secret = await shownKey(section);
    expect(secret).not.toBe(ada.secret);
    await section.getByLabel('Code', { exact: true }).fill(await authenticatorCode(secret));
    await section.getByRole('button', { name: 'Replace authenticator' }).click();
    const replaced = await savedRecoveryCodes();
    expect(replaced).not.toEqual(renewed);
    ada = { secret, recoveryCodes: replaced };
    await signOut();

    // The first set of recovery codes no longer works; the ones the replacement made do.
    await signIn('ada@acme.example', ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await page.getByLabel('Recovery code').fill(renewed[0]!);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByText('That recovery code is not right, or it has been used already.').waitFor();
    await page.getByLabel('Recovery code').fill(ada.recoveryCodes[0]!);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'User Management' }).waitFor();
  });

  it("an administrator resets another user's two-step verification; he signs in with his password alone, sets it up again and turns it off", async () => {
    const bobPassword = 'a passphrase from the reset';
    await signOut();
    await signIn('bob@acme.example', bobPassword);
    await setUpTwoStep(bobPassword);
    await signOut();

    await signIn('ada@acme.example', ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await page.getByLabel('Recovery code').fill(ada.recoveryCodes[1]!);
    await page.getByRole('button', { name: 'Verify' }).click();
    const bobRow = page.getByRole('row', { name: /bob@acme\.example/ });
    await bobRow.getByRole('cell', { name: 'On', exact: true }).waitFor();

    await openUser('Builder, Bob');
    await main().getByText('Two-step verification is on for this account.').waitFor();
    await page.getByRole('button', { name: 'Reset second factor' }).click();
    await confirmation().getByRole('heading', { name: 'Reset two-step verification for Bob Builder?' }).waitFor();
    await confirmation().getByRole('button', { name: 'Reset second factor' }).click();
    await status(/Two-step verification is reset/);
    await main().getByText('Two-step verification is off for this account.').waitFor();
    await screenshot('two-step-reset');
    // His history tells both changes. (The notice mail may not go: Bob has had his hourly account mails by now.)
    await main().getByRole('link', { name: 'User History' }).click();
    const table = page.getByRole('table');
    for (const event of ['Two-step verification turned on', 'Two-step verification turned off']) {
      await table.getByRole('cell', { name: new RegExp(`^${event}( |$)`) }).first().waitFor();
    }
    await page.getByRole('link', { name: 'Users' }).first().click();
    await bobRow.getByRole('cell', { name: 'Off', exact: true }).waitFor();
    await signOut();

    // Reporting holds no users:write, so the tenant could not require it of him: the password is enough again.
    await signIn('bob@acme.example', bobPassword);
    await twoStep().getByText('Two-step verification is off.').waitFor();

    // He sets it up again, and turns it off himself, proving it with a recovery code.
    const again = await setUpTwoStep(bobPassword);
    await twoStep().getByRole('button', { name: 'Turn off' }).click();
    await twoStep().getByLabel('Current password').fill(bobPassword);
    await twoStep().getByRole('button', { name: 'Use a recovery code instead' }).click();
    await twoStep().getByLabel('Recovery code').fill(again.recoveryCodes[0]!);
    await twoStep().getByRole('button', { name: 'Turn off' }).click();
    await twoStep().getByText('Two-step verification is off.').first().waitFor();
    await twoStep().getByRole('button', { name: 'Set up two-step verification' }).waitFor();
  });
  it('when the tenant requires it, a new administrator sets it up while signing in, after the temporary password', async () => {
    await signOut();
    expect((await cli(['tenant', 'update', 'acme', '--require-mfa', 'on'], env)).code).toBe(0);
    await signIn('ada@acme.example', ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await page.getByLabel('Recovery code').fill(ada.recoveryCodes[2]!);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('button', { name: 'Add New Portal User' }).click();
    await page.getByLabel('User Name').fill('dora@acme.example');
    await page.getByLabel('First Name').fill('Dora');
    await page.getByLabel('Last Name').fill('Explorer');
    await page.getByLabel('Email Address', { exact: true }).fill('dora@acme.example');
    await page.getByLabel('Confirm Email Address').fill('dora@acme.example');
    await page.getByRole('checkbox', { name: 'Administrator' }).check();
    await page.getByRole('button', { name: 'Add Account' }).click();
    await openUser('Explorer, Dora');
    await page.getByLabel('Temporary password', { exact: true }).fill('Temporary-Pass-2027');
    await page.getByRole('button', { name: 'Set temporary password' }).click();
    await confirmation().getByRole('button', { name: 'Set temporary password' }).click();
    await status(/Temporary password set/);
    await signOut();

    // Password, then a new password, then the set-up the tenant requires: each step leads on to the next.
    await signIn('dora@acme.example', 'Temporary-Pass-2027');
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await page.getByLabel('New password', { exact: true }).fill('a quiet harbour at midnight');
    await page.getByLabel('Confirm new password').fill('a quiet harbour at midnight');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByRole('heading', { name: 'Set up two-step verification' }).waitFor();
    await page.getByText(/Your organisation requires two-step verification/).waitFor();
    const secret = await shownKey(page);
    await page.getByLabel('Code', { exact: true }).fill(wrongCode(secret));
    await page.getByRole('button', { name: 'Turn on two-step verification' }).click();
    await page.getByText('That code is not right; codes change every 30 seconds.').waitFor();
    await screenshot('sign-in-set-up');
    await page.getByLabel('Code', { exact: true }).fill(await authenticatorCode(secret));
    await page.getByRole('button', { name: 'Turn on two-step verification' }).click();
    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    expect(await page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').count()).toBe(10);
    await screenshot('sign-in-recovery-codes');
    await page.getByRole('button', { name: /I have saved them/ }).click();
    await page.getByRole('heading', { name: 'User Management' }).waitFor();

    // Required of her: her profile offers no way to turn it off, and says why.
    await page.getByRole('link', { name: 'My profile' }).click();
    const section = page.getByRole('region', { name: 'Two-step verification' });
    await section.getByText('Two-step verification is on.').first().waitFor();
    await section.getByText(/requires two-step verification for your account, so it cannot be turned off/).waitFor();
    expect(await section.getByRole('button', { name: 'Turn off' }).count()).toBe(0);
    await signOut();
  });
  it("a user manager who lacks one of the user's permissions is refused the reset, in the server's words", async () => {
    // A persona that manages users and grants nothing else, given to Bob through the API, as an identity provider would.
    const bob = (await api('GET', `/Users?filter=${encodeURIComponent('userName eq "bob@acme.example"')}`)).body.Resources[0];
    const persona = await api('POST', '/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'User Manager',
      members: [{ value: bob.id }],
      'urn:usher:params:scim:schemas:extension:persona:2.0:Group': { permissions: ['users:read', 'users:write'] },
    });
    expect(persona.status).toBe(201);

    // Managing users now, he must have two-step verification: he sets it up as he signs in.
    await signIn('bob@acme.example', 'a passphrase from the reset');
    await page.getByRole('heading', { name: 'Set up two-step verification' }).waitFor();
    const secret = await shownKey(page);
    await page.getByLabel('Code', { exact: true }).fill(await authenticatorCode(secret));
    await page.getByRole('button', { name: 'Turn on two-step verification' }).click();
    await page.getByRole('button', { name: /I have saved them/ }).click();
    await page.getByRole('heading', { name: 'User Management' }).waitFor();

    // Ada holds permissions he does not: the server refuses, and the confirmation says why.
    await openUser('Lovelace, Ada');
    await main().getByText('Two-step verification is on for this account.').waitFor();
    await page.getByRole('button', { name: 'Reset second factor' }).click();
    await confirmation().getByRole('button', { name: 'Reset second factor' }).click();
    await confirmation().getByText(/You cannot change this user: it needs permission to [a-z ’]+, which none of your personas grants/).waitFor();
    await screenshot('two-step-reset-refused');
    await confirmation().getByRole('button', { name: 'Cancel' }).click();
    // The refusal stays next to the section used, too.
    await page.getByRole('region', { name: 'Sign-in and security' }).getByText(/You cannot change this user/).waitFor();
    await main().getByText('Two-step verification is on for this account.').waitFor();
    await signOut();
  });
});
