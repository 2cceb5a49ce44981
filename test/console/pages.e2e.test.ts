// The console's Personas and Integrations pages and the user list's CSV export and import, end to end in headless
// Chromium against the built server (dist/main.js), with an accessibility audit (axe-core) of each page.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/processes.js';
import {
  ADMIN_PASSWORD,
  axeViolations,
  browserAvailable,
  launchChromium,
  saveScreenshot,
  setPasswordAt as setPasswordOn,
  signInAt,
  startConsoleServer,
  type ConsoleServer,
} from '../helpers/console-browser.js';

const HELPER_PASSWORD = 'the helpdesk keeps its own passphrase';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

let consoleServer: ConsoleServer;
let server: ConsoleServer['server'];
let env: Record<string, string>;
let dir: string;
let browser: Browser;
let page: Page;
let apiToken: string;

const screenshot = (name: string) => saveScreenshot(page, name);

/** axe-core's audit of the page as it is (WCAG 2.1 A and AA, and its best practices): no violation. */
async function expectAccessible(): Promise<void> {
  expect(await axeViolations(page, { bestPractice: true })).toEqual([]);
}

async function scimApi(method: string, path: string, body?: unknown, token = apiToken): Promise<{ status: number; body: any }> {
  const response = await fetch(`${server.url}/scim/v2${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/scim+json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

const signIn = (userName: string, password: string) => signInAt(page, server.url, userName, password);
const setPasswordAt = (link: string, password: string) => setPasswordOn(page, server.url, link, password);

const dialog = () => page.getByRole('dialog').or(page.getByRole('alertdialog'));
const status = (text: string | RegExp) => page.getByRole('status').filter({ hasText: text }).first().waitFor();
const row = (text: string | RegExp) => page.getByRole('row').filter({ hasText: text });

describe.skipIf(!browserAvailable)('the Personas and Integrations pages and CSV, in Chromium', { timeout: 180_000 }, () => {
  beforeAll(async () => {
    consoleServer = await startConsoleServer();
    ({ server, env, dir } = consoleServer);
    const token = await cli(['token', 'create', '--tenant', 'acme', '--label', 'e2e'], env);
    expect(token.code).toBe(0);
    apiToken = token.last.trim();
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true })).newPage();
    page.setDefaultTimeout(15_000);
    await setPasswordAt(consoleServer.adminLink, ADMIN_PASSWORD);
    await signIn('ada@acme.example', ADMIN_PASSWORD);
    await page.getByRole('heading', { name: 'User Management' }).waitFor();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await consoleServer?.close();
  });

  it('lists the personas with their permissions in words, adds one and edits it', async () => {
    await page.getByRole('link', { name: 'Personas' }).click();
    await page.getByRole('heading', { name: 'Personas', level: 1 }).waitFor();
    const billing = row('Views invoices and statements');
    await billing.getByText('View invoices and statements').waitFor();
    await billing.getByText('Make payments').waitFor();
    expect(await billing.textContent()).not.toContain('billing:read');
    await screenshot('personas');
    await expectAccessible();

    await page.getByRole('button', { name: 'Add persona' }).click();
    await dialog().getByLabel('Name').fill('Helpdesk');
    await dialog().getByLabel('Description').fill('Answers calls about accounts.');
    await dialog().getByRole('checkbox', { name: 'View users' }).check();
    await dialog().getByRole('checkbox', { name: 'Manage users and personas' }).check();
    await expectAccessible();
    await dialog().getByRole('button', { name: 'Add persona' }).click();
    await status('Persona added.');
    await row('Helpdesk').getByText('Manage users and personas').waitFor();

    await page.getByRole('button', { name: 'Edit Helpdesk' }).click();
    await dialog().getByLabel('Description').fill('Answers calls about accounts and resets passwords.');
    await dialog().getByRole('button', { name: 'Save' }).click();
    await status('Helpdesk saved.');
    await row('Helpdesk').getByText('resets passwords').waitFor();
    const stored = await scimApi('GET', `/Groups?filter=${encodeURIComponent('displayName eq "Helpdesk"')}`);
    expect(stored.body.Resources[0]['urn:usher:params:scim:schemas:extension:persona:2.0:Group']).toEqual({
      description: 'Answers calls about accounts and resets passwords.',
      permissions: ['users:read', 'users:write'],
    });
  });

  it('adds a poll stream (showing its poll URL), pauses and resumes it, refuses a plain-http push, and removes it', async () => {
    await page.getByRole('link', { name: 'Integrations' }).click();
    await page.getByRole('heading', { name: 'Integrations', level: 1 }).waitFor();
    await page.getByText('No event streams yet.').waitFor();
    await expectAccessible();

    await page.getByRole('button', { name: 'Add stream' }).click();
    await dialog().getByLabel('Receiver URL').fill('http://receiver.example/events');
    await dialog().getByRole('button', { name: 'Add stream' }).click();
    await dialog().getByRole('alert').filter({ hasText: /https/ }).waitFor();
    await dialog().getByRole('radio', { name: /collects them from Usher/ }).check();
    await dialog().getByRole('button', { name: 'Add stream' }).click();
    await status(/The receiver collects events at .*\/ssf\/poll\//);
    const stream = row('Poll at');
    await stream.getByRole('cell', { name: 'Sending' }).waitFor();
    expect((await stream.getByRole('cell').allTextContents()).slice(2, 5)).toEqual(['0', '0', '0']);

    // A change now is waiting for the receiver to collect it.
    expect((await scimApi('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'eve@acme.example' })).status).toBe(201);
    await page.reload();
    await expect.poll(async () => Number((await row('Poll at').getByRole('cell').nth(3).textContent()) ?? 0)).toBeGreaterThan(0);

    await row('Poll at').getByRole('button', { name: 'Pause' }).click();
    await row('Poll at').getByRole('cell', { name: 'Paused' }).waitFor();
    await screenshot('integrations');
    await row('Poll at').getByRole('button', { name: 'Resume' }).click();
    await row('Poll at').getByRole('cell', { name: 'Sending' }).waitFor();

    await row('Poll at').getByRole('button', { name: 'Remove' }).click();
    await dialog().getByRole('button', { name: 'OK' }).click();
    await page.getByText('No event streams yet.').waitFor();
  });

  it('creates an API token shown once, lists it, and revokes it', async () => {
    await page.getByRole('button', { name: 'Create token' }).click();
    await dialog().getByLabel('Label').fill('Okta');
    await dialog().getByLabel('What it may do').selectOption('users:write');
    await dialog().getByRole('button', { name: 'Create token' }).click();
    const secret = await dialog().getByLabel('API token').inputValue();
    expect(secret).toMatch(/^usher_/);
    await dialog().getByRole('button', { name: 'Copy token' }).waitFor();
    await expectAccessible();
    await dialog().getByRole('button', { name: 'Done' }).click();
    const okta = row('Okta');
    await okta.getByRole('cell', { name: 'Manage users' }).waitFor();
    expect(await page.content()).not.toContain(secret);
    expect((await scimApi('GET', '/Users', undefined, secret)).status).toBe(200);

    await okta.getByRole('button', { name: 'Revoke Okta' }).click();
    await dialog().getByRole('button', { name: 'OK' }).click();
    await okta.getByText(/^Revoked/).waitFor();
    expect((await scimApi('GET', '/Users', undefined, secret)).status).toBe(401);
  });

  it('imports users from CSV with a preview, through Bulk, and exports the filtered list', async () => {
    const csv = join(dir, 'import.csv');
    writeFileSync(
      csv,
      [
        'User Name,First Name,Last Name,Email,Job Title,Telephone,Cell Phone,Personas',
        'carol@acme.example,Carol,Shaw,carol@acme.example,"=SUM(1,2)",+1 555 0100,,Billing; Reporting',
        'ada@acme.example,Ada,Lovelace,ada@acme.example,Countess,,,',
        ',No,Name,nobody@acme.example,,,,',
        'dave@acme.example,Dave,Bad,not-an-email,,,,',
        'erin@acme.example,Erin,Else,erin@acme.example,,,,Astronauts',
      ].join('\r\n'),
    );
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { name: 'User Management' }).waitFor();
    await page.getByRole('button', { name: 'Import CSV' }).click();
    await dialog().getByLabel('CSV file').setInputFiles(csv);
    await dialog().getByText('1 to create, 1 to update, 3 refused.').waitFor();
    await row('carol@acme.example').getByText('Will be created').waitFor();
    await row('Countess').or(row('ada@acme.example')).getByText('Will be updated').waitFor();
    await dialog().locator('tr[data-line="4"]').getByText('The user name is missing.').waitFor();
    await row('dave@acme.example').getByText('"not-an-email" is not an e-mail address.').waitFor();
    await row('erin@acme.example').getByText('There is no persona "Astronauts".').waitFor();
    await expectAccessible();
    await dialog().getByRole('button', { name: 'Import' }).click();
    await dialog().getByText('Import finished.').waitFor();
    await row('carol@acme.example').getByText('Created').waitFor();
    await dialog().locator('tr[data-line="3"]').getByText('Updated').waitFor();
    await dialog().getByRole('button', { name: 'Close' }).click();

    const carol = (await scimApi('GET', `/Users?filter=${encodeURIComponent('userName eq "carol@acme.example"')}`)).body.Resources[0];
    expect(carol).toMatchObject({ title: '=SUM(1,2)', name: { givenName: 'Carol', familyName: 'Shaw' } });
    expect(carol.groups.map((g: { display: string }) => g.display).sort()).toEqual(['Billing', 'Reporting']);
    const ada = (await scimApi('GET', `/Users?filter=${encodeURIComponent('userName eq "ada@acme.example"')}`)).body.Resources[0];
    expect(ada.title).toBe('Countess');
    const history = await scimApi('GET', `/Users/${carol.id}/History`);
    expect(history.status).toBe(200);
    expect(history.body.totalResults).toBeGreaterThan(0);

    // The export: the Billing persona's users only, every page, guarded against formulas.
    await page.getByLabel('Persona').selectOption({ label: 'Billing' });
    await page.getByRole('row').filter({ hasText: 'carol@acme.example' }).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const text = readFileSync((await download.path())!, 'utf8');
    expect(download.suggestedFilename()).toMatch(/^users-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const lines = text.slice(1).trimEnd().split('\r\n');
    expect(lines[0]).toBe('User Name,First Name,Last Name,Email,Job Title,Telephone,Cell Phone,Personas');
    expect(lines.slice(1)).toEqual([`carol@acme.example,Carol,Shaw,carol@acme.example,"'=SUM(1,2)",'+1 555 0100,,Billing; Reporting`]);
  });

  it('shows in words why the server refuses a persona change the signed-in person may not make', async () => {
    const helpdesk = (await scimApi('GET', `/Groups?filter=${encodeURIComponent('displayName eq "Helpdesk"')}`)).body.Resources[0];
    const hal = await scimApi('POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'hal@acme.example',
      password: HELPER_PASSWORD,
      emails: [{ value: 'hal@acme.example', primary: true }],
    });
    expect(hal.status).toBe(201);
    expect((await scimApi('PATCH', `/Groups/${helpdesk.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: hal.body.id }] }] })).status).toBe(204);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn('hal@acme.example', HELPER_PASSWORD);
    await page.getByRole('heading', { name: 'User Management' }).waitFor();
    expect(await page.getByRole('link', { name: 'Integrations' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Personas' }).click();
    await page.getByRole('button', { name: 'Edit Helpdesk' }).click();
    await dialog().getByRole('checkbox', { name: 'Make payments' }).check();
    await dialog().getByRole('button', { name: 'Save' }).click();
    const refusal = dialog().getByRole('alert');
    await refusal.filter({ hasText: /make payments/i }).waitFor();
    expect(await refusal.textContent()).not.toContain('billing:pay');
    const after = (await scimApi('GET', `/Groups/${helpdesk.id}`)).body;
    expect(after['urn:usher:params:scim:schemas:extension:persona:2.0:Group'].permissions).toEqual(['users:read', 'users:write']);
  });
});
