import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

/** Serves an app on an ephemeral loopback port, for clients that need a real streaming connection. */
export async function listen(app: Express): Promise<{ url: string; close(): Promise<void>; dropConnections(): void }> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    /** Cuts every open connection, as a network failure would (the server keeps listening). */
    dropConnections: () => server.closeAllConnections(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface SseEvent {
  id?: string;
  event: string;
  // Test payloads are asserted field by field.
  data: any;
  at: number;
}

export interface SseClient {
  status: number;
  headers: Headers;
  events: SseEvent[];
  comments: number;
  /** Resolves with the first event (from the start) matching, waiting for it if needed. */
  waitFor(predicate: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  /** Drops the connection, as a closed tab would. */
  abort(): void;
  text(): string;
}

/** A real streaming request; parses `id:`, `event:`, `data:` and comment lines as they arrive. */
export async function openSse(
  url: string,
  init: { method?: string; cookie: string; body?: unknown; lastEventId?: string },
): Promise<SseClient> {
  const controller = new AbortController();
  const res = await fetch(url, {
    method: init.method ?? 'POST',
    headers: {
      Accept: 'text/event-stream',
      Cookie: init.cookie,
      ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...(init.lastEventId ? { 'Last-Event-ID': init.lastEventId } : {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: controller.signal,
  });
  const client: SseClient = {
    status: res.status,
    headers: res.headers,
    events: [],
    comments: 0,
    ended: Promise.resolve(),
    abort: () => controller.abort(),
    text: () =>
      client.events
        .filter((e) => e.event === 'delta')
        .map((e) => e.data.content)
        .join(''),
    async waitFor(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = client.events.find(predicate);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no matching event; got ${client.events.map((e) => e.event).join(',')}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
  };
  client.ended = (async () => {
    if (!res.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          parseBlock(buffer.slice(0, end), client);
          buffer = buffer.slice(end + 2);
        }
      }
    } catch {
      // aborted by the test
    }
  })();
  return client;
}

function parseBlock(block: string, client: SseClient): void {
  const event: Partial<SseEvent> = { event: 'message' };
  let data = '';
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) client.comments++;
    else if (line.startsWith('id: ')) event.id = line.slice(4);
    else if (line.startsWith('event: ')) event.event = line.slice(7);
    else if (line.startsWith('data: ')) data += line.slice(6);
  }
  if (data) client.events.push({ ...(event as SseEvent), data: JSON.parse(data), at: Date.now() });
}
