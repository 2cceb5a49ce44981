// What the console's browser tests share: Chromium, the built server with the tenant "acme" and its administrator
// Ada (made by the CLI, as a customer would), signing in, the set-password page behind a mail link, screenshots and
// the axe-core accessibility audit.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { createTestDatabase, type TestDatabase } from './database.js';
import { cli, killAll, removeDir, startServer, tempDataDir, type ServerProcess } from './processes.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const browserAvailable = existsSync(CHROMIUM);
// CI installs Chromium and sets USHER_REQUIRE_BROWSER, so that a missing browser fails there instead of skipping.
if (!browserAvailable && process.env.USHER_REQUIRE_BROWSER) throw new Error(`Chromium is required for the console tests and is not at ${CHROMIUM}`);

export const SCREENSHOTS = join(process.cwd(), 'test-results', 'console');
export const ADMIN_PASSWORD = 'the administrators own passphrase';

export interface ConsoleServer {
  readonly dir: string;
  /** The environment the server and the CLI share. */
  readonly env: Record<string, string>;
  readonly server: ServerProcess;
  /** The set-password link `usher admin create` printed for Ada. */
  readonly adminLink: string;
  close(): Promise<void>;
}

/** The built server on a new data directory (or a new PostgreSQL database), with tenant acme and Ada, its administrator. */
export async function startConsoleServer(): Promise<ConsoleServer> {
  const dir = tempDataDir();
  const env: Record<string, string> = { DATA_DIR: dir, LOG_LEVEL: 'warn' };
  let database: TestDatabase | undefined;
  if (process.env.DATABASE_URL) {
    database = await createTestDatabase();
    env.DATABASE_URL = database.url!;
  }
  const server = await startServer({ ...env, LOG_LEVEL: 'info' });
  expect((await cli(['tenant', 'create', 'acme', '--name', 'Acme Corp'], env)).code).toBe(0);
  const admin = await cli(
    ['admin', 'create', '--tenant', 'acme', '--user-name', 'ada@acme.example', '--email', 'ada@acme.example', '--given-name', 'Ada', '--family-name', 'Lovelace'],
    env,
  );
  expect(admin.code).toBe(0);
  return {
    dir,
    env,
    server,
    adminLink: admin.last,
    async close() {
      await server.stop();
      await database?.close();
      killAll();
      removeDir(dir);
    },
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export async function saveScreenshot(page: Page, name: string, fullPage = true): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage });
}

/** The sign-in form, filled and sent (what follows is the caller's to wait for). */
export async function signInAt(page: Page, baseUrl: string, userName: string, password: string, organization = 'acme'): Promise<void> {
  await page.goto(`${baseUrl}/admin`);
  await page.getByLabel('Organization').fill(organization);
  await page.getByLabel('User name').fill(userName);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Sets a password on the page behind a reset or welcome link (the link's host replaced by the server's). */
export async function setPasswordAt(page: Page, baseUrl: string, link: string, password: string): Promise<void> {
  await page.goto(link.replace(/^https?:\/\/[^/]+/, baseUrl));
  await page.getByLabel('New password', { exact: true }).fill(password);
  await page.getByLabel('Confirm new password').fill(password);
  await page.getByRole('button', { name: 'Set password' }).click();
  await page.getByRole('link', { name: 'Sign in' }).waitFor();
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * axe-core's violations on the page as it is now, as "rule: targets" lines: WCAG 2.1 A and AA rules, and its best
 * practices when asked. Evaluated through the DevTools protocol: the page's CSP (script-src 'self') rightly refuses
 * an inline script.
 */
export async function axeViolations(page: Page, options: { bestPractice?: boolean } = {}): Promise<string[]> {
  if (!(await page.evaluate("typeof window.axe !== 'undefined'"))) await page.evaluate(AXE_SOURCE);
  const tags = JSON.stringify(options.bestPractice ? [...WCAG, 'best-practice'] : WCAG);
  return page.evaluate<string[]>(`(async () => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ${tags} } });
    return result.violations.map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', '));
  })()`);
}
