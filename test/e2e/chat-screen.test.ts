import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe as suite, expect, it } from 'vitest';
import { CHROMIUM_FOUND } from '../helpers/browser.js';
import { e2ePages, seriousProblems, startE2eApp, type E2eApp } from '../helpers/e2e.js';
import type { FakeOpenAI } from '../helpers/fake-openai.js';
import { PASSWORD } from '../helpers/users.js';

/** The chat screen of issue 30 in Chromium: long chats and lists, following a reply, failures in place, toasts, size, axe. */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const describe = CHROMIUM_FOUND ? suite : suite.skip;

let fake: FakeOpenAI;
let server: E2eApp['server'];
let browser: Browser;
let stop: (() => Promise<void>) | undefined;

beforeAll(async () => {
  if (!CHROMIUM_FOUND) return;
  ({ fake, server, browser, close: stop } = await startE2eApp());
}, 120_000);
const { nativeDialogs, newPage, register } = e2ePages(
  () => browser,
  () => server.url,
);
afterAll(async () => {
  expect(nativeDialogs).toEqual([]);
  await stop?.();
});

const DAY_MS = 24 * 60 * 60 * 1000;
const lastReply = (page: Page) => page.locator('article.message.assistant').last();

/** Imports chats through the API, as the logged-in page (POST /api/import). */
async function importChats(page: Page, chats: object[]): Promise<string[]> {
  const body = JSON.stringify({ format: 'gpt-backend-export', version: 2, chats });
  const result = await page.evaluate(
    `fetch('/api/import', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: ${JSON.stringify(body)} }).then((r) => r.json())`,
  );
  return (result as { chatIds: string[] }).chatIds;
}
const chatOf = (title: string, updatedAt: Date, messages: object[] = [], pinned = false) => ({
  title,
  createdAt: updatedAt.toISOString(),
  updatedAt: updatedAt.toISOString(),
  pinned,
  messages,
});
const scrollTop = (page: Page, selector: string) => page.evaluate(`document.querySelector(${JSON.stringify(selector)}).scrollTop`);

describe('the chat screen: long chats and long lists', () => {
  it('reads a 300-message chat back to its first message by scrolling up, without the view jumping', async () => {
    const page = await newPage();
    await register(page);
    const at = new Date(Date.now() - DAY_MS);
    const messages = Array.from({ length: 300 }, (_, i) => ({
      role: i % 2 === 0 ? 'user' : 'assistant',
      content: `Message number ${i + 1}`,
      createdAt: new Date(at.getTime() + i * 1000).toISOString(),
    }));
    const [chatId] = await importChats(page, [chatOf('A long chat', at, messages)]);
    await page.goto(`${server.url}/c/${chatId}`);
    // The newest page first, at the bottom.
    await page.locator('article.message').getByText('Message number 300', { exact: true }).waitFor();
    expect(await page.locator('article.message').count()).toBe(50);

    // Scrolled to the top: the page before arrives above, and what was on screen stays where it was.
    const id = await page.locator('article.message').first().getAttribute('id');
    const topOf = `document.getElementById('${id}').getBoundingClientRect().top`;
    const yBefore = (await page.evaluate(`(() => { document.querySelector('.messages').scrollTop = 0; return ${topOf}; })()`)) as number;
    await expect.poll(() => page.locator('article.message').count(), { timeout: 5000 }).toBe(100);
    const yAfter = (await page.evaluate(topOf)) as number;
    expect(Math.abs(yAfter - yBefore)).toBeLessThan(60);
    expect(await scrollTop(page, '.messages')).toBeGreaterThan(1000);

    // On up to the first message: each scroll to the top loads the page before, until there is none.
    const toTop = `document.querySelector('.messages').scrollTop = 0`;
    await expect.poll(async () => (await page.evaluate(toTop), page.locator('article.message').count()), { timeout: 30_000 }).toBe(300);
    expect(await page.locator('article.message').count()).toBe(300);
    expect(await page.locator('article.message .user-text').first().textContent()).toBe('Message number 1');
    expect(await page.locator('.messages .older').count()).toBe(0);

    // A link to an old message (as a search result makes) loads the pages it needs and shows it.
    const third = await page.locator('article.message').nth(2).getAttribute('id');
    await page.goto(`${server.url}/c/${chatId}#${third}`);
    await page.locator(`#${third}.found`).waitFor({ timeout: 10_000 });
    expect(await page.locator(`#${third}`).textContent()).toContain('Message number 3');
    await page.context().close();
  });

  it('lists 250 chats by scrolling, grouped by date (Pinned, Today, Yesterday, Previous 7 and 30 days, months)', async () => {
    const page = await newPage();
    await register(page);
    const now = new Date();
    const startOfToday = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
    // 250 chats: one a minute old, one from yesterday, then one every 1.5 days back (well over a year).
    const updatedAt = (i: number) =>
      new Date(i === 0 ? now.getTime() - 60_000 : i === 1 ? startOfToday - DAY_MS / 2 : startOfToday - (i * 1.5 + 1) * DAY_MS);
    const chats = Array.from({ length: 250 }, (_, i) => chatOf(`Listed chat ${i + 1}`, updatedAt(i)));
    chats.push(chatOf('A pinned old chat', new Date(startOfToday - 90 * DAY_MS), [], true));
    await importChats(page, chats);
    await page.reload();
    const titles = page.locator('nav .chat-title');
    await titles.first().waitFor();
    expect(await titles.count()).toBe(50);
    const groups = await page.locator('nav .group-title').allTextContents();
    expect(groups.slice(0, 5)).toEqual(['Pinned', 'Today', 'Yesterday', 'Previous 7 days', 'Previous 30 days']);
    expect(await titles.first().textContent()).toBe('A pinned old chat');

    const toEnd = `(() => { const list = document.querySelector('.chat-groups'); list.scrollTop = list.scrollHeight; })()`;
    await expect.poll(async () => (await page.evaluate(toEnd), titles.count()), { timeout: 30_000 }).toBe(251);
    expect(await titles.count()).toBe(251);
    expect(await titles.last().textContent()).toBe('Listed chat 250');
    // Months after the first 30 days, each once, newest first; every chat listed once.
    const allGroups = await page.locator('nav .group-title').allTextContents();
    const months = allGroups.slice(5);
    expect(months.length).toBeGreaterThan(10);
    expect(new Set(months).size).toBe(months.length);
    for (const month of months) expect(month).toMatch(/^[A-Z][a-z]+ \d{4}$/);
    expect(new Set(await titles.allTextContents()).size).toBe(251);

    // A change (a chat renamed) reads the list again at its length, not back to the first page.
    await page.getByRole('button', { name: 'Rename Listed chat 3', exact: true }).click();
    await page.getByLabel('Chat title').fill('Renamed third');
    await page.getByLabel('Chat title').press('Enter');
    await page.locator('nav .chat-title').getByText('Renamed third').waitFor();
    expect(await titles.count()).toBe(251);
    await page.context().close();
  });
});

describe('the chat screen: following a reply, failures where they happened, toasts', () => {
  it('stops following a reply when scrolled up, and "↓" jumps back and follows again', async () => {
    const page = await newPage({ width: 1200, height: 600 });
    await register(page);
    const long = Array.from({ length: 60 }, (_, i) => `Line ${i + 1} of a long answer.\n\n`);
    fake.enqueue({ kind: 'reply', content: long.join(''), chunks: long, chunkDelayMs: 80 });
    await page.getByLabel('Message').fill('Write a lot');
    await page.getByLabel('Message').press('Enter');
    await expect.poll(() => lastReply(page).textContent(), { timeout: 5000 }).toContain('Line 20');
    const atBottom = () =>
      page.evaluate(
        `(() => { const el = document.querySelector('.messages'); return el.scrollHeight - el.scrollTop - el.clientHeight < 60; })()`,
      );
    expect(await atBottom()).toBe(true); // followed so far
    await page.locator('.messages').hover();
    await page.mouse.wheel(0, -400);
    await page.getByRole('button', { name: 'Jump to the newest message' }).waitFor();
    const held = await scrollTop(page, '.messages');
    await expect.poll(() => lastReply(page).textContent(), { timeout: 5000 }).toContain('Line 40');
    expect(await scrollTop(page, '.messages')).toBe(held); // not yanked back down
    await page.getByRole('button', { name: 'Jump to the newest message' }).click();
    await expect.poll(atBottom).toBe(true);
    await expect.poll(() => lastReply(page).getAttribute('data-status'), { timeout: 10_000 }).toBe('complete');
    expect(await atBottom()).toBe(true); // followed to the end
    expect(await page.getByRole('button', { name: 'Jump to the newest message' }).count()).toBe(0);
    await page.context().close();
  });

  it('keeps a reply stopped before its first word as "Stopped", across a reload, with Retry', async () => {
    const page = await newPage();
    await register(page);
    fake.enqueue({ kind: 'hang' });
    await page.getByLabel('Message').fill('Say nothing yet');
    await page.getByLabel('Message').press('Enter');
    await page.getByText('Thinking…').waitFor();
    await page.getByRole('button', { name: '■ Stop' }).click();
    await expect.poll(() => lastReply(page).getAttribute('data-status'), { timeout: 5000 }).toBe('stopped');
    expect(await lastReply(page).locator('.status-note').textContent()).toBe('Stopped');
    await page.reload();
    await expect.poll(() => lastReply(page).getAttribute('data-status'), { timeout: 5000 }).toBe('stopped');
    expect(await lastReply(page).locator('.status-note').textContent()).toBe('Stopped');
    fake.enqueue({ kind: 'reply', content: 'Now I speak.' });
    await lastReply(page).getByRole('button', { name: 'Retry' }).click();
    await expect.poll(() => lastReply(page).textContent(), { timeout: 5000 }).toContain('Now I speak.');
    await page.context().close();
  });

  it('shows a failed reply under its message in one sentence, and Retry answers it', async () => {
    const page = await newPage();
    await register(page);
    fake.enqueue({ kind: 'fail', status: 500 });
    await page.getByLabel('Message').fill('Will this work?');
    await page.getByLabel('Message').press('Enter');
    const mine = page.locator('article.message.user').last();
    await expect.poll(() => mine.getByRole('alert').textContent(), { timeout: 5000 }).toBe('The model server could not be reached.Retry');
    expect(await page.locator('.banner').count()).toBe(0); // nothing at the bottom of the page
    fake.enqueue({ kind: 'reply', content: 'It works now.' });
    await mine.getByRole('button', { name: 'Retry' }).click();
    await expect.poll(() => lastReply(page).textContent(), { timeout: 5000 }).toContain('It works now.');
    expect(await page.getByRole('alert').count()).toBe(0);
    // A reload shows the same conversation: the message and its reply, once each.
    await page.reload();
    await expect.poll(() => page.locator('article.message').allTextContents(), { timeout: 5000 }).toHaveLength(2);

    // A reply cut in the middle keeps its text and says why, after a reload too (the reason is stored).
    fake.enqueue({ kind: 'cut', chunks: ['Half of ', 'an answer'] });
    await page.getByLabel('Message').fill('And this?');
    await page.getByLabel('Message').press('Enter');
    const why = 'The model server stopped in the middle of the reply.';
    await expect.poll(() => lastReply(page).locator('.status-note').textContent(), { timeout: 5000 }).toBe(why);
    await page.reload();
    await expect.poll(() => lastReply(page).locator('.status-note').textContent(), { timeout: 5000 }).toBe(why);
    expect(await lastReply(page).textContent()).toContain('Half of an answer');
    await lastReply(page).getByRole('button', { name: 'Retry' }).waitFor();
    await page.context().close();
  });

  it('says "copied" and "saved" in a toast (role=status) that goes away', async () => {
    const page = await newPage(undefined, { permissions: ['clipboard-read', 'clipboard-write'] });
    await register(page);
    fake.enqueue({ kind: 'reply', content: 'Copy me.' });
    await page.getByLabel('Message').fill('Something to copy');
    await page.getByLabel('Message').press('Enter');
    await expect.poll(() => lastReply(page).getAttribute('data-status'), { timeout: 5000 }).toBe('complete');
    await page.getByRole('button', { name: 'Copy the reply' }).click();
    const toasts = page.getByRole('status').filter({ has: page.locator('.toast') });
    await toasts.getByText('Copied').waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe('Copy me.');
    await toasts.getByText('Copied').waitFor({ state: 'detached', timeout: 6000 });

    // The share panel: "Link copied" in a toast; Esc closes it (the focus back on the menu), so does a click outside.
    const sharePanel = page.getByRole('dialog', { name: 'Shared link' });
    await page.getByLabel('Chat menu').click();
    await page.locator('.menu-items').getByText('Share a link', { exact: true }).click();
    await sharePanel.getByRole('button', { name: 'Copy link' }).click();
    await toasts.getByText('Link copied').waitFor();
    await page.keyboard.press('Escape');
    await sharePanel.waitFor({ state: 'detached' });
    expect(await page.evaluate(`document.activeElement.getAttribute('aria-label')`)).toBe('Chat menu');
    await page.getByLabel('Chat menu').click();
    await page.locator('.menu-items').getByText('Share a link', { exact: true }).click();
    await sharePanel.waitFor();
    await page.locator('article.message.user').first().click();
    await sharePanel.waitFor({ state: 'detached' });

    await page.goto(`${server.url}/settings`);
    await page.getByLabel('Current password').fill(PASSWORD);
    await page.getByLabel('New password').fill('another-good-passphrase-9');
    await page.getByRole('button', { name: 'Change password' }).click();
    await toasts.getByText('Password changed').waitFor();
    // The form is cleared after it worked.
    expect(await page.getByLabel('Current password').inputValue()).toBe('');
    expect(await page.getByLabel('New password').inputValue()).toBe('');
    await page.context().close();
  });
});

describe('the chat screen: polish', () => {
  it('on a phone keeps the title readable (the model picker on its own row); a refused file says why inside its chip; quotes have a style', async () => {
    const page = await newPage({ width: 390, height: 780 });
    await register(page);
    fake.enqueue({ kind: 'reply', content: '> Quoted words\n\nAnd an answer.' });
    await page.getByLabel('Message').fill('A question with a long title that goes on and on');
    await page.getByLabel('Message').press('Enter');
    await expect.poll(() => lastReply(page).getAttribute('data-status'), { timeout: 5000 }).toBe('complete');
    const title = (await page.locator('.topbar h1').boundingBox())!;
    const picker = (await page.getByLabel('Model').boundingBox())!;
    expect(title.width).toBeGreaterThan(200);
    expect(picker.y).toBeGreaterThanOrEqual(title.y + title.height - 1);
    await lastReply(page).locator('blockquote').waitFor();
    await page.screenshot({ path: path.join(ROOT, 'test-artifacts', 'chat-phone.png') });
    expect(await page.evaluate(`getComputedStyle(document.querySelector('article.message.assistant blockquote')).borderLeftStyle`)).toBe(
      'solid',
    );

    await page
      .locator('input[type=file]')
      .setInputFiles({ name: 'tool.exe', mimeType: 'application/octet-stream', buffer: Buffer.from([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0]) });
    const chip = page.locator('.pending-files .file-chip.failed');
    await chip.getByRole('alert').waitFor();
    expect(await chip.getByRole('alert').textContent()).toContain('cannot be attached');
    const fits = await page.evaluate(
      `(() => { const el = document.querySelector('.file-chip.failed'); const c = el.getBoundingClientRect(); const s = el.querySelector('.file-state').getBoundingClientRect(); return s.right <= c.right + 1 && c.right <= window.innerWidth; })()`,
    );
    expect(fits).toBe(true);
    await page.context().close();
  });
});

describe('the chat screen: size and accessibility', () => {
  it('keeps the first load under 130 KB gzipped (Markdown, KaTeX and the highlighter come later)', async () => {
    const out = execFileSync(process.execPath, [path.join(ROOT, 'scripts/first-load.mjs')], { encoding: 'utf8' });
    const kb = Number(/first load: ([\d.]+) KB gzipped/.exec(out)![1]);
    expect(kb).toBeGreaterThan(20);
    expect(kb).toBeLessThanOrEqual(130);
    // The login page fetches no Markdown, KaTeX or highlighter code before it is painted.
    const page = await newPage();
    const scripts: string[] = [];
    page.on('request', (r) => r.resourceType() === 'script' && scripts.push(new URL(r.url()).pathname));
    await page.goto(server.url, { waitUntil: 'domcontentloaded' });
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    expect(scripts.filter((s) => /math|highlight/.test(s))).toEqual([]);
    await page.context().close();
  });

  it.each(['light', 'dark'] as const)(
    'has no serious or critical accessibility problem on any page, %s theme (axe-core)',
    async (theme) => {
      // axe is injected as a script, which the app's strict CSP forbids: this context bypasses it.
      const page = await newPage(undefined, { bypassCSP: true, colorScheme: theme });
      const audit = async (what: string) => expect(await seriousProblems(page), `${what} (${theme})`).toEqual([]);
      await page.goto(server.url);
      await page.getByRole('button', { name: 'Log in' }).waitFor();
      await audit('login');
      await page.getByRole('button', { name: 'No account yet? Create one' }).click();
      await audit('sign-up');
      await page.goto(`${server.url}/reset-password`);
      await audit('password reset');
      await register(page);
      const now = Date.now();
      await importChats(page, [
        chatOf('Yesterday’s chat', new Date(now - DAY_MS - 3_600_000), [
          { role: 'user', content: 'A table and math?', createdAt: new Date(now - DAY_MS).toISOString() },
          {
            role: 'assistant',
            content: '| a | b |\n|---|---|\n| 1 | 2 |\n\n> A quote\n\n$E=mc^2$ and `code`\n\n```js\nlet x = 1;\n```',
            createdAt: new Date(now - DAY_MS).toISOString(),
          },
        ]),
        chatOf('Pinned chat', new Date(now - 40 * DAY_MS), [], true),
      ]);
      await page.reload();
      await page.locator('nav .chat-title').getByText('Yesterday’s chat').click();
      await page.locator('.katex').first().waitFor();
      await page.locator('.hljs').first().waitFor();
      // Keywords have their own colour (in both themes, the system's choice included).
      const colourOf = (selector: string) => page.evaluate(`getComputedStyle(document.querySelector('${selector}')).color`);
      expect(await colourOf('.hljs-keyword')).not.toBe(await colourOf('.hljs'));
      await audit('chat with a table, math and code');
      await page.screenshot({ path: path.join(ROOT, 'test-artifacts', `chat-rich-${theme}.png`) });
      fake.enqueue({ kind: 'fail', status: 500 });
      await page.getByLabel('Message').fill('fail please');
      await page.getByLabel('Message').press('Enter');
      await page.getByRole('button', { name: 'Retry' }).waitFor();
      await audit('chat with a failed reply');
      await page.getByRole('button', { name: /^Delete Yesterday/ }).click();
      await page.getByRole('dialog', { name: 'Delete this chat?' }).waitFor();
      await audit('the delete dialog');
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+k');
      await audit('search');
      await page.keyboard.press('Escape');
      await page.goto(`${server.url}/c/00000000-0000-4000-8000-000000000000`);
      await page.getByRole('heading', { name: 'Chat not found' }).waitFor();
      await audit('chat not found');
      await page.goto(`${server.url}/settings`);
      await page.getByRole('heading', { name: 'Settings' }).waitFor();
      await audit('settings');
      await page.context().close();
    },
  );
});
