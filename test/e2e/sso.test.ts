import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe as suite, expect, it } from 'vitest';
import { CHROMIUM_FOUND, launchChromium } from '../helpers/browser.js';
import { startFakeOpenAI, type FakeOpenAI } from '../helpers/fake-openai.js';
import { startOidcProvider, type TestOidcProvider } from '../helpers/oidc-provider.js';
import { listen } from '../helpers/sse.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { uniqueEmail } from '../helpers/users.js';

/** Single sign-on in a real browser against a real OpenID provider (oidc-provider, its own login pages). */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const describe = CHROMIUM_FOUND ? suite : suite.skip;

let fake: FakeOpenAI;
let idp: TestOidcProvider;
let t: TestApp;
let server: Awaited<ReturnType<typeof listen>>;
let browser: Browser;

beforeAll(async () => {
  if (!CHROMIUM_FOUND) return;
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/ensure-build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  fake = await startFakeOpenAI();
  idp = await startOidcProvider();
  // No PUBLIC_URL: the redirect URI is the request's own origin, known once the app listens.
  t = await startTestApp({ fake, clientDir: path.join(ROOT, 'dist', 'client'), env: idp.env({ OIDC_NAME: 'Acme SSO' }) });
  server = await listen(t.app);
  idp.register([`${server.url}/api/auth/oidc/callback`]);
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await t?.close();
  await idp?.close();
  await fake?.close();
});

describe('single sign-on in the browser', () => {
  it('the SSO button signs a new person in at the provider and lands in the app, logged in', async () => {
    const email = uniqueEmail('sso-e2e');
    idp.accounts.set('ada', { email, emailVerified: true });
    const page = await (await browser.newContext()).newPage();
    await page.goto(server.url);
    await page.getByRole('link', { name: 'Continue with Acme SSO' }).click();
    // The provider's own (development) login and consent pages.
    await page.locator('input[name=login]').fill('ada');
    await page.locator('input[name=password]').fill('anything');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: '+ New chat' }).waitFor();
    expect(new URL(page.url()).origin).toBe(server.url);
    await page.getByRole('link', { name: email }).click();
    await page.getByText('You sign in with Acme SSO.').waitFor();
    await page.getByRole('button', { name: 'Set a password' }).waitFor();
  });

  it('says why a sign-in was refused, in plain words (/login?error=)', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${server.url}/login?error=email_not_verified`);
    await page.getByRole('alert').getByText('has not verified your email address').waitFor();
  });
});
