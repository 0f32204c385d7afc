import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { Response } from 'supertest';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteSpec } from '../../src/http/route.js';
import { apiRoutes } from '../../src/routes.js';
import { startFakeOpenAI, type FakeOpenAI } from '../helpers/fake-openai.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { PASSWORD, signUp } from '../helpers/users.js';

/**
 * Property-based fuzzing of every route in the API (the same list the OpenAPI document is built from),
 * run by a logged-in attacker who knows another user's ids: whatever arrives in the path, the query or
 * the body, the answer is never a 5xx, an error always has the documented shape, no stack trace leaks,
 * nothing of the other user's data appears, and the other user's data is unchanged afterwards.
 */

type Agent = ReturnType<typeof request.agent>;
let fake: FakeOpenAI;
let t: TestApp;
let attacker: Agent;
let specs: RouteSpec[];
const SECRET = `victim-secret-${randomUUID()}`;
const victim = { email: '', chatId: '', messageIds: [] as string[], sessionId: '', title: `${SECRET} title` };
let victimAgent: Agent;
let victimBefore: unknown;
const own = { chatId: '', messageId: '' };

beforeAll(async () => {
  fake = await startFakeOpenAI();
  t = await startTestApp({ fake });
  specs = apiRoutes({
    maxChars: t.config.chat.messageMaxChars,
    models: t.model.models,
    uploadMaxBytes: t.config.attachments.uploadMaxBytes,
  });

  const v = await signUp(t.app);
  victimAgent = v.agent;
  victim.email = v.email;
  victim.chatId = (await victimAgent.post('/api/chats').send({ title: victim.title, systemPrompt: `${SECRET} prompt` })).body.chat.id;
  await victimAgent
    .post(`/api/chats/${victim.chatId}/message`)
    .send({ content: `${SECRET} message` })
    .expect(201);
  await victimAgent.post(`/api/chats/${victim.chatId}/share`).expect(201);
  victimBefore = (await victimAgent.get(`/api/chats/${victim.chatId}`)).body;
  victim.messageIds = (victimBefore as { messages: { id: string }[] }).messages.map((m) => m.id);
  victim.sessionId = (await victimAgent.get('/api/auth/sessions')).body.sessions[0].id;

  ({ agent: attacker } = await signUp(t.app));
  own.chatId = (await attacker.post('/api/chats').send({})).body.chat.id;
  own.messageId = (await attacker.post(`/api/chats/${own.chatId}/message`).send({ content: 'mine' })).body.userMessage.id;
});
afterAll(async () => {
  await t?.close();
  await fake?.close();
});

const RUNS = 15;
const GENERAL_KEYS = ['content', 'title', 'email', 'password', 'clientMessageId', 'cursor', 'before', 'q', '__proto__', 'constructor', ''];

const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\ud800',
    'x\udc00y',
    '\ud83d\ude00\ud83d',
    'a@b.co',
    '00000000-0000-4000-8000-000000000000',
    "' OR 1=1 --",
    '<script>',
    '😀'.repeat(40),
    '-1',
    '1e9999',
  ),
);
/** Path segments sent as they are (not percent-encoded again): malformed or hostile encodings. */
const RAW = 'raw:';
const RAW_SEGMENTS = ['%E0%A4%A', '%ZZ', '%', '%00', '%ED%A0%80', '%C0%AF', '%FF'].map((s) => RAW + s);

/** Ids the attacker knows: its own, and the victim's (which must never open anything). */
const knownId = () => fc.constantFrom(victim.chatId, ...victim.messageIds, victim.sessionId, own.chatId, own.messageId, randomUUID());
const value = () =>
  fc.oneof(
    text,
    knownId(),
    fc.constant(PASSWORD),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.jsonValue({ maxDepth: 3 }),
  );
// Mostly known ids: the point is to try the victim's ids on every route.
const segment = () =>
  fc.oneof({ arbitrary: knownId(), weight: 6 }, text, fc.uuid(), fc.constantFrom('..', '%', '%00'), fc.constantFrom(...RAW_SEGMENTS));

function keysOf(schema: unknown): string[] {
  const shape = (schema as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape ? Object.keys(shape) : [];
}
const input = (schema: unknown) =>
  fc.oneof(fc.dictionary(fc.constantFrom(...keysOf(schema), ...GENERAL_KEYS), value(), { maxKeys: 5 }), fc.jsonValue({ maxDepth: 3 }));

/** What the victim has that the attacker never sends: if a response holds one of these, data leaked. */
const neverSent = () => [SECRET, victim.email];
/** The victim's chat and session ids may only come back when the attacker sent them (an echo of its input, now or stored earlier). */
const victimIds = () => [victim.chatId, victim.sessionId];
let everSent = '';

function expectSafe(res: Response, sent: string): void {
  expect(res.status, `${res.status} ${res.text?.slice(0, 200)}`).toBeLessThan(500);
  const raw = res.text ?? '';
  expect(raw).not.toMatch(/\bat .+\(.+:\d+:\d+\)|node_modules|Error: /);
  if (res.status >= 400 && raw && res.type === 'application/json') {
    expect(res.body.error).toEqual(expect.objectContaining({ code: expect.any(String), message: expect.any(String) }));
  }
  for (const marker of neverSent()) expect(raw, 'another user’s data in a response').not.toContain(marker);
  everSent += sent;
  for (const id of victimIds()) if (!everSent.includes(id)) expect(raw, 'another user’s id in a response').not.toContain(id);
  // Message ids are small numbers: look for them as the id of a message in the answer.
  for (const id of victim.messageIds) expect(raw, 'another user’s message in a response').not.toContain(`"id":"${id}"`);
}

/** Routes that would end the attacker's own session or account run as a fresh user each time. */
const disposable = (spec: RouteSpec) =>
  ['/api/auth/logout', '/api/auth/logout-all', '/api/auth/password'].includes(spec.path) ||
  (spec.method === 'delete' && spec.path === '/api/auth/me');

describe('fuzzing every route as a user who knows another user’s ids', () => {
  it('covers every route the API documents', () => {
    expect(specs.length).toBeGreaterThanOrEqual(37);
  });

  it('answers any path, query and body without a 5xx, a stack trace or another user’s data', async () => {
    for (const spec of specs) {
      const params = spec.path.match(/:\w+/g) ?? [];
      await fc.assert(
        fc.asyncProperty(
          fc.array(segment(), { minLength: params.length, maxLength: params.length }),
          fc.dictionary(fc.constantFrom(...keysOf(spec.input.query), 'limit', 'format', 'x'), fc.oneof(text, knownId()), { maxKeys: 3 }),
          input(spec.input.body),
          fc.boolean(),
          async (values, query, body, wantsStream) => {
            // A lone surrogate has no UTF-8 form to percent-encode: it goes as the bytes of one (invalid UTF-8).
            const encodeText = (v: string) => (v.isWellFormed() ? encodeURIComponent(v) : '%ED%A0%80');
            const encode = (v: string) => (v.startsWith(RAW) ? v.slice(RAW.length) : encodeText(v));
            const path = params.reduce((p, name, i) => p.replace(name, encode(values[i]!)), spec.path);
            const qs = new URLSearchParams(query as Record<string, string>).toString();
            const agent = disposable(spec) ? (await signUp(t.app)).agent : attacker;
            let req = agent[spec.method](`${path}?${qs}`);
            if (wantsStream) req = req.set('Accept', 'text/event-stream');
            if (spec.method !== 'get') req = req.set('Content-Type', 'application/json').send(JSON.stringify(body));
            expectSafe(await req, `${path} ${qs} ${JSON.stringify(body)}`);
          },
        ),
        { numRuns: RUNS },
      );
    }
    // The attacker changed nothing of the victim's: same chat, same messages, same session, same password.
    expect((await victimAgent.get(`/api/chats/${victim.chatId}`)).body).toEqual(victimBefore);
    expect((await victimAgent.get('/api/auth/me')).status).toBe(200);
    await request(t.app).post('/api/auth/login').send({ email: victim.email, password: PASSWORD }).expect(200);
  });

  it('raw bodies of any content type never cause a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'binary', maxLength: 500 }),
        fc.constantFrom(
          'application/json',
          'application/json; charset=latin1',
          'text/plain',
          'application/x-www-form-urlencoded',
          'application/json; charset=utf-16',
        ),
        async (raw, type) => {
          expectSafe(await request(t.app).post('/api/auth/login').set('Content-Type', type).send(raw), raw);
        },
      ),
      { numRuns: 25 },
    );
  });
});
