// The console's words end to end in headless Chromium (1280×900): the Organization field (from the link, remembered),
// the throttle's wait in minutes, a spent reset link explained before any form, the history in the guides' words, an
// inactive account told why at sign-in, and an axe-core audit of the sign-in and history pages.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_PASSWORD,
  axeViolations as axeViolationsOf,
  browserAvailable,
  launchChromium,
  saveScreenshot,
  startConsoleServer,
  type ConsoleServer,
} from '../helpers/console-browser.js';

const USER_PASSWORD = 'a passphrase for dora only';
const ACCOUNT = 'urn:usher:params:scim:schemas:extension:account:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

let consoleServer: ConsoleServer;
let server: ConsoleServer['server'];
let browser: Browser;
let page: Page;
let adminToken: string;

const screenshot = (name: string) => saveScreenshot(page, name);

/** axe-core's violations on the page as it is now (WCAG 2.1 A and AA rules), as "rule: target" lines. */
const axeViolations = () => axeViolationsOf(page);

/** JSON to the server as a client would send it; SCIM's media type under /scim/. */
async function call(method: string, path: string, body?: unknown, token = adminToken): Promise<{ status: number; body: any }> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'Content-Type': path.startsWith('/scim/') ? 'application/scim+json' : 'application/json' }),
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

async function fillSignIn(userName: string, password: string): Promise<void> {
  await page.getByLabel('User name').fill(userName);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe.skipIf(!browserAvailable)('the console in the portal\'s words, in Chromium', { timeout: 180_000 }, () => {
  beforeAll(async () => {
    consoleServer = await startConsoleServer();
    server = consoleServer.server;
    const admin = { last: consoleServer.adminLink };
    expect(admin.last).toMatch(/\/welcome\?token=[\w%-]+&org=acme$/);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(15_000);
    await page.goto(admin.last.replace(/^https?:\/\/[^/]+/, server.url));
    await page.getByLabel('New password', { exact: true }).fill(ADMIN_PASSWORD);
    await page.getByLabel('Confirm new password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByRole('link', { name: 'Sign in' }).waitFor();
    const login = await call('POST', '/auth/login', { tenant: 'acme', userName: 'ada@acme.example', password: ADMIN_PASSWORD }, '');
    expect(login.status).toBe(200);
    adminToken = login.body.token;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await consoleServer?.close();
  });

  it('after a welcome link, the sign-in knows the organization; the page passes axe', async () => {
    // The welcome link named the organization: the sign-in it leads to is filled in.
    await page.getByRole('link', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByLabel('Organization').inputValue()).toBe('acme');
    await expect.poll(() => page.getByLabel('User name').evaluate((el) => el.ownerDocument.activeElement === el)).toBe(true);
    expect(await page.getByLabel('Tenant').count()).toBe(0);
    await screenshot('sign-in');
    expect(await axeViolations()).toEqual([]);
  });

  it('takes the organization from ?org= on a new browser, and remembers it after signing in', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const fresh = await context.newPage();
    await fresh.goto(`${server.url}/admin`);
    expect(await fresh.getByLabel('Organization').inputValue()).toBe('');
    await fresh.goto(`${server.url}/admin?org=acme`);
    expect(await fresh.getByLabel('Organization').inputValue()).toBe('acme');
    await fresh.getByLabel('User name').fill('ada@acme.example');
    await fresh.getByLabel('Password', { exact: true }).fill(ADMIN_PASSWORD);
    await fresh.getByRole('button', { name: 'Sign in' }).click();
    await fresh.getByRole('button', { name: 'Sign out' }).click();
    await fresh.goto(`${server.url}/admin`);
    expect(await fresh.getByLabel('Organization').inputValue()).toBe('acme');
    await context.close();
  });

  it('says how many minutes to wait when sign-in is throttled', async () => {
    const created = await call('POST', '/scim/v2/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'slow@acme.example', password: USER_PASSWORD });
    expect(created.status).toBe(201);
    await page.goto(`${server.url}/admin`);
    for (let i = 0; i < 5; i++) {
      await fillSignIn('slow@acme.example', `not the password ${i}`);
      await page.getByRole('alert').filter({ hasText: /wrong/ }).waitFor();
    }
    await fillSignIn('slow@acme.example', 'not the password 5');
    await page.getByRole('alert').filter({ hasText: /^Too many attempts; try again in \d+ minutes?\.$/ }).waitFor();
  });

  it('tells a deactivated user, who knows the password, to contact the administrator', async () => {
    const created = await call('POST', '/scim/v2/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'gone@acme.example', password: USER_PASSWORD });
    expect((await call('POST', `/scim/v2/Users/${created.body.id}/deactivate`)).status).toBe(204);
    await page.goto(`${server.url}/admin`);
    await fillSignIn('gone@acme.example', USER_PASSWORD);
    await page.getByRole('alert').filter({ hasText: 'Your account is deactivated. Contact your administrator' }).waitFor();
  });

  it('explains a spent reset link instead of showing its form', async () => {
    await page.goto(`${server.url}/reset?token=ulink_not-a-real-one&org=acme`);
    await page.getByText('This link has expired or was already used.').waitFor();
    expect(await page.getByLabel('New password', { exact: true }).count()).toBe(0);
    await page.getByRole('link', { name: 'Go to sign-in' }).waitFor();
  });

  it('shows the history in the guides\' words: Job title, a phone extension, a date, Deactivated and who locked', async () => {
    const created = await call('POST', '/scim/v2/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'dora@acme.example',
      title: 'Engineer',
      phoneNumbers: [{ type: 'work', value: '+1 555 0100;ext=41', primary: true }],
    });
    const id = created.body.id as string;
    const patch = (operations: unknown[]) => call('PATCH', `/scim/v2/Users/${id}`, { schemas: [PATCH], Operations: operations });
    expect((await patch([{ op: 'replace', path: 'title', value: 'Director' }])).status).toBe(200);
    expect((await patch([{ op: 'replace', path: 'phoneNumbers', value: [{ type: 'work', value: '+1 555 0100;ext=42', primary: true }] }])).status).toBe(200);
    expect((await patch([{ op: 'replace', path: 'active', value: false }])).status).toBe(200);
    expect((await call('POST', `/scim/v2/Users/${id}/deactivate`)).status).toBe(204);
    // Unlock does not undo a deactivation; Reactivate does.
    expect((await patch([{ op: 'replace', path: 'active', value: true }])).status).toBe(409);
    expect((await call('POST', `/scim/v2/Users/${id}/reactivate`)).status).toBe(204);
    expect((await call('GET', `/scim/v2/Users/${id}`)).body[ACCOUNT].lockReason).toBeUndefined();

    await page.goto(`${server.url}/admin`);
    await fillSignIn('ada@acme.example', ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.goto(`${server.url}/admin/users/${id}/history`);
    const table = page.getByRole('table');
    await table.getByText('Job title').first().waitFor();
    const text = (await table.textContent()) ?? '';
    expect(text).toContain('Work phone');
    expect(text).toContain('+1 555 0100, ext. 42 (preferred)');
    expect(text).not.toContain(';ext=');
    expect(text).not.toContain('(primary)');
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
    // Locked by Ada (who), then deactivated, then reactivated.
    const lockedRow = table.getByRole('row').filter({ hasText: 'Locked by an administrator' });
    expect(await lockedRow.textContent()).toMatch(/Ada Lovelace|ada@acme\.example/);
    await table.getByRole('row').filter({ hasText: /^.*Deactivated.*$/ }).first().waitFor();
    await table.getByRole('row').filter({ hasText: 'Reactivated' }).waitFor();
    // The created date in the viewer's locale (en-US in Chromium here): "Dec 5, 2026, 4:15 AM".
    const created0 = await table.locator('time').first().textContent();
    expect(created0).toMatch(/^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}\s?[AP]M$/);
    await screenshot('history');
    expect(await axeViolations()).toEqual([]);
  });
});
