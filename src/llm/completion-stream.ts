import OpenAI from 'openai';
import type { Readable } from 'node:stream';
import { storableText, type ModelChunk } from './chat-model.js';
import { SseReader } from './sse-reader.js';

/** What this app reads of a `chat.completion.chunk` event (or of an error event sent mid-stream). */
interface CompletionEvent {
  choices?: { delta?: { content?: string | null } | null }[] | null;
  usage?: { prompt_tokens: number; completion_tokens: number } | null;
  model?: string;
  error?: unknown;
}

/** The response as the SDK hands it over (`asResponse()`): lean-fetch.ts makes its body a `Readable`. */
export interface RawResponse {
  body: unknown;
  headers: Headers;
}

interface Waiter {
  resolve(result: IteratorResult<ModelChunk>): void;
  reject(err: unknown): void;
}

const DONE: IteratorResult<ModelChunk> = { done: true, value: undefined };

/**
 * A streamed chat completion, read straight from the response's socket: Server-Sent Events parsed as
 * they arrive, one `ModelChunk` per text piece (and one for usage). The SDK still sends the request,
 * retries it and turns a failed status into its typed errors; this replaces only its stream reader, a
 * chain of four async generators, two decoders and a buffer copied at every chunk, held for as long as
 * the reply streams. Here an open stream holds this object, its three listeners and, while the
 * consumer waits, one promise. The socket is read only when the consumer asks for the next chunk (so a
 * slow consumer leaves the rest in the socket), and text is parsed once.
 * `[DONE]` ends the stream; an event carrying `error` fails it with the SDK's `APIError` (the events
 * themselves are read by sse-reader.ts).
 */
export class CompletionStream extends SseReader implements AsyncIterableIterator<ModelChunk> {
  private body: Readable | undefined;
  private headers: Headers | undefined;
  private readonly queue: ModelChunk[] = [];
  /** Nothing more for the consumer: ended, failed or closed. */
  private finished = false;
  /** After `[DONE]`: the response's end is read and thrown away. */
  private draining = false;
  private failure: Error | undefined;
  private waiter: Waiter | undefined;
  /** Any event was read: a failure from now on is a broken stream, not a failed request. */
  private streaming = false;

  constructor(
    response: Promise<RawResponse>,
    /**
     * Aborts the request until its response comes; let go of then, with the SDK's own controller that
     * it links to it (a stop then closes the socket): an open stream holds no `AbortController`.
     */
    private controller: AbortController | undefined,
    /** Turns a failure into what the consumer is thrown. */
    private readonly translate: (err: unknown, streaming: boolean) => Error,
  ) {
    super();
    response.then(
      (res) => this.attach(res),
      (err: unknown) => this.fail(err),
    );
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<ModelChunk>> {
    const chunk = this.queue.shift();
    if (chunk) return Promise.resolve({ done: false, value: chunk });
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.finished) return Promise.resolve(DONE);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.pump();
    });
  }

  /** The consumer stopped early: the rest of the response is not wanted. */
  return(): Promise<IteratorResult<ModelChunk>> {
    this.close();
    return Promise.resolve(DONE);
  }

  private attach(res: RawResponse): void {
    const body = res.body as Readable;
    this.body = body;
    this.controller = undefined;
    this.headers = res.headers;
    body.setEncoding('utf8'); // a character cut between two reads is decoded whole
    body.on('readable', this.pump);
    body.on('end', this.onEnd);
    body.on('error', this.onError);
    if (this.finished)
      body.destroy(); // stopped before the response came
    else this.pump();
  }

  /** Reads and parses while someone waits and nothing is queued; after `[DONE]`, reads to the end. */
  private readonly pump = (): void => {
    while (this.body) {
      if (!this.draining && (!this.waiter || this.queue.length || this.finished)) break;
      const text = this.body.read() as string | null;
      if (text === null) break; // 'readable' or 'end' comes next
      if (!this.draining) this.parse(text);
    }
    this.deliver();
  };

  private readonly onEnd = (): void => {
    if (this.finished) return;
    this.parseEnd(); // an event not followed by a blank line is still the server's last word
    this.finished = true;
    this.deliver();
  };

  private readonly onError = (err: Error): void => this.fail(err);

  private deliver(): void {
    const waiter = this.waiter;
    if (!waiter) return;
    const chunk = this.queue.shift();
    if (chunk) waiter.resolve({ done: false, value: chunk });
    else if (this.failure !== undefined) waiter.reject(this.failure);
    else if (this.finished) waiter.resolve(DONE);
    else return;
    this.waiter = undefined;
  }

  private fail(err: unknown): void {
    if (this.finished) return;
    this.failure = this.translate(err, this.streaming);
    this.close();
  }

  /** Ends the stream here: the rest of the response is not read (a failure, or the consumer stopped). */
  private close(): void {
    this.draining = false;
    if (!this.finished) {
      this.finished = true;
      if (!this.body) this.controller?.abort();
      else if (!this.body.readableEnded) this.body.destroy();
    }
    this.deliver();
  }

  protected wantsMore(): boolean {
    return !this.finished;
  }

  protected onData(data: string): void {
    if (data.startsWith('[DONE]')) {
      // The reply is whole. The rest of the response (its end) is still read, so the connection is
      // kept alive for the next call instead of being closed.
      this.finished = true;
      this.draining = true;
      return;
    }
    let event: CompletionEvent;
    try {
      event = JSON.parse(data) as CompletionEvent;
    } catch (err) {
      return this.fail(err);
    }
    this.streaming = true;
    if (event?.error) {
      return this.fail(new OpenAI.APIError(undefined, event.error as Record<string, unknown>, undefined, this.headers!));
    }
    const text = event?.choices?.[0]?.delta?.content;
    if (text) this.queue.push({ type: 'text', text: storableText(text) });
    const usage = event?.usage;
    if (usage) {
      this.queue.push({
        type: 'usage',
        model: event.model ? storableText(event.model) : undefined,
        usage: { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens },
      });
    }
  }
}
