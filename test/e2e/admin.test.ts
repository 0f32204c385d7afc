import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { afterAll, beforeAll, describe as suite, expect, it } from 'vitest';
import { CHROMIUM_FOUND } from '../helpers/browser.js';
import { seriousProblems, startE2eApp, type E2eApp } from '../helpers/e2e.js';
import type { TestApp } from '../helpers/test-app.js';
import { PASSWORD, uniqueEmail } from '../helpers/users.js';

/** The admin page and invite sign-up in a real browser (issue 28), on a deployment with REGISTRATION=invite. */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const describe = CHROMIUM_FOUND ? suite : suite.skip;
const ADMIN = 'boss@example.com';

let t: TestApp;
let server: E2eApp['server'];
let browser: Browser;
let stop: (() => Promise<void>) | undefined;

beforeAll(async () => {
  if (!CHROMIUM_FOUND) return;
  ({
    t,
    server,
    browser,
    close: stop,
  } = await startE2eApp({ REGISTRATION: 'invite', ADMIN_EMAILS: ADMIN, OPENAI_MODELS: 'test-model,other-model' }));
  // The admin signs up without an invite (ADMIN_EMAILS may).
  await request(t.app).post('/api/auth/register').send({ email: ADMIN, password: PASSWORD }).expect(201);
}, 120_000);
afterAll(async () => {
  await stop?.();
});

async function logIn(page: Page, email: string) {
  await page.goto(server.url);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
}

describe('the admin page', () => {
  it('invite → register with it → the admin disables the user → that browser is logged out', async () => {
    const adminPage = await (await browser.newContext({ viewport: { width: 1200, height: 800 } })).newPage();
    await logIn(adminPage, ADMIN);
    await adminPage.getByRole('link', { name: 'Admin' }).click();
    await adminPage.getByRole('heading', { name: 'Admin' }).waitFor();
    await adminPage.getByRole('button', { name: 'Create invite' }).click();
    await adminPage.getByRole('status').getByText('Invite created').waitFor();
    const link = (await adminPage.locator('.invite-url').first().textContent())!;
    expect(link).toMatch(/\/register\?invite=/);

    // The invited person opens the link: the sign-up form, its code filled in.
    const userPage = await (await browser.newContext({ viewport: { width: 1200, height: 800 } })).newPage();
    await userPage.goto(link);
    await userPage.getByRole('heading', { name: 'Create your account' }).waitFor();
    expect(await userPage.getByLabel('Invite code').inputValue()).toBe(new URL(link).searchParams.get('invite'));
    const email = uniqueEmail('invited');
    await userPage.getByLabel('Email').fill(email);
    await userPage.getByLabel('Password').fill(PASSWORD);
    await userPage.getByRole('button', { name: 'Create account' }).click();
    await userPage.getByRole('button', { name: '+ New chat' }).waitFor();
    expect(new URL(userPage.url()).pathname).toBe('/');
    expect(await userPage.getByRole('link', { name: 'Admin' }).count()).toBe(0);
    // Not an admin: /admin is "not found" to them.
    await userPage.goto(`${server.url}/admin`);
    await userPage.getByRole('heading', { name: 'Page not found' }).waitFor();
    await userPage.goto(server.url);
    await userPage.getByLabel('Message').fill('Hello from an invited user');
    await userPage.getByLabel('Message').press('Enter');
    await userPage.locator('article.message.assistant').getByText('Echo: Hello from an invited user').waitFor();

    // The admin finds them and disables them.
    await adminPage.getByLabel('Search by email').fill(email);
    await adminPage.getByRole('button', { name: `Disable ${email}` }).click();
    await adminPage.getByRole('status').getByText(`${email} was disabled`).waitFor();
    await adminPage.getByRole('button', { name: `Enable ${email}` }).waitFor();

    // Their next request is refused: the login screen says the session ended; logging in says why not.
    await userPage.getByLabel('Message').fill('Are you still there?');
    await userPage.getByLabel('Message').press('Enter');
    await userPage.getByText('Your session has ended. Please log in again.').waitFor();
    await userPage.getByLabel('Email').fill(email);
    await userPage.getByLabel('Password').fill(PASSWORD);
    await userPage.getByRole('button', { name: 'Log in' }).click();
    await userPage.getByRole('alert').getByText('This account has been disabled').waitFor();

    // The audit log on the page names both actions.
    await adminPage.reload();
    const audit = adminPage.locator('.admin-list.audit');
    await audit.getByText('user.status').waitFor();
    expect(await audit.textContent()).toContain('invite.create');
  });

  it.each(['light', 'dark'] as const)('has no serious or critical accessibility problem, %s scheme (axe-core)', async (colorScheme) => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 }, bypassCSP: true, colorScheme });
    const page = await context.newPage();
    await logIn(page, ADMIN);
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    await page.getByRole('button', { name: `Limits for ${ADMIN}` }).click(); // the limits form open, too
    await page.getByRole('button', { name: 'Save limits' }).waitFor();
    expect(await seriousProblems(page)).toEqual([]);
    await page.screenshot({ path: path.join(ROOT, 'test-artifacts', `admin-${colorScheme}.png`), fullPage: true });
    await context.close();
  });

  it('shows the sign-up screen the server allows: an invite code field, none without REGISTRATION=invite', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${server.url}/register`);
    await page.getByRole('heading', { name: 'Create your account' }).waitFor();
    await page.getByLabel('Email').fill(uniqueEmail());
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('alert').getByText('Signing up here needs a valid invite').waitFor();
  });
});
