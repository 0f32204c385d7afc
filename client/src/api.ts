/** The API client: JSON calls and Server-Sent Event streams, same origin, cookies included. */

export interface User {
  id: string;
  email: string;
  createdAt: string;
  role: 'user' | 'admin';
  status: 'active' | 'pending' | 'disabled';
  /** From GET /api/auth/me: whether the account has a password (one made by single sign-on may not). */
  hasPassword?: boolean;
  sso?: { name: string } | null;
}

/** REGISTRATION on the server: who may sign up (GET /api/auth/providers). */
export type Registration = 'open' | 'approval' | 'invite' | 'closed';

/** How one may sign in here (GET /api/auth/providers). */
export interface Providers {
  registration: Registration;
  password: boolean;
  oidc: { name: string; loginUrl: string } | null;
  passwordReset: boolean;
}

/** Fired when the API answers 401 to a logged-in page: the session ended (logged out elsewhere, disabled). */
export const SESSION_ENDED = 'gpt-backend:session-ended';

export interface Chat {
  id: string;
  title: string | null;
  /** null: the server's default (SYSTEM_PROMPT, if any). */
  systemPrompt: string | null;
  model: string | null;
  pinned: boolean;
  archived: boolean;
  updatedAt: string;
}

/** A file sent with a message (uploaded first with POST /api/uploads). */
export interface Attachment {
  id: string;
  name: string;
  mimeType: string;
  size: number;
  kind: 'image' | 'document';
}

export interface Message {
  id: string;
  chatId: string;
  role: 'user' | 'assistant';
  content: string;
  status: 'streaming' | 'complete' | 'stopped' | 'error';
  model: string | null;
  createdAt: string;
  attachments: Attachment[];
  /** The message this one answers or follows (null: a first message). */
  parentId: string | null;
  /** The versions at this point (same parent), oldest first, this one included. */
  siblingIds: string[];
  /** A reply's 👍 / 👎 (null: none). */
  feedback: { rating: 'up' | 'down'; comment: string | null } | null;
  /** Why a reply ended in `error` (an error code), null otherwise. */
  errorCode: string | null;
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
  const error = new ApiError(res.status, body?.error?.code ?? 'http_error', body?.error?.message ?? res.statusText, body?.error?.details);
  if (error.code === 'unauthenticated') window.dispatchEvent(new Event(SESSION_ENDED));
  return error;
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

/** Uploads one file (multipart/form-data, the part `file`); the server types it by its bytes. */
export async function uploadFile(file: File): Promise<Attachment> {
  const form = new FormData();
  form.append('file', file, file.name);
  let res: Response;
  try {
    res = await fetch('/api/uploads', { method: 'POST', credentials: 'same-origin', body: form });
  } catch {
    throw OFFLINE();
  }
  if (!res.ok) throw await failure(res);
  return ((await res.json()) as { attachment: Attachment }).attachment;
}

/** Where a file of a message is read: the owner's route, or a share's. */
export const attachmentUrl = (id: string, shareToken?: string) =>
  shareToken ? `/api/shared/${shareToken}/attachments/${id}` : `/api/attachments/${id}`;

export interface StreamHandlers {
  onStart(data: { userMessage: Message; assistantMessageId: string; chat: Chat }): void;
  onDelta(text: string): void;
  onTitle(title: string): void;
  onDone(data: { assistantMessage: Message | null }): void;
  onError(error: ApiError, assistantMessage: Message | null): void;
}

export interface StreamOptions {
  method?: 'GET' | 'POST' | 'PATCH';
  body?: unknown;
  /** Resume after this event (`<assistantMessageId>:<offset>`): only the text after it is sent. */
  lastEventId?: string;
  signal?: AbortSignal;
  /** Told each event's id, to resume from after a dropped connection. */
  onEventId?: (id: string) => void;
}

/**
 * Sends a turn (POST/PATCH) or re-attaches to one (GET .../stream) and reads the reply as it is written
 * (the API's `Accept: text/event-stream` mode). Resolves `finished` after `done` or `error`, `dropped`
 * when the connection ended before (resume with the last event id), `none` when nothing is generating.
 */
export async function stream(path: string, options: StreamOptions, handlers: StreamHandlers): Promise<'finished' | 'dropped' | 'none'> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: options.method ?? 'POST',
      credentials: 'same-origin',
      signal: options.signal,
      headers: {
        Accept: 'text/event-stream',
        ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...(options.lastEventId ? { 'Last-Event-ID': options.lastEventId } : {}),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch (err) {
    if (options.signal?.aborted) return 'dropped';
    throw err instanceof Error && err.name === 'AbortError' ? err : OFFLINE();
  }
  if (res.status === 204) return 'none';
  if (!res.ok || !res.body) throw await failure(res);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true as const }));
    if (done) return 'dropped';
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      if (dispatch(buffer.slice(0, end), handlers, options.onEventId)) return 'finished';
      buffer = buffer.slice(end + 2);
    }
  }
}

/** Handles one event; true when it ended the reply. */
function dispatch(block: string, h: StreamHandlers, onEventId?: (id: string) => void): boolean {
  let event = 'message';
  let data = '';
  let id: string | undefined;
  for (const line of block.split('\n')) {
    if (line.startsWith('event: ')) event = line.slice(7);
    else if (line.startsWith('data: ')) data += line.slice(6);
    else if (line.startsWith('id: ')) id = line.slice(4);
  }
  if (!data) return false; // heartbeat comment
  const payload = JSON.parse(data);
  if (id) onEventId?.(id);
  if (event === 'start') h.onStart(payload);
  else if (event === 'delta') h.onDelta(payload.content);
  else if (event === 'title') h.onTitle(payload.title);
  else if (event === 'done') h.onDone(payload);
  else if (event === 'error') h.onError(new ApiError(502, payload.error.code, payload.error.message), payload.assistantMessage);
  return event === 'done' || event === 'error';
}
