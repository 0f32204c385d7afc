import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe as suite, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_FOUND } from '../helpers/browser.js';
import { e2ePages, seriousProblems, startE2eApp, type E2eApp } from '../helpers/e2e.js';
import type { FakeOpenAI } from '../helpers/fake-openai.js';
import type { TestApp } from '../helpers/test-app.js';
import { PASSWORD, uniqueEmail } from '../helpers/users.js';

/** The web client in a real browser (Debian's Chromium through playwright-core) against the real API. */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
if (!CHROMIUM_FOUND)
  console.warn(`test:e2e skipped: no Chromium at ${CHROMIUM} (install it: apt-get install chromium; or set CHROMIUM_PATH)`);
/** Every suite below, each skipped on a machine without Chromium (the line above says why). */
const describe = CHROMIUM_FOUND ? suite : suite.skip;

let fake: FakeOpenAI;
let t: TestApp;
let server: E2eApp['server'];
let browser: Browser;
let stop: (() => Promise<void>) | undefined;

beforeAll(async () => {
  if (!CHROMIUM_FOUND) return;
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  ({ fake, t, server, browser, close: stop } = await startE2eApp({ OPENAI_MODELS: 'test-model,other-model', VISION_MODELS: 'test-model' }));
}, 120_000);
const { nativeDialogs, newPage, register } = e2ePages(
  () => browser,
  () => server.url,
);
afterAll(async () => {
  expect(nativeDialogs).toEqual([]);
  await stop?.();
});

const lastReply = (page: Page) => page.locator('article.message.assistant').last();
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });

describe('the web client', () => {
  it('registers, streams a reply as it is written, keeps the history across a reload, logs out and back in', async () => {
    const page = await newPage();
    const email = await register(page);
    const chunks = ['Rivers ', 'carry ', 'water ', 'to ', 'the ', 'sea.\n\n', '```js\nconsole.log("hi")\n```\n'];
    fake.enqueue({ kind: 'reply', content: chunks.join(''), chunks, chunkDelayMs: 250 });

    await page.getByLabel('Message').fill('What do rivers do?');
    await page.getByLabel('Message').press('Enter');
    // Part of the reply is on screen while the model is still writing.
    await expect.poll(() => lastReply(page).textContent(), { timeout: 5000 }).toContain('Rivers carry');
    expect(await lastReply(page).getAttribute('data-status')).toBe('streaming');
    await expect.poll(() => lastReply(page).getAttribute('data-status'), { timeout: 10_000 }).toBe('complete');
    expect(await page.locator('.code-block .copy').count()).toBe(1);
    await expect.poll(() => page.locator('nav .chat-title').first().textContent(), { timeout: 5000 }).toContain('What do rivers do?');
    await shot(page, 'chat-desktop');

    await page.reload();
    await page.locator('nav .chat-title').first().click();
    await expect.poll(() => page.locator('article.message').count()).toBe(2);
    expect(await page.locator('article.message.user .user-text').textContent()).toBe('What do rivers do?');

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.locator('nav .chat-title').count()).toBe(1);
    await page.context().close();
  });

  it('stops a reply with the Stop button and keeps what was written', async () => {
    const page = await newPage();
    await register(page);
    const chunks = Array.from({ length: 60 }, (_, i) => `word${i} `);
    fake.enqueue({ kind: 'reply', content: chunks.join(''), chunks, chunkDelayMs: 100 });
    await page.getByLabel('Message').fill('Talk for a long time');
    await page.getByLabel('Message').press('Enter');
    await expect.poll(() => lastReply(page).textContent(), { timeout: 5000 }).toContain('word2');
    await page.getByRole('button', { name: '■ Stop' }).click();
    await expect.poll(() => lastReply(page).getAttribute('data-status'), { timeout: 5000 }).toBe('stopped');
    const text = (await lastReply(page).textContent()) ?? '';
    expect(text).toContain('word2');
    expect(text).not.toContain('word59');
    await expect.poll(() => page.getByRole('button', { name: 'Send' }).isVisible(), { timeout: 5000 }).toBe(true);
    await page.context().close();
  });

  it('never runs HTML or script from a reply', async () => {
    const page = await newPage();
    await register(page);
    const evil = '<img src=x onerror="window.__xss=1"> <script>window.__xss=2</script> [click](javascript:window.__xss=3)';
    fake.enqueue({ kind: 'reply', content: evil });
    await page.getByLabel('Message').fill('Say something nasty');
    await page.getByLabel('Message').press('Enter');
    await expect.poll(() => lastReply(page).getAttribute('data-status'), { timeout: 5000 }).toBe('complete');
    await page
      .locator('article.message.assistant a')
      .click()
      .catch(() => undefined);
    expect(await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('article.message.assistant img').count()).toBe(0);
    expect(await lastReply(page).textContent()).toContain('<img src=x onerror=');
    await page.context().close();
  });

  it("shows another user none of the first user's chats", async () => {
    const first = await newPage();
    await register(first);
    await first.getByLabel('Message').fill('my private chat');
    await first.getByLabel('Message').press('Enter');
    await expect.poll(() => first.locator('nav .chat-title').count()).toBe(1);
    const chatUrl = await first.evaluate(() =>
      fetch('/api/chats')
        .then((r) => r.json() as Promise<{ chats: { id: string }[] }>)
        .then((b) => `/api/chats/${b.chats[0]!.id}`),
    );

    const second = await newPage();
    await register(second);
    expect(await second.locator('nav .chat-title').count()).toBe(0);
    expect(await second.evaluate((url) => fetch(url).then((r) => r.status), chatUrl)).toBe(404);
    await first.context().close();
    await second.context().close();
  });

  // Known to fail about one run in four on a loaded machine (issue 30 takes it up): one retry meanwhile.
  it('renames and deletes chats, picks a model, and explains errors in plain words', { retry: 1 }, async () => {
    const page = await newPage();
    await register(page);
    // The list arrives from GET /api/models after the page shows: wait for it.
    await expect
      .poll(() => page.getByLabel('Model').locator('option').allTextContents(), { timeout: 5000 })
      .toEqual(['test-model', 'other-model']);
    await page.getByLabel('Message').fill('first line');
    await page.getByLabel('Message').press('Shift+Enter');
    await page.getByLabel('Message').type('second line');
    expect(await page.getByLabel('Message').inputValue()).toBe('first line\nsecond line');
    await page.getByLabel('Message').press('Enter');
    await expect.poll(() => lastReply(page).getAttribute('data-status'), { timeout: 5000 }).toBe('complete');

    // The chat's own page (a model picked before the address changes goes to the next new chat instead).
    await page.waitForURL(/\/c\/[0-9a-f-]{36}$/);
    await page.getByLabel('Model').selectOption('other-model');
    // Shown at once, while the change is stored; a send made meanwhile waits for it (below).
    expect(await page.getByLabel('Model').inputValue()).toBe('other-model');
    // …and stored for this chat (the send below is answered by the model on screen).
    const chatModel = () =>
      page.evaluate(
        (path) =>
          fetch(`/api${path}`.replace('/api/c/', '/api/chats/'))
            .then((r) => r.json() as Promise<{ chat: { model: string | null } }>)
            .then((b) => b.chat.model),
        new URL(page.url()).pathname,
      );
    await expect.poll(chatModel, { timeout: 5000 }).toBe('other-model');
    await page
      .getByRole('button', { name: /^Rename/ })
      .first()
      .click();
    // Renamed in place: the title becomes an input; Esc cancels, Enter saves.
    await page.getByLabel('Chat title').fill('Not this');
    await page.getByLabel('Chat title').press('Escape');
    await page
      .getByRole('button', { name: /^Rename/ })
      .first()
      .click();
    await page.getByLabel('Chat title').fill('Renamed in the browser');
    await page.getByLabel('Chat title').press('Enter');
    await expect.poll(() => page.locator('nav .chat-title').first().textContent()).toContain('Renamed in the browser');

    fake.enqueue({ kind: 'fail', status: 500 });
    await page.getByLabel('Message').fill('this one fails');
    await page.getByLabel('Message').press('Enter');
    // Said under the message, in one sentence, with Retry beside it.
    const failed = page.locator('article.message.user').last().getByRole('alert');
    await expect.poll(() => failed.textContent(), { timeout: 5000 }).toBe('The model server could not be reached.Retry');
    const asked = fake.completions().filter((r) => r.body.messages?.at(-1)?.content === 'this one fails');
    expect(asked.map((r) => r.body.model)).toEqual(['other-model']);

    await page
      .getByRole('button', { name: /^Delete/ })
      .first()
      .click();
    // The app's own dialog: Esc cancels (nothing deleted), then confirming deletes.
    const dialog = page.getByRole('dialog', { name: 'Delete this chat?' });
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.locator('nav .chat-title').count()).toBe(1);
    await page
      .getByRole('button', { name: /^Delete/ })
      .first()
      .click();
    await dialog.getByRole('button', { name: 'Delete chat' }).click();
    await expect.poll(() => page.locator('nav .chat-title').count()).toBe(0);
    await page.context().close();
  });

  it('regenerates the last reply', async () => {
    const page = await newPage();
    await register(page);
    fake.enqueue({ kind: 'reply', content: 'first attempt' }, { kind: 'reply', content: 'second attempt' });
    await page.getByLabel('Message').fill('try twice');
    await page.getByLabel('Message').press('Enter');
    await expect.poll(() => lastReply(page).textContent(), { timeout: 5000 }).toContain('first attempt');
    await page.getByRole('button', { name: '↻ Regenerate' }).click();
    await expect.poll(() => lastReply(page).textContent(), { timeout: 5000 }).toContain('second attempt');
    expect(await page.locator('article.message').count()).toBe(2);
    await page.context().close();
  });

  it('keeps every version: edit, back with ‹, regenerate twice and walk the replies, fork, reload on the same path', async () => {
    const page = await newPage();
    await register(page);
    const texts = () => page.locator('article.message').allTextContents();
    await page.getByLabel('Message').fill('first wording');
    await page.getByLabel('Message').press('Enter');
    await expect.poll(() => lastReply(page).getAttribute('data-status'), { timeout: 10_000 }).toBe('complete');
    await page.getByRole('button', { name: 'Edit your text' }).click();
    await page.getByLabel('Your new text').fill('second wording');
    await page.getByRole('button', { name: 'Save and answer again' }).click();
    await expect.poll(() => lastReply(page).textContent(), { timeout: 10_000 }).toContain('Echo: second wording');
    const user = page.locator('article.message.user').first();
    await expect.poll(() => user.getByRole('group', { name: 'Versions' }).textContent(), { timeout: 5000 }).toContain('2 / 2');
    await user.getByRole('button', { name: 'Previous version' }).click();
    await expect.poll(() => lastReply(page).textContent(), { timeout: 5000 }).toContain('Echo: first wording');

    fake.enqueue({ kind: 'reply', content: 'reply two' }, { kind: 'reply', content: 'reply three' });
    await page.getByRole('button', { name: '↻ Regenerate' }).click();
    await expect.poll(() => lastReply(page).getAttribute('data-status'), { timeout: 10_000 }).toBe('complete');
    await page.getByRole('button', { name: '↻ Regenerate' }).click();
    await expect.poll(() => lastReply(page).textContent(), { timeout: 10_000 }).toContain('reply three');
    await expect.poll(() => lastReply(page).getByRole('group', { name: 'Versions' }).textContent(), { timeout: 5000 }).toContain('3 / 3');
    await lastReply(page).getByRole('button', { name: 'Previous version' }).click();
    await expect.poll(() => lastReply(page).textContent(), { timeout: 5000 }).toContain('reply two');
    await lastReply(page).getByRole('button', { name: 'Previous version' }).click();
    await expect.poll(() => lastReply(page).textContent(), { timeout: 5000 }).toContain('Echo: first wording');
    await lastReply(page).getByRole('button', { name: 'Next version' }).click();
    await expect.poll(() => lastReply(page).textContent(), { timeout: 5000 }).toContain('reply two');

    const chatUrl = page.url();
    await page.reload();
    await expect.poll(() => lastReply(page).textContent(), { timeout: 5000 }).toContain('reply two');
    expect((await texts()).join(' ')).toContain('first wording');

    await lastReply(page).getByRole('button', { name: 'Branch in new chat' }).click();
    await page.waitForURL((url) => url.href !== chatUrl && /\/c\/[0-9a-f-]{36}$/.test(url.pathname));
    await page.reload(); // the fork as a fresh page shows it (not what the old chat left on screen)
    await expect.poll(() => lastReply(page).textContent(), { timeout: 5000 }).toContain('reply two');
    await expect.poll(() => page.locator('article.message').count(), { timeout: 5000 }).toBe(2);

    // A search hit on a branch not shown opens the chat switched to it.
    await page.goto(chatUrl);
    await expect.poll(() => lastReply(page).textContent(), { timeout: 5000 }).toContain('reply two');
    await page.keyboard.press('Control+k');
    await page.keyboard.type('second');
    const hit = page.getByRole('list', { name: 'Search results' }).getByRole('button').first();
    await hit.waitFor({ timeout: 5000 });
    await hit.click();
    await expect
      .poll(() => page.locator('article.message.user .user-text').first().textContent(), { timeout: 5000 })
      .toBe('second wording');
    await page.context().close();
  });

  it('says so when the network is gone', async () => {
    const page = await newPage();
    await register(page);
    await page.context().setOffline(true);
    await page.getByLabel('Message').fill('anyone there?');
    await page.getByLabel('Message').press('Enter');
    // The message stays on screen, unsent, with why and Retry (and Edit, which puts it back in the box).
    const unsent = page.locator('article.message[data-status=failed]');
    await expect.poll(() => unsent.getByRole('alert').textContent(), { timeout: 5000 }).toContain('You seem to be offline');
    expect(await unsent.locator('.user-text').textContent()).toBe('anyone there?');
    await page.context().setOffline(false);
    fake.enqueue({ kind: 'reply', content: 'Back online.' });
    await unsent.getByRole('button', { name: 'Retry' }).click();
    await expect.poll(() => lastReply(page).textContent(), { timeout: 5000 }).toContain('Back online.');
    expect(await unsent.count()).toBe(0);
    expect(await page.locator('article.message.user .user-text').allTextContents()).toEqual(['anyone there?']);

    // Refused again, then another chat opened: the text goes back in the message box, not nowhere.
    await page.context().setOffline(true);
    await page.getByLabel('Message').fill('second try');
    await page.getByLabel('Message').press('Enter');
    await unsent.getByRole('alert').waitFor();
    await page.getByRole('button', { name: '+ New chat' }).click();
    await expect.poll(() => page.getByLabel('Message').inputValue()).toBe('second try');
    expect(await unsent.count()).toBe(0);
    await page.context().close();
  });

  it('fits a phone-width screen', async () => {
    const page = await newPage({ width: 390, height: 780 });
    await register(page);
    expect(await page.locator('nav.sidebar').isVisible()).toBe(true); // off-screen until the menu opens
    const box = await page.locator('nav.sidebar').boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(0);
    await page.getByRole('button', { name: 'Show chats' }).click();
    await expect.poll(async () => (await page.locator('nav.sidebar').boundingBox())!.x).toBeGreaterThanOrEqual(0);
    await shot(page, 'phone');
    await page.context().close();
  });
});

describe('the web client as a product', () => {
  it('gives each chat its own address: a reload stays in it, back and forward work, an unknown chat says so', async () => {
    const page = await newPage();
    await register(page);
    await page.getByLabel('Message').fill('First chat here');
    await page.getByLabel('Message').press('Enter');
    await page.waitForURL(/\/c\/[0-9a-f-]{36}$/);
    const first = page.url();
    await expect.poll(() => lastReply(page).getAttribute('data-status'), { timeout: 10_000 }).toBe('complete');
    await page.getByRole('button', { name: '+ New chat' }).click();
    await page.getByLabel('Message').fill('Second chat here');
    await page.getByLabel('Message').press('Enter');
    await expect.poll(() => page.url(), { timeout: 5000 }).not.toBe(first);
    await expect.poll(() => lastReply(page).getAttribute('data-status'), { timeout: 10_000 }).toBe('complete');
    const second = page.url();

    await page.reload();
    await page.locator('article.message.user').first().waitFor();
    expect(await page.locator('article.message.user .user-text').first().textContent()).toContain('Second chat here');
    await page.goBack();
    await page.goBack();
    await expect.poll(() => page.url()).toBe(first);
    await expect
      .poll(() => page.locator('article.message.user .user-text').first().textContent(), { timeout: 5000 })
      .toContain('First chat here');
    await page.goForward();
    await page.goForward();
    await expect.poll(() => page.url()).toBe(second);

    await page.goto(`${server.url}/c/00000000-0000-4000-8000-000000000000`);
    await page.getByRole('heading', { name: 'Chat not found' }).waitFor();
  });

  it('never loses a reply: a reload mid-reply shows it growing with Stop, to its end', async () => {
    const page = await newPage();
    await register(page);
    const chunks = Array.from({ length: 16 }, (_, i) => `part${i} `);
    fake.enqueue({ kind: 'reply', content: chunks.join(''), chunks, chunkDelayMs: 250 });
    await page.getByLabel('Message').fill('A slow answer, please');
    await page.getByLabel('Message').press('Enter');
    await expect.poll(() => lastReply(page).textContent(), { timeout: 5000 }).toContain('part1');
    await page.reload();
    // Re-attached: the reply keeps growing, and it can be stopped.
    await page.getByRole('button', { name: '■ Stop' }).waitFor({ timeout: 5000 });
    await expect.poll(() => lastReply(page).textContent(), { timeout: 5000 }).toContain('part6');
    await expect.poll(() => lastReply(page).getAttribute('data-status'), { timeout: 10_000 }).toBe('complete');
    expect(await lastReply(page).textContent()).toContain(chunks.join('').trim());
    await expect.poll(() => page.getByRole('button', { name: '■ Stop' }).count()).toBe(0);
  });

  it('resumes a reply after a dropped connection from where it was (Last-Event-ID), repeating nothing', async () => {
    const page = await newPage();
    await register(page);
    const resumed: string[] = [];
    page.on('request', (req) => {
      if (req.url().endsWith('/stream')) resumed.push(req.headers()['last-event-id'] ?? '');
    });
    const chunks = Array.from({ length: 14 }, (_, i) => `word${i} `);
    fake.enqueue({ kind: 'reply', content: chunks.join(''), chunks, chunkDelayMs: 250 });
    await page.getByLabel('Message').fill('Count slowly');
    await page.getByLabel('Message').press('Enter');
    await expect.poll(() => lastReply(page).textContent(), { timeout: 5000 }).toContain('word1 ');
    server.dropConnections(); // the stream's connection fails mid-reply
    await expect.poll(() => lastReply(page).getAttribute('data-status'), { timeout: 15_000 }).toBe('complete');
    const text = (await lastReply(page).textContent()) ?? '';
    expect(text).toContain(chunks.join('').trim());
    expect(text.split('word3 ').length).toBe(2); // each piece once
    // It re-attached with the id of the last event it had: that reply, at the length shown.
    expect(resumed.length).toBeGreaterThan(0);
    expect(resumed.at(-1)).toMatch(/^\d+:\d+$/);
  });

  it('searches (Ctrl+K), opens the chat at the message found, copies a message, and edits one to answer it again', async () => {
    const page = await newPage();
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await register(page);
    await page.getByLabel('Message').fill('Tell me about the zanzibar archipelago');
    await page.getByLabel('Message').press('Enter');
    await expect.poll(() => lastReply(page).getAttribute('data-status'), { timeout: 10_000 }).toBe('complete');
    await page.getByRole('button', { name: '+ New chat' }).click();

    await page.keyboard.press('Control+k');
    await page.keyboard.type('zanzibar');
    const result = page.getByRole('list', { name: 'Search results' }).getByRole('button').first();
    await result.waitFor({ timeout: 5000 });
    expect(await result.locator('mark').first().textContent()).toBe('zanzibar');
    await result.click();
    await page.waitForURL(/\/c\/[0-9a-f-]{36}#m-\d+$/);
    await page.locator('article.message.found').waitFor({ timeout: 5000 });

    await page.getByRole('button', { name: 'Copy your text' }).click();
    await expect.poll(() => page.evaluate('navigator.clipboard.readText()')).toBe('Tell me about the zanzibar archipelago');

    await page.getByRole('button', { name: 'Edit your text' }).click();
    await page.getByLabel('Your new text').fill('Tell me about the faroe islands');
    await page.getByRole('button', { name: 'Save and answer again' }).click();
    await expect
      .poll(() => page.locator('article.message.user .user-text').first().textContent(), { timeout: 5000 })
      .toContain('faroe islands');
    await expect.poll(() => lastReply(page).textContent(), { timeout: 10_000 }).toContain('Echo: Tell me about the faroe islands');
    expect(await page.locator('article.message').count()).toBe(2);
  });
});

describe('the web client: chat menu, sharing, settings', () => {
  const menu = async (page: Page, item: string) => {
    await page.getByLabel('Chat menu').click();
    await page.locator('.menu-items').getByText(item, { exact: true }).click();
  };
  async function chatWithReply(page: Page, text: string) {
    await page.getByLabel('Message').fill(text);
    await page.getByLabel('Message').press('Enter');
    await expect.poll(() => lastReply(page).getAttribute('data-status'), { timeout: 10_000 }).toBe('complete');
  }

  it('pins, archives (the Archived view restores it) and exports a chat from its menu', async () => {
    const page = await newPage();
    await register(page);
    await chatWithReply(page, 'Menu test chat');
    await menu(page, 'Pin');
    await page.locator('nav section[aria-label="Pinned"] .chat-title').getByText('Menu test chat').waitFor({ timeout: 5000 });
    const download = page.waitForEvent('download');
    await menu(page, 'Export as Markdown');
    expect((await download).suggestedFilename()).toBe('Menu test chat.md');
    await menu(page, 'Archive');
    await expect.poll(() => page.locator('nav .chat-title').count(), { timeout: 5000 }).toBe(0);
    await page.getByRole('button', { name: 'Archived chats' }).click();
    await page.locator('nav .chat-title').first().click();
    await menu(page, 'Restore from archive');
    await page.getByRole('button', { name: '← All chats' }).click();
    await expect.poll(() => page.locator('nav .chat-title').count(), { timeout: 5000 }).toBe(1);
  });

  it('shares a link that opens for someone logged out, until it is revoked', async () => {
    const page = await newPage();
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await register(page);
    await chatWithReply(page, 'Something worth sharing');
    await menu(page, 'Share a link');
    const link = await page.getByLabel('Link to the shared chat').inputValue();
    expect(link).toMatch(/\/share\/[\w-]{32}$/);
    await page.getByRole('button', { name: 'Copy link' }).click();
    await expect.poll(() => page.evaluate('navigator.clipboard.readText()')).toBe(link);

    const stranger = await newPage();
    await stranger.goto(link);
    await stranger.getByRole('heading', { name: 'Something worth sharing' }).waitFor();
    expect(await stranger.locator('article.message.assistant').textContent()).toContain('Echo: Something worth sharing');
    await page.getByRole('button', { name: 'Stop sharing' }).click();
    await stranger.reload();
    await stranger.getByRole('heading', { name: 'Shared chat not found' }).waitFor();
  });

  it('settings: ends another session, changes the password, shows usage, imports an export', async () => {
    const email = uniqueEmail();
    const other = await newPage();
    await register(other, email);
    const page = await newPage();
    await page.goto(server.url);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await chatWithReply(page, 'Counting my tokens');

    await page.getByRole('link', { name: email }).click();
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    await page.getByRole('button', { name: 'Log out this device' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Log out this device' }).count(), { timeout: 5000 }).toBe(0);
    await other.reload();
    await other.getByRole('button', { name: 'Log in' }).waitFor();

    await expect.poll(() => page.locator('.usage').textContent(), { timeout: 5000 }).toContain('18');
    expect(await page.getByRole('img', { name: /Tokens per day/ }).count()).toBe(1);

    const exported = await page.evaluate(`fetch('/api/export').then((r) => r.text())`);
    await page
      .getByLabel('Import an export')
      .setInputFiles({ name: 'export.json', mimeType: 'application/json', buffer: Buffer.from(String(exported)) });
    await page
      .getByRole('status')
      .getByText(/Imported 1 chat/)
      .waitFor();
    // The chat list (beside the settings) shows the imported copy at once: two chats of that title.
    await expect.poll(() => page.locator('nav .chat-title', { hasText: 'Counting my tokens' }).count(), { timeout: 5000 }).toBe(2);

    // The theme: dark chosen here stays dark across a reload, whatever the system says.
    await page.getByLabel('Theme').selectOption('dark');
    await page.reload();
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    expect(await page.evaluate('document.documentElement.dataset.theme')).toBe('dark');
    expect(await page.evaluate('getComputedStyle(document.documentElement).getPropertyValue("--bg").trim()')).toBe('#18181b');
    expect(await page.getByLabel('Theme').inputValue()).toBe('dark');
    await page.getByLabel('Theme').selectOption('system');

    await page.getByLabel('Current password').fill(PASSWORD);
    await page.getByLabel('New password').fill('a-brand-new-passphrase-7');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('status').getByText('Password changed').waitFor();
    await shot(page, 'settings-desktop');
  });

  it.each(['light', 'dark'] as const)(
    'has no serious or critical accessibility problems on the login, chat, settings and shared pages, %s scheme (axe-core)',
    async (colorScheme) => {
      // axe is injected as a script, which the app's strict CSP forbids: this context bypasses it.
      const context = await browser.newContext({ viewport: { width: 1200, height: 800 }, bypassCSP: true, colorScheme });
      const page = await context.newPage();
      page.on('dialog', (dialog) => void dialog.accept());
      const audit = async (what: string) => expect(await seriousProblems(page), what).toEqual([]);
      await page.goto(server.url);
      await page.getByRole('button', { name: 'Log in' }).waitFor();
      await audit(`login page (${colorScheme})`);
      await register(page);
      await chatWithReply(page, 'Accessible chat');
      // With a file about to be sent: the paperclip, the chip and its remove button are audited too.
      await page.locator('input[type=file]').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('notes') });
      await page.locator('.pending-files .file-chip.ready').waitFor();
      await audit(`chat page (${colorScheme})`);
      await page.getByLabel('Chat menu').click();
      await page.locator('.menu-items').getByText('Share a link', { exact: true }).click();
      const link = await page.getByLabel('Link to the shared chat').inputValue();
      await page.getByRole('link', { name: /@example\.com/ }).click();
      await page.getByRole('heading', { name: 'Settings' }).waitFor();
      await audit(`settings page (${colorScheme})`);
      await page.goto(link);
      await page.getByRole('heading', { name: 'Accessible chat' }).waitFor();
      await audit(`shared page (${colorScheme})`);
      await context.close();
    },
  );

  it('fits the settings page on a phone-width screen', async () => {
    const page = await newPage({ width: 390, height: 844 });
    await register(page);
    await page.goto(`${server.url}/settings`);
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(page, 'settings-phone');
  });
});

describe('the web client: code and chat settings', () => {
  it('highlights code blocks (the highlighter loads only then) and keeps their Copy button', async () => {
    const page = await newPage();
    const requested = new Set<string>();
    page.on('request', (r) => requested.add(r.url()));
    await register(page);
    const highlighterLoaded = () => [...requested].some((url) => /\/assets\/highlight-.*\.js$/.test(url));
    expect(highlighterLoaded()).toBe(false);
    fake.enqueue({ kind: 'reply', content: 'Here:\n\n```js\nconst answer = 42;\nconsole.log(answer);\n```\n' });
    await page.getByLabel('Message').fill('Some code please');
    await page.getByLabel('Message').press('Enter');
    await page.locator('.code-block code.hljs').waitFor({ timeout: 10_000 });
    expect(await page.locator('.code-block .hljs-keyword').first().textContent()).toBe('const');
    expect(highlighterLoaded()).toBe(true);
    expect(await page.locator('.code-block .copy').count()).toBe(1);
    // The new chat's address changed under it, but what is on screen was not loaded again (it used to
    // be when the reply had ended first, blanking the conversation for a moment).
    expect([...requested].filter((url) => /\/api\/chats\/[\w-]+\?limit=/.test(url))).toEqual([]);
  });

  it('renders GitHub-flavoured tables and math (KaTeX loads only when a reply has math)', async () => {
    const page = await newPage();
    const requested = new Set<string>();
    page.on('request', (r) => requested.add(r.url()));
    await register(page);
    fake.enqueue({ kind: 'reply', content: '| Planet | Moons |\n| --- | ---: |\n| Earth | 1 |\n| Mars | 2 |\n\n~~wrong~~ right' });
    await page.getByLabel('Message').fill('A table please');
    await page.getByLabel('Message').press('Enter');
    const table = lastReply(page).locator('table');
    await table.waitFor();
    expect(await table.locator('th').allTextContents()).toEqual(['Planet', 'Moons']);
    expect(await lastReply(page).locator('del').textContent()).toBe('wrong');
    const katexLoaded = () => [...requested].some((url) => /\/assets\/math-.*\.(js|css)$/.test(url));
    expect(katexLoaded()).toBe(false);

    fake.enqueue({ kind: 'reply', content: 'Einstein: $E=mc^2$, and \\(a^2+b^2=c^2\\).\n\n\\[\\int_0^1 x\\,dx\\]' });
    await page.getByLabel('Message').fill('Some math please');
    await page.getByLabel('Message').press('Enter');
    await lastReply(page).locator('.katex').first().waitFor({ timeout: 10_000 });
    expect(await lastReply(page).locator('.katex').count()).toBe(3);
    expect(await lastReply(page).locator('.katex-display').count()).toBe(1);
    expect(katexLoaded()).toBe(true);
  });

  it('puts the focus in the message box (on load, after a send, on a new chat: Ctrl+Shift+O); Esc or a click outside closes the chat menu', async () => {
    const page = await newPage();
    await register(page);
    const boxFocused = () => page.evaluate("document.activeElement?.getAttribute('aria-label') === 'Message'");
    await expect.poll(boxFocused).toBe(true);
    await page.getByLabel('Message').fill('Focus test');
    await page.getByLabel('Message').press('Enter');
    await expect.poll(() => lastReply(page).getAttribute('data-status'), { timeout: 10_000 }).toBe('complete');
    expect(await boxFocused()).toBe(true);

    const menu = page.locator('details.chat-menu');
    await page.getByLabel('Chat menu').click();
    await expect.poll(() => menu.getAttribute('open')).not.toBeNull();
    await page.keyboard.press('Escape');
    await expect.poll(() => menu.getAttribute('open')).toBeNull();
    expect(await page.evaluate("document.activeElement?.getAttribute('aria-label')")).toBe('Chat menu');
    await page.getByLabel('Chat menu').click();
    await expect.poll(() => menu.getAttribute('open')).not.toBeNull();
    await page.locator('article.message').first().click();
    await expect.poll(() => menu.getAttribute('open')).toBeNull();

    await page.keyboard.press('Control+Shift+O');
    await expect.poll(() => new URL(page.url()).pathname).toBe('/');
    await expect.poll(boxFocused).toBe(true);
  });

  it('rates a reply 👍 / 👎, kept across a reload', async () => {
    const page = await newPage();
    await register(page);
    await page.getByLabel('Message').fill('Rate this');
    await page.getByLabel('Message').press('Enter');
    await expect.poll(() => lastReply(page).getAttribute('data-status'), { timeout: 10_000 }).toBe('complete');
    await lastReply(page).getByRole('button', { name: 'Good reply' }).click();
    await expect.poll(() => lastReply(page).getByRole('button', { name: 'Good reply' }).getAttribute('aria-pressed')).toBe('true');
    await expect
      .poll(async () => (await t.db.query(`SELECT count(*)::int AS n FROM messages WHERE feedback_rating = 'up'`)).rows[0]!.n)
      .toBeGreaterThan(0);
    await page.reload();
    await expect.poll(() => lastReply(page).getByRole('button', { name: 'Good reply' }).getAttribute('aria-pressed')).toBe('true');
    expect(await lastReply(page).getByRole('button', { name: 'Bad reply' }).getAttribute('aria-pressed')).toBe('false');
  });

  it('sets a chat’s own system prompt, which the model then gets', async () => {
    const page = await newPage();
    await register(page);
    await page.getByLabel('Message').fill('Hello there');
    await page.getByLabel('Message').press('Enter');
    await expect.poll(() => lastReply(page).getAttribute('data-status'), { timeout: 10_000 }).toBe('complete');
    await page.getByLabel('Chat menu').click();
    await page.locator('.menu-items').getByText('Chat settings', { exact: true }).click();
    await page.getByLabel(/System prompt/).fill('Answer like a pirate.');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByLabel(/System prompt/).count()).toBe(0);
    await page.getByLabel('Message').fill('And now?');
    await page.getByLabel('Message').press('Enter');
    await expect.poll(() => lastReply(page).getAttribute('data-status'), { timeout: 10_000 }).toBe('complete');
    const sent = fake.completions().at(-1)!.body.messages!;
    expect(sent[0]).toEqual({ role: 'system', content: 'Answer like a pirate.' });
  });
});

describe('the web client: switching chats mid-reply', () => {
  it('leaving a chat does not stop its reply, and coming back follows it again', async () => {
    const page = await newPage();
    await register(page);
    const chunks = Array.from({ length: 12 }, (_, i) => `bit${i} `);
    fake.enqueue({ kind: 'reply', content: chunks.join(''), chunks, chunkDelayMs: 250 });
    await page.getByLabel('Message').fill('Keep writing while I look elsewhere');
    await page.getByLabel('Message').press('Enter');
    await expect.poll(() => lastReply(page).textContent(), { timeout: 5000 }).toContain('bit1');
    await page.getByRole('button', { name: '+ New chat' }).click();
    await page.getByText('Ask anything to start a conversation.').waitFor();
    await page.locator('nav .chat-title').first().click();
    await page.getByRole('button', { name: '■ Stop' }).waitFor({ timeout: 5000 });
    await expect.poll(() => lastReply(page).getAttribute('data-status'), { timeout: 10_000 }).toBe('complete');
    expect(await lastReply(page).textContent()).toContain(chunks.join('').trim());
  });
});

describe('the web client: attachments', () => {
  it('attaches an image and a document, shows them in the conversation (image enlarges), and keeps them across a reload', async () => {
    const page = await newPage();
    await register(page);
    const image = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 20, g: 120, b: 220 } } })
      .png()
      .toBuffer();
    await page.locator('input[type=file]').setInputFiles([
      { name: 'blue.png', mimeType: 'image/png', buffer: image },
      { name: 'notes.md', mimeType: 'text/markdown', buffer: Buffer.from('# Plan\n\nShip on Friday.') },
    ]);
    await expect.poll(() => page.locator('.pending-files .file-chip.ready').count(), { timeout: 10_000 }).toBe(2);
    // A file the server refuses says why, and keeps the message from being sent until it is removed.
    await page
      .locator('input[type=file]')
      .setInputFiles({ name: 'page.png', mimeType: 'image/png', buffer: Buffer.from('<html><body>hi</body></html>') });
    await expect
      .poll(() => page.locator('.pending-files .file-chip.failed').textContent(), { timeout: 10_000 })
      .toContain('cannot be attached');
    await page.getByLabel('Message').fill('What colour is this, and when do we ship?');
    expect(await page.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Remove page.png' }).click();
    await page.getByLabel('Message').press('Enter');
    await expect.poll(() => lastReply(page).getAttribute('data-status'), { timeout: 10_000 }).toBe('complete');

    const sent = fake.completions().at(-1)!.body.messages!.at(-1)!.content as unknown as { type: string; text?: string }[];
    expect(sent.map((p) => p.type)).toEqual(['text', 'image_url']);
    expect(sent[0]!.text).toContain('[Attached document: notes.md]');

    const shown = async () => {
      const img = page.locator('article.message.user img.message-image');
      await img.waitFor();
      await expect.poll(() => img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth), { timeout: 5000 }).toBe(64);
      expect(await page.locator('article.message.user a.file-chip.document').getAttribute('download')).toBe('notes.md');
    };
    await shown();
    await shot(page, 'attachments');
    await page.reload();
    await shown();
    await page.getByRole('button', { name: 'Enlarge blue.png' }).click();
    await expect.poll(() => page.locator('dialog.lightbox').evaluate((d) => (d as unknown as { open: boolean }).open)).toBe(true);
  });
});
