import OpenAI from 'openai';
import type { Logger } from 'pino';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { AppError } from '../http/errors.js';
import { CompletionStream } from './completion-stream.js';
import type { ChatModel, ChatTurn, ModelChunk, ModelRequest } from './chat-model.js';
import { createLeanFetch, isIdleTimeout } from './lean-fetch.js';
import { modelTimeout, streamInterrupted, toUpstreamError } from './model-errors.js';

export interface OpenAIModelOptions {
  apiKey?: string;
  baseURL?: string;
  models: readonly string[];
  /** The allow-list is the server's own (OPENAI_MODELS=auto). */
  discover?: boolean;
  /** The server's first model is the default (no OPENAI_MODEL). */
  defaultFromServer?: boolean;
  timeoutMs: number;
  maxRetries: number;
  /** A stream whose server sends nothing for this long is ended (model_timeout). */
  idleTimeoutMs: number;
}

const OPENAI_API = 'https://api.openai.com/v1';

/** A turn on the wire: text, or (with images) a text part and one `image_url` part per image. */
function toMessage(turn: ChatTurn): ChatCompletionMessageParam {
  if (turn.role === 'user' && turn.images?.length) {
    return {
      role: 'user',
      content: [{ type: 'text', text: turn.content }, ...turn.images.map((url) => ({ type: 'image_url' as const, image_url: { url } }))],
    };
  }
  return { role: turn.role, content: turn.content };
}
const PROBE_TIMEOUT_MS = 3000;

/** The base URL as log lines show it: no user, password, query or fragment (any of which may hold a key). */
function serverForLogs(baseURL: string): string {
  try {
    const url = new URL(baseURL);
    return `${url.protocol}//${url.host}${url.pathname}`.replace(/\/+$/, '');
  } catch {
    return '(an invalid URL)';
  }
}

export function createOpenAIModel(options: OpenAIModelOptions, logger?: Logger): ChatModel {
  const client = new OpenAI({
    // Local servers (Ollama, vLLM, LM Studio) need no key, but the SDK insists on one: any string does.
    apiKey: options.apiKey ?? 'no-key-needed',
    baseURL: options.baseURL ?? OPENAI_API,
    timeout: options.timeoutMs,
    // The SDK retries only failed requests, i.e. before any text streamed; a broken stream is never retried.
    maxRetries: options.maxRetries,
    // A lean transport (see lean-fetch.ts): a few KB per open stream instead of undici fetch's ~40.
    fetch: createLeanFetch({ idleTimeoutMs: options.idleTimeoutMs }),
  });
  const provider = options.baseURL ? 'openai-compatible' : 'openai';
  // One array, changed in place when discovery answers: the request schemas hold this very list.
  const models: string[] = [...options.models];
  let defaultChosen = false;

  return {
    get label() {
      return `${provider}/${models[0]}`;
    },
    get defaultModel() {
      return models[0]!;
    },
    server: serverForLogs(options.baseURL ?? OPENAI_API),
    models,
    async probe() {
      let listed: string[];
      try {
        listed = [];
        for await (const m of client.models.list({ timeout: PROBE_TIMEOUT_MS, maxRetries: 0 })) listed.push(m.id);
      } catch {
        return false;
      }
      if (listed.length === 0) return true;
      // The server's first model is the default when nothing named one (chosen once, then kept).
      let chosen = models[0]!;
      if (options.defaultFromServer && !defaultChosen) {
        chosen = listed[0]!;
        defaultChosen = true;
      }
      const rest = options.discover ? listed : models;
      models.splice(0, models.length, chosen, ...rest.filter((m) => m !== chosen));
      return true;
    },
    stream({ model, turns }: ModelRequest): AsyncIterable<ModelChunk> {
      // Sent now, from a plain function, so what follows holds a plain promise of the response and not
      // the turns (nor the SDK's APIPromise, which keeps the request's options): the conversation stays
      // in memory until it is on the wire, not for as long as the reply streams. The SDK sends, retries
      // and types the errors; the stream itself is read by completion-stream.ts.
      const controller = new AbortController(); // stops the call until its response comes (see CompletionStream)
      const response = client.chat.completions
        .create(
          { model, messages: turns.map(toMessage), stream: true, stream_options: { include_usage: true } },
          { signal: controller.signal },
        )
        .asResponse();
      return new CompletionStream(response, controller, (err, streaming) => failure(err, streaming, model));
    },
  };

  /** What a failed call is thrown as. */
  function failure(err: unknown, streaming: boolean, model: string): AppError {
    const upstream = isIdleTimeout(err)
      ? modelTimeout()
      : streaming && !(err instanceof OpenAI.APIError)
        ? streamInterrupted()
        : toUpstreamError(err, model);
    if (upstream.code === 'model_auth_failed') {
      logger?.error('The model server refused our credentials: check OPENAI_API_KEY (and OPENAI_BASE_URL).');
    }
    logger?.warn({ code: upstream.code, cause: err instanceof Error ? err.message : String(err) }, 'model call failed');
    return upstream;
  }
}
