import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { launchChromium } from './browser.js';
import { startFakeOpenAI, type FakeOpenAI } from './fake-openai.js';
import { listen } from './sse.js';
import { startTestApp, type TestApp } from './test-app.js';
import { PASSWORD, uniqueEmail } from './users.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface E2eApp {
  fake: FakeOpenAI;
  t: TestApp;
  server: Awaited<ReturnType<typeof listen>>;
  browser: Browser;
  close: () => Promise<void>;
}

/**
 * What a browser test runs against: the web client as checked out (built again when its sources
 * changed, as `npm start` does), the app on a fake model server, listening, and Chromium.
 */
export async function startE2eApp(env: Record<string, string> = {}): Promise<E2eApp> {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/ensure-build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  const fake = await startFakeOpenAI();
  const t = await startTestApp({ fake, clientDir: path.join(ROOT, 'dist', 'client'), env });
  const server = await listen(t.app);
  const browser = await launchChromium();
  return {
    fake,
    t,
    server,
    browser,
    close: async () => {
      await browser.close();
      await server.close();
      await t.close();
      await fake.close();
    },
  };
}

/**
 * Pages of the web client for the browser tests. The app never uses the browser's prompt, confirm or
 * alert: each is stubbed to throw, and any that shows is recorded in `nativeDialogs` (asserted empty).
 */
export function e2ePages(browser: () => Browser, baseUrl: () => string) {
  const nativeDialogs: string[] = [];
  async function newPage(viewport = { width: 1200, height: 800 }, options: BrowserContextOptions = {}): Promise<Page> {
    const context = await browser().newContext({ viewport, ...options });
    await context.addInitScript(
      "for (const name of ['alert', 'confirm', 'prompt']) window[name] = () => { throw new Error('window.' + name + ' was called'); };",
    );
    const page = await context.newPage();
    page.on('dialog', (dialog) => (nativeDialogs.push(dialog.type()), void dialog.dismiss()));
    return page;
  }
  async function register(page: Page, email = uniqueEmail()): Promise<string> {
    await page.goto(baseUrl());
    await page.getByRole('button', { name: 'No account yet? Create one' }).click();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('button', { name: '+ New chat' }).waitFor();
    return email;
  }
  return { nativeDialogs, newPage, register };
}

const axeSource = () => fs.readFileSync(path.join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
/** axe-core's serious and critical findings on the page as it is (its context must bypass the app's CSP). */
export async function seriousProblems(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource() });
  const result = (await page.evaluate('axe.run(document, { resultTypes: ["violations"] })')) as {
    violations: { id: string; impact: string; nodes: { target: string[] }[] }[];
  };
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}
