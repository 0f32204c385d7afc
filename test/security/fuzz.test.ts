import fc from 'fast-check';
import type { Response } from 'supertest';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../helpers/fake-openai.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { signUp } from '../helpers/users.js';

/**
 * Property-based fuzzing of every route's inputs: whatever arrives, the answer is never a 5xx, an error
 * always has the documented shape, and no stack trace leaks.
 */

let fake: FakeOpenAI;
let t: TestApp;
let agent: ReturnType<typeof request.agent>;
let chatId: string;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  t = await startTestApp({ fake });
  ({ agent } = await signUp(t.app));
  chatId = (await agent.post('/api/chats').send({})).body.chat.id;
});
afterAll(async () => {
  await t?.close();
  await fake?.close();
});

const RUNS = 25;
const KEYS = [
  'email', 'password', 'currentPassword', 'newPassword', 'content', 'message', 'title', 'systemPrompt', 'model',
  'clientMessageId', '__proto__', 'constructor', 'prototype', 'toString', '',
];

const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.constantFrom('', ' ', '\u0000', 'a@b.co', '00000000-0000-4000-8000-000000000000', "' OR 1=1 --", '<script>', '😀'.repeat(40)),
);
const value = fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 3 }));
const body = fc.oneof(fc.dictionary(fc.constantFrom(...KEYS), value, { maxKeys: 5 }), fc.jsonValue({ maxDepth: 3 }));
const segment = fc.oneof(text, fc.uuid(), fc.constantFrom('..', '%', '%00', '1e9999', '-1'));

function expectSafe(res: Response): void {
  expect(res.status, `${res.status} ${res.text.slice(0, 200)}`).toBeLessThan(500);
  const raw = res.text ?? '';
  expect(raw).not.toMatch(/\bat .+\(.+:\d+:\d+\)|node_modules|Error: /);
  if (res.status >= 400 && raw) {
    expect(res.body.error).toEqual(expect.objectContaining({ code: expect.any(String), message: expect.any(String) }));
  }
}

const sendJson = (method: 'post' | 'patch' | 'delete', path: string, payload: unknown) =>
  agent[method](path).set('Content-Type', 'application/json').send(JSON.stringify(payload));

describe('fuzzing every route', () => {
  it.each([
    ['post', '/api/auth/register'],
    ['post', '/api/auth/login'],
    ['post', '/api/auth/password'],
    ['delete', '/api/auth/me'],
    ['post', '/api/chats'],
    ['patch', '/api/chats/:chat'],
    ['post', '/api/chats/:chat/message'],
  ] as const)('%s %s survives any JSON body', async (method, template) => {
    await fc.assert(
      fc.asyncProperty(body, async (payload) => {
        const res = await sendJson(method, template.replace(':chat', chatId), payload);
        expectSafe(res);
        // Never let the fuzzer really delete the account it runs as.
        if (template === '/api/auth/me') expect(res.status).not.toBe(204);
      }),
      { numRuns: RUNS },
    );
  });

  it.each([
    ['get', '/api/chats/:x'],
    ['get', '/api/chats/:x/stream'],
    ['post', '/api/chats/:x/stop'],
    ['post', '/api/chats/:x/regenerate'],
    ['delete', '/api/auth/sessions/:x'],
  ] as const)('%s %s survives any path parameter', async (method, template) => {
    await fc.assert(
      fc.asyncProperty(segment, async (raw) => {
        const res = await agent[method](template.replace(':x', encodeURIComponent(raw)));
        expectSafe(res);
      }),
      { numRuns: RUNS },
    );
  });

  it('GET routes survive any query string', async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(text, text, { maxKeys: 4 }), fc.constantFrom('/api/chats', '/api/models', '/api/auth/me', '/api/health'), async (query, path) => {
        const qs = new URLSearchParams(query).toString();
        expectSafe(await agent.get(`${path}?${qs}&a[b][c]=1&__proto__[x]=1`));
      }),
      { numRuns: RUNS },
    );
  });

  it('raw bodies of any content type never cause a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'binary', maxLength: 500 }),
        fc.constantFrom('application/json', 'application/json; charset=latin1', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16'),
        async (raw, type) => {
          expectSafe(await request(t.app).post('/api/auth/login').set('Content-Type', type).send(raw));
        },
      ),
      { numRuns: RUNS },
    );
  });
});
