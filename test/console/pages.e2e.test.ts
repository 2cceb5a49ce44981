// The console's Personas and Integrations pages and the user list's CSV export and import, end to end in headless
// Chromium against the built server (dist/main.js), with an accessibility audit (axe-core) of each page.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { cli, killAll, removeDir, startServer, tempDataDir, type ServerProcess } from '../helpers/processes.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env.USHER_REQUIRE_BROWSER) throw new Error(`Chromium is required for the console tests and is not at ${CHROMIUM}`);
const SCREENSHOTS = join(process.cwd(), 'test-results', 'console');
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const ADMIN_PASSWORD = 'the administrators own passphrase';
const HELPER_PASSWORD = 'the helpdesk keeps its own passphrase';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

let dir: string;
let database: TestDatabase | undefined;
let server: ServerProcess;
let browser: Browser;
let env: Record<string, string>;
let page: Page;
let apiToken: string;

async function screenshot(name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** axe-core's audit of the page as it is: every violation, by rule and the elements it found. */
async function expectAccessible(): Promise<void> {
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const result = await (globalThis as unknown as { axe: { run(): Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }).axe.run();
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  expect(violations).toEqual([]);
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

async function signIn(userName: string, password: string): Promise<void> {
  await page.goto(`${server.url}/admin`);
  await page.getByLabel('Organization').fill('acme');
  await page.getByLabel('User name').fill(userName);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function setPasswordAt(link: string, password: string): Promise<void> {
  await page.goto(link.replace(/^https?:\/\/[^/]+/, server.url));
  await page.getByLabel('New password', { exact: true }).fill(password);
  await page.getByLabel('Confirm new password').fill(password);
  await page.getByRole('button', { name: 'Set password' }).click();
  await page.getByRole('link', { name: 'Sign in' }).waitFor();
}

const dialog = () => page.getByRole('dialog').or(page.getByRole('alertdialog'));
const status = (text: string | RegExp) => page.getByRole('status').filter({ hasText: text }).first().waitFor();
const row = (text: string | RegExp) => page.getByRole('row').filter({ hasText: text });

describe.skipIf(!available)('the Personas and Integrations pages and CSV, in Chromium', { timeout: 180_000 }, () => {
  beforeAll(async () => {
    dir = tempDataDir();
    env = { DATA_DIR: dir, LOG_LEVEL: 'warn' };
    if (process.env.DATABASE_URL) {
      database = await createTestDatabase();
      env.DATABASE_URL = database.url!;
    }
    server = await startServer({ ...env, LOG_LEVEL: 'info' });
    expect((await cli(['tenant', 'create', 'acme', '--name', 'Acme Corp'], env)).code).toBe(0);
    const admin = await cli(['admin', 'create', '--tenant', 'acme', '--user-name', 'ada@acme.example', '--email', 'ada@acme.example', '--given-name', 'Ada', '--family-name', 'Lovelace'], env);
    expect(admin.code).toBe(0);
    const token = await cli(['token', 'create', '--tenant', 'acme', '--label', 'e2e'], env);
    expect(token.code).toBe(0);
    apiToken = token.last.trim();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true })).newPage();
    page.setDefaultTimeout(15_000);
    await setPasswordAt(admin.last, ADMIN_PASSWORD);
    await signIn('ada@acme.example', ADMIN_PASSWORD);
    await page.getByRole('heading', { name: 'User Management' }).waitFor();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await database?.close();
    killAll();
    if (dir) removeDir(dir);
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
