import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { createProxyAgents } from './proxy-agents.js';
import { ResponseHeaders } from './response-headers.js';

/**
 * The `fetch` the `openai` SDK is given: plain `node:http(s)` on a keep-alive agent. The SDK reads a
 * response's `body` as an async iterable when it is one, so a stream is the socket's own
 * `IncomingMessage` (no WHATWG Request, Headers or ReadableStreams per call, which cost ~40 KB each
 * under undici's fetch). Only what the SDK uses is implemented: string URLs, string bodies, headers,
 * abort signals (until the response comes), JSON/text responses and compressed ones, and a forward
 * proxy when the environment names one (proxy-agents.ts).
 */
export type LeanFetch = (url: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** What a response that went silent for too long is destroyed with. */
class IdleTimeoutError extends Error {
  override name = 'IdleTimeoutError';
}
export const isIdleTimeout = (err: unknown): boolean => err instanceof IdleTimeoutError;

function abortError(): Error {
  const error = new Error('The operation was aborted.');
  error.name = 'AbortError';
  return error;
}

function decoded(res: IncomingMessage): Readable {
  switch (res.headers['content-encoding']) {
    case 'gzip':
    case 'x-gzip':
      return res.pipe(zlib.createGunzip());
    case 'deflate':
      return res.pipe(zlib.createInflate());
    case 'br':
      return res.pipe(zlib.createBrotliDecompress());
    default:
      return res;
  }
}

async function readText(body: Readable): Promise<string> {
  let text = '';
  body.setEncoding('utf8');
  for await (const piece of body) text += piece as string;
  return text;
}

/**
 * The response. Unlike fetch's, its body is not tied to the request's abort signal once it has come:
 * whoever reads it stops it by destroying it (completion-stream.ts does), so an open stream holds no
 * signal, nor the SDK's controller behind it.
 */
function toResponse(url: string, res: IncomingMessage): Response {
  const body = decoded(res);
  if (body !== res) {
    res.on('error', (err) => body.destroy(err));
    // A decompressor given up on (a stop, a failure) gives up the response too, and so its socket.
    body.once('close', () => res.destroy());
  }
  const status = res.statusCode ?? 0;
  const response = {
    ok: status >= 200 && status < 300,
    status,
    statusText: res.statusMessage ?? '',
    url,
    headers: new ResponseHeaders(res.headers),
    body,
    bodyUsed: false,
    text: () => readText(body),
    json: async () => JSON.parse(await readText(body)) as unknown,
  };
  // The SDK uses the fields above only; it never needs the rest of the WHATWG Response.
  return response as unknown as Response;
}

/**
 * The request's headers as a flat `[name, value, …]` list (rawHeaders' format): node:http then writes
 * them at once instead of keeping them in a map for the request's life (an open stream's, ~2 KB each).
 * Given this way, the Host header is ours to add.
 */
function headerList(target: URL, headers: RequestInit['headers'], body: string | undefined): string[] {
  const out = ['host', target.host];
  let acceptEncoding = false;
  (headers instanceof Headers ? headers : new Headers(headers)).forEach((value, name) => {
    if (name === 'host' || name === 'content-length') return;
    if (name === 'accept-encoding') acceptEncoding = true;
    out.push(name, value);
  });
  if (!acceptEncoding) out.push('accept-encoding', 'gzip, deflate, br');
  if (body) out.push('content-length', String(Buffer.byteLength(body)));
  return out;
}

/**
 * node:http keeps a request's header block (`_header`, what `headersSent` reads) for the request's life,
 * an open stream's, and builds it by concatenation: a rope of ~50 nodes over the pieces (~2 KB more than
 * the ~600 bytes of text). Converting a string to a number flattens it in place (as the `flatstr`
 * package does); its value is unchanged.
 */
function flattenHeaderBlock(req: http.ClientRequest): void {
  const block = (req as { _header?: unknown })._header;
  if (typeof block === 'string') Number(block);
}

interface Agents {
  http: http.Agent;
  https: https.Agent;
  /** The forward proxy's agent for this server, if the environment names one (see proxy-agents.ts). */
  proxy: (target: URL) => http.Agent | undefined;
  idleTimeoutMs: number;
}

interface LeanRequest {
  url: string;
  method: string;
  headers: RequestInit['headers'];
  body: string | undefined;
  signal: AbortSignal | null | undefined;
}

/** Sends one request. No closure is made here, so nothing holds the body once it is written. */
function send(agents: Agents, { url, method, headers, body, signal }: LeanRequest): Promise<Response> {
  if (signal?.aborted) return Promise.reject(abortError());
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  const proxy = agents.proxy(target);
  const list = headerList(target, headers, body);
  const req = (secure ? https : http).request(target, {
    method,
    // Through an http proxy the request line and header block are written again (http-proxy-agent), from headers it can read.
    headers: proxy && !secure ? Object.fromEntries(list.flatMap((v, i) => (i % 2 ? [] : [[v, list[i + 1]!]]))) : list,
    agent: proxy ?? (secure ? agents.https : agents.http),
  });
  req.end(body);
  flattenHeaderBlock(req);
  return responseTo(req, url, signal, agents.idleTimeoutMs);
}

function responseTo(
  req: http.ClientRequest,
  url: string,
  signal: AbortSignal | null | undefined,
  idleTimeoutMs: number,
): Promise<Response> {
  return new Promise<Response>((resolve, reject) => {
    const onAbort = () => req.destroy(abortError());
    signal?.addEventListener('abort', onAbort, { once: true });
    req.once('response', (res: IncomingMessage) => {
      signal?.removeEventListener('abort', onAbort);
      // The body's idle limit: no byte for this long and the response (its socket too) is destroyed.
      // The socket's own timer, refreshed by every read; the agent clears it when the socket is free.
      res.setTimeout(idleTimeoutMs, () => res.destroy(new IdleTimeoutError(`No data from the model server for ${idleTimeoutMs} ms.`)));
      resolve(toResponse(url, res));
    });
    req.once('error', (err) => {
      signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
  });
}

export function createLeanFetch(options: { maxSockets?: number; idleTimeoutMs: number }): LeanFetch {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? Infinity, scheduling: 'lifo' as const };
  const agents: Agents = {
    http: new http.Agent(agentOptions),
    https: new https.Agent(agentOptions),
    proxy: createProxyAgents(),
    idleTimeoutMs: options.idleTimeoutMs,
  };

  return (input, init = {}) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const body = init.body ?? undefined;
    if (body !== undefined && typeof body !== 'string') return Promise.reject(new TypeError('This transport sends string bodies only.'));
    return send(agents, { url, method: init.method ?? 'GET', headers: init.headers, body, signal: init.signal });
  };
}
