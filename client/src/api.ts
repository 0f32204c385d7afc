/** The API client: JSON calls and Server-Sent Event streams, same origin, cookies included. */

export interface User {
  id: string;
  email: string;
  createdAt: string;
}

export interface Chat {
  id: string;
  title: string | null;
  model: string | null;
  pinned: boolean;
  archived: boolean;
  updatedAt: string;
}

export interface Message {
  id: string;
  chatId: string;
  role: 'user' | 'assistant';
  content: string;
  status: 'streaming' | 'complete' | 'stopped' | 'error';
  model: string | null;
  createdAt: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown[],
  ) {
    super(message);
  }
}

const OFFLINE = () => new ApiError(0, 'offline', 'The server cannot be reached.');

async function failure(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => null)) as { error?: { code: string; message: string; details?: unknown[] } } | null;
  return new ApiError(res.status, body?.error?.code ?? 'http_error', body?.error?.message ?? res.statusText, body?.error?.details);
}

export async function api<T>(path: string, options: { method?: string; body?: unknown } = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: options.method ?? 'GET',
      credentials: 'same-origin',
      headers: options.body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch {
    throw OFFLINE();
  }
  if (!res.ok) throw await failure(res);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

export interface StreamHandlers {
  onStart(data: { userMessage: Message; assistantMessageId: string; chat: Chat }): void;
  onDelta(text: string): void;
  onTitle(title: string): void;
  onDone(data: { assistantMessage: Message | null }): void;
  onError(error: ApiError, assistantMessage: Message | null): void;
}

/** POSTs and reads the reply as it is written (the API's `Accept: text/event-stream` mode). */
export async function stream(path: string, body: unknown, handlers: StreamHandlers): Promise<void> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
      body: JSON.stringify(body ?? {}),
    });
  } catch {
    throw OFFLINE();
  }
  if (!res.ok || !res.body) throw await failure(res);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true as const }));
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      dispatch(buffer.slice(0, end), handlers);
      buffer = buffer.slice(end + 2);
    }
  }
}

function dispatch(block: string, h: StreamHandlers): void {
  let event = 'message';
  let data = '';
  for (const line of block.split('\n')) {
    if (line.startsWith('event: ')) event = line.slice(7);
    else if (line.startsWith('data: ')) data += line.slice(6);
  }
  if (!data) return; // heartbeat comment
  const payload = JSON.parse(data);
  if (event === 'start') h.onStart(payload);
  else if (event === 'delta') h.onDelta(payload.content);
  else if (event === 'title') h.onTitle(payload.title);
  else if (event === 'done') h.onDone(payload);
  else if (event === 'error') h.onError(new ApiError(502, payload.error.code, payload.error.message), payload.assistantMessage);
}
