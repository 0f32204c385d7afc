import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

/**
 * A real HTTP server on loopback that speaks the OpenAI chat-completions wire protocol (JSON and SSE
 * streaming), so the official SDK is exercised for real. It records every request and follows a
 * script: reply (with or without usage), fail with a status, hang, cut the connection mid-stream, stall
 * after a first chunk, or send an event stream's
 * bytes as given (to test how they are read).
 */

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: { model?: string; messages?: { role: string; content: string }[]; stream?: boolean } & Record<string, unknown>;
  /** Set when the client closed the connection before the response ended (an abort). */
  closedEarly: boolean;
  /** When the client closed it early (Date.now()). */
  closedAt?: number;
  /** When the response was fully written. */
  finishedAt?: number;
  /** How the fake answered it. */
  behaviour?: FakeBehaviour['kind'];
}

export type FakeBehaviour =
  /** `usage: false`: no usage chunk at the end, as many local servers stream. */
  | { kind: 'reply'; content: string; chunks?: string[]; chunkDelayMs?: number; delayMs?: number; usage?: false }
  | { kind: 'fail'; status: number; message?: string; code?: string; headers?: Record<string, string> }
  | { kind: 'hang' }
  | { kind: 'cut'; chunks: string[] }
  /** Headers and these chunks, then silence with the connection open, until the client closes it. */
  | { kind: 'stall'; chunks: string[] }
  /** An event stream written piece by piece as given (each its own write, 20 ms apart), then ended. */
  | { kind: 'raw'; pieces: (string | Buffer)[] };

export interface FakeOpenAI {
  /** Base URL to give the SDK, ending in /v1. */
  url: string;
  requests: RecordedRequest[];
  completions(): RecordedRequest[];
  /** Queue behaviours for the next completion requests; when the queue is empty it echoes. */
  enqueue(...behaviours: FakeBehaviour[]): void;
  /** What to do when the queue is empty (default: echo). */
  setDefault(behaviour: (req: RecordedRequest) => FakeBehaviour): void;
  /** Connections currently open to the fake server. */
  openConnections(): Promise<number>;
  /** Always answer requests for `model` this way (before the queue): for calls that race others. */
  respondTo(model: string, behaviour: (req: RecordedRequest) => FakeBehaviour): void;
  close(): Promise<void>;
}

const echo = (req: RecordedRequest): FakeBehaviour => ({
  kind: 'reply',
  content: `Echo: ${req.body.messages?.at(-1)?.content ?? ''}`,
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** With `tls` (a key and certificate in PEM), it speaks HTTPS. */
export async function startFakeOpenAI(options: { tls?: { key: string; cert: string } } = {}): Promise<FakeOpenAI> {
  const requests: RecordedRequest[] = [];
  const queue: FakeBehaviour[] = [];
  const byModel = new Map<string, (req: RecordedRequest) => FakeBehaviour>();
  let fallback: (req: RecordedRequest) => FakeBehaviour = echo;

  const handler = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const raw = await readBody(req);
    const recorded: RecordedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      body: raw ? JSON.parse(raw) : {},
      closedEarly: false,
    };
    requests.push(recorded);
    res.on('close', () => {
      if (res.writableFinished) recorded.finishedAt = Date.now();
      else {
        recorded.closedEarly = true;
        recorded.closedAt = Date.now();
      }
    });

    if (req.method === 'GET' && req.url === '/v1/models') {
      return sendJson(res, 200, { object: 'list', data: [{ id: 'fake-model', object: 'model', owned_by: 'test' }] });
    }
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      return sendJson(res, 404, { error: { message: 'not found', type: 'invalid_request_error' } });
    }
    const special = byModel.get(recorded.body.model ?? '');
    const behaviour = special ? special(recorded) : (queue.shift() ?? fallback(recorded));
    recorded.behaviour = behaviour.kind;
    await respond(behaviour, recorded, res);
  };
  const server = options.tls ? https.createServer(options.tls, handler) : http.createServer(handler);

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}/v1`,
    requests,
    completions: () => requests.filter((r) => r.path === '/v1/chat/completions'),
    enqueue: (...behaviours) => queue.push(...behaviours),
    respondTo: (model, behaviour) => void byModel.set(model, behaviour),
    setDefault: (behaviour) => void (fallback = behaviour),
    openConnections: () => new Promise((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n)))),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function respond(behaviour: FakeBehaviour, req: RecordedRequest, res: http.ServerResponse): Promise<void> {
  const model = req.body.model ?? 'unknown';
  switch (behaviour.kind) {
    case 'fail':
      return sendJson(
        res,
        behaviour.status,
        { error: { message: behaviour.message ?? `fake failure ${behaviour.status}`, type: 'server_error', code: behaviour.code ?? null } },
        behaviour.headers,
      );
    case 'hang':
      return; // never answers; the client's timeout or abort ends it
    case 'cut':
      startStream(res);
      for (const piece of behaviour.chunks) writeChunk(res, model, { content: piece });
      // Let the chunks reach the client, then drop the connection as a crashed server would.
      await sleep(100);
      res.socket?.destroy();
      return;
    case 'stall':
      startStream(res);
      writeChunk(res, model, { role: 'assistant', content: '' });
      for (const piece of behaviour.chunks) writeChunk(res, model, { content: piece });
      return; // the client's idle timeout (or a stop) closes it
    case 'raw':
      startStream(res);
      for (const piece of behaviour.pieces) {
        res.write(piece);
        await sleep(20);
      }
      res.end();
      return;
    case 'reply': {
      if (behaviour.delayMs) await sleep(behaviour.delayMs);
      const usage = { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 };
      if (!req.body.stream) {
        return sendJson(res, 200, {
          id: 'chatcmpl-fake',
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model,
          choices: [{ index: 0, message: { role: 'assistant', content: behaviour.content }, finish_reason: 'stop' }],
          usage,
        });
      }
      startStream(res);
      writeChunk(res, model, { role: 'assistant', content: '' });
      for (const piece of behaviour.chunks ?? [behaviour.content]) {
        if (res.destroyed) return;
        writeChunk(res, model, { content: piece });
        if (behaviour.chunkDelayMs) await sleep(behaviour.chunkDelayMs);
      }
      writeChunk(res, model, {}, 'stop');
      if (behaviour.usage !== false) {
        res.write(`data: ${JSON.stringify({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', model, choices: [], usage })}\n\n`);
      }
      res.end('data: [DONE]\n\n');
      return;
    }
  }
}

function startStream(res: http.ServerResponse): void {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
}

function writeChunk(res: http.ServerResponse, model: string, delta: object, finishReason: string | null = null): void {
  const chunk = {
    id: 'chatcmpl-fake',
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  };
  res.write(`data: ${JSON.stringify(chunk)}\n\n`);
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
