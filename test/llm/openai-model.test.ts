import http from 'node:http';
import type { AddressInfo } from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../helpers/fake-openai.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { signUp } from '../helpers/users.js';

let fake: FakeOpenAI;
const apps: TestApp[] = [];

beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(async () => {
  for (const app of apps) await app.close();
  await fake?.close();
});

async function appWith(env: Record<string, string | undefined>) {
  const t = await startTestApp({ env });
  apps.push(t);
  return t;
}

describe('the OpenAI-compatible model', () => {
  it('works with OPENAI_BASE_URL and no key, as local servers (Ollama, vLLM) need', async () => {
    const t = await appWith({ OPENAI_BASE_URL: fake.url, OPENAI_MODEL: 'llama3.2' });
    const { agent } = await signUp(t.app);
    const res = await agent.post('/api/chats').send({ message: 'local?' });
    expect(res.status).toBe(201);
    expect(res.body.messages[1].content).toBe('Echo: local?');
    const sent = fake.completions().at(-1)!;
    expect(sent.body.model).toBe('llama3.2');
    expect(sent.headers.authorization).not.toMatch(/sk-/);
  });

  it("sends the request's headers as any HTTP client would: Host, the key, the body's length, compression", async () => {
    const t = await appWith({ OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'key-for-the-headers-test' });
    const { agent } = await signUp(t.app);
    expect((await agent.post('/api/chats').send({ message: 'héllo' })).status).toBe(201);
    const { headers, body } = fake.completions().at(-1)!;
    expect(headers.host).toBe(new URL(fake.url).host);
    expect(headers.authorization).toBe('Bearer key-for-the-headers-test');
    expect(headers['content-type']).toBe('application/json');
    expect(Number(headers['content-length'])).toBe(Buffer.byteLength(JSON.stringify(body)));
    expect(headers['accept-encoding']).toMatch(/gzip/);
    expect(headers['user-agent']).toMatch(/OpenAI/);
  });

  it('answers 504 model_timeout when the model does not answer within OPENAI_TIMEOUT_MS', async () => {
    const t = await appWith({ OPENAI_BASE_URL: fake.url, OPENAI_TIMEOUT_MS: '1000' });
    const { agent } = await signUp(t.app);
    fake.enqueue({ kind: 'hang' });
    const res = await agent.post('/api/chats').send({ message: 'are you slow?' });
    expect(res.status).toBe(504);
    expect(res.body.error.code).toBe('model_timeout');
    expect(res.body.userMessage.content).toBe('are you slow?');
  });

  it('answers 502 model_unavailable when nothing listens at the base URL', async () => {
    const t = await appWith({ OPENAI_BASE_URL: 'http://127.0.0.1:1/v1' });
    const { agent } = await signUp(t.app);
    const res = await agent.post('/api/chats').send({ message: 'anyone?' });
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('model_unavailable');
  });
});

describe('retries (OPENAI_MAX_RETRIES)', () => {
  it('retries a failed request before any text streamed', async () => {
    const t = await appWith({ OPENAI_BASE_URL: fake.url, OPENAI_MAX_RETRIES: '1' });
    const { agent } = await signUp(t.app);
    const before = fake.completions().length;
    fake.enqueue({ kind: 'fail', status: 500 }, { kind: 'reply', content: 'second attempt' });
    const res = await agent.post('/api/chats').send({ message: 'flaky?' });
    expect(res.status).toBe(201);
    expect(res.body.messages[1].content).toBe('second attempt');
    expect(fake.completions().length).toBe(before + 2);
  });

  it('never retries once text has streamed: a broken stream keeps its partial text as an error', async () => {
    const t = await appWith({ OPENAI_BASE_URL: fake.url, OPENAI_MAX_RETRIES: '2' });
    const { agent } = await signUp(t.app);
    const before = fake.completions().length;
    fake.enqueue({ kind: 'cut', chunks: ['half ', 'an answer'] });
    const res = await agent.post('/api/chats').send({ message: 'cut me off' });
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('model_stream_interrupted');
    expect(res.body.assistantMessage).toMatchObject({ status: 'error', content: 'half an answer' });
    expect(res.body.userMessage.content).toBe('cut me off');
    expect(fake.completions().length).toBe(before + 1);
  });
});

describe('the lean transport under the SDK (src/llm/lean-fetch.ts)', () => {
  it('reads compressed answers, streamed and not, as fetch would', async () => {
    const sse = [
      `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'zip-model', choices: [{ index: 0, delta: { content: 'Zipped ' } }] })}`,
      `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'zip-model', choices: [{ index: 0, delta: { content: 'hello' } }] })}`,
      'data: [DONE]',
    ].join('\n\n');
    const server = http.createServer((req, res) => {
      const zipped = (body: string, type: string) => {
        res.writeHead(200, { 'content-type': type, 'content-encoding': 'gzip' });
        res.end(zlib.gzipSync(body + '\n\n'));
      };
      req.resume();
      if (req.url === '/v1/models')
        return zipped(JSON.stringify({ object: 'list', data: [{ id: 'zip-model', object: 'model' }] }), 'application/json');
      return zipped(sse, 'text/event-stream');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const t = await appWith({ OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1`, OPENAI_MODELS: 'auto', OPENAI_MODEL: undefined });
      expect(await t.modelStatus.refresh()).toBe('ok');
      const { agent } = await signUp(t.app);
      expect((await agent.get('/api/models')).body).toEqual({ models: [{ id: 'zip-model' }], default: 'zip-model' });
      const res = await agent.post('/api/chats').send({ message: 'zip?' });
      expect(res.status).toBe(201);
      expect(res.body.messages[1]).toMatchObject({ content: 'Zipped hello', status: 'complete' });
    } finally {
      server.close();
    }
  });
});

describe('memory held by a reply that streams', () => {
  it('lets go of the conversation once it is sent, while the reply still streams', async () => {
    const { createOpenAIModel } = await import('../../src/llm/openai-model.js');
    const model = createOpenAIModel({ baseURL: fake.url, models: ['fake-model'], timeoutMs: 10_000, maxRetries: 0, idleTimeoutMs: 30_000 });
    fake.enqueue({ kind: 'reply', content: 'one two three', chunks: ['one ', 'two ', 'three'], chunkDelayMs: 300 });
    // The conversation, referenced from here only weakly: whatever else still holds it keeps it alive.
    const sent = (() => {
      const turns = [{ role: 'user' as const, content: `a long conversation ${'x'.repeat(10_000)}` }];
      return { ref: new WeakRef(turns), chunks: model.stream({ model: 'fake-model', turns })[Symbol.asyncIterator]() };
    })();
    const first = await sent.chunks.next();
    expect(first.value).toEqual({ type: 'text', text: 'one ' });
    await new Promise((resolve) => setTimeout(resolve, 0)); // WeakRefs are kept alive until the next task
    collectGarbage();
    expect(sent.ref.deref()).toBeUndefined();
    let rest = '';
    for (let next = await sent.chunks.next(); !next.done; next = await sent.chunks.next()) {
      if (next.value.type === 'text') rest += next.value.text;
    }
    expect(rest).toBe('two three');
  });
});

function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

describe('reading the event stream (src/llm/completion-stream.ts)', () => {
  const event = (data: unknown) => `data: ${JSON.stringify(data)}`;
  const text = (content: string) => event({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content } }] });

  it('reads events however their lines and reads are cut: CRLF, CR, a line or a character split between reads', async () => {
    const t = await appWith({ OPENAI_BASE_URL: fake.url });
    const { agent } = await signUp(t.app);
    const emoji = Buffer.from(`${text(' 😀')}\n\n`);
    const cut = emoji.indexOf(Buffer.from('😀')) + 2; // inside the emoji's four bytes
    fake.enqueue({
      kind: 'raw',
      pieces: [
        ': a comment, then fields the reader ignores\r\n',
        'event: message\r\nid: 1\r\nretry: 100\r\n',
        text('Cr').slice(0, 20), // a line cut between two reads
        `${text('Cr').slice(20)}\r\n\r\n${text('LF')}\n\n`,
        'data: {"choices":[{"index":0,"delta":\r', // one event in two data lines, a CRLF cut between two reads
        '\ndata: {"content":" two lines"}}]}\n\n',
        `${text(' and CR')}\r\r`,
        emoji.subarray(0, cut),
        emoji.subarray(cut),
        `${event({ object: 'chat.completion.chunk', model: 'raw-model', choices: [], usage: { prompt_tokens: 5, completion_tokens: 3 } })}\n\n`,
        'data: [DONE]\n\n',
        `${text(' (after the end: never read)')}\n\n`,
      ],
    });
    const res = await agent.post('/api/chats').send({ message: 'cut it up' });
    expect(res.status).toBe(201);
    expect(res.body.messages[1]).toMatchObject({
      content: 'CrLF two lines and CR 😀',
      status: 'complete',
      model: 'raw-model',
      promptTokens: 5,
      completionTokens: 3,
    });
  });

  it('keeps an event the server ended on without a blank line after it', async () => {
    const t = await appWith({ OPENAI_BASE_URL: fake.url });
    const { agent } = await signUp(t.app);
    fake.enqueue({ kind: 'raw', pieces: [`${text('first, ')}\n\n`, text('last word')] });
    const res = await agent.post('/api/chats').send({ message: 'no blank line at the end' });
    expect(res.status).toBe(201);
    expect(res.body.messages[1]).toMatchObject({ content: 'first, last word', status: 'complete' });
  });

  it('ends the reply as an error, its text kept, when the server sends an error event mid-stream', async () => {
    const t = await appWith({ OPENAI_BASE_URL: fake.url, OPENAI_MAX_RETRIES: '2' });
    const { agent } = await signUp(t.app);
    const before = fake.completions().length;
    fake.enqueue({
      kind: 'raw',
      pieces: [
        `${text('partial ')}\n\n`,
        `${event({ error: { message: 'overloaded', type: 'server_error' } })}\n\n`,
        `${text('never shown')}\n\n`,
      ],
    });
    const res = await agent.post('/api/chats').send({ message: 'fail halfway' });
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('model_error');
    expect(JSON.stringify(res.body)).not.toContain('overloaded'); // upstream wording never forwarded
    expect(res.body.assistantMessage).toMatchObject({ status: 'error', content: 'partial ' });
    expect(fake.completions().length).toBe(before + 1);
  });

  it('answers model_error when the first event is not JSON', async () => {
    const t = await appWith({ OPENAI_BASE_URL: fake.url });
    const { agent } = await signUp(t.app);
    fake.enqueue({ kind: 'raw', pieces: ['data: {not json\n\n'] });
    const res = await agent.post('/api/chats').send({ message: 'garbled' });
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('model_error');
  });

  it('reads a finished stream to its end, so the connection to the model server is kept for the next call', async () => {
    const own = await startFakeOpenAI();
    try {
      const t = await appWith({ OPENAI_BASE_URL: own.url });
      const { agent } = await signUp(t.app);
      const { body } = await agent.post('/api/chats').send({}).expect(201);
      for (const message of ['one', 'two', 'three']) {
        await agent.post(`/api/chats/${body.chat.id}/message`).send({ content: message }).expect(201);
      }
      expect(own.completions()).toHaveLength(3);
      expect(await own.openConnections()).toBe(1);
    } finally {
      await own.close();
    }
  });
});
