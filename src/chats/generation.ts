import type { Logger } from 'pino';
import { isDatabaseOutage } from '../db/outage.js';
import { AppError, databaseUnavailable } from '../http/errors.js';
import type { ChatModel, ChatTurn, ModelChunk, TokenUsage } from '../llm/chat-model.js';
import type { EarlyCall } from '../llm/early-call.js';
import type { ModelCallReport } from '../observability/metrics.js';
import type { BudgetHold } from '../usage/usage.service.js';
import { emptyReply, toUpstreamError } from '../llm/model-errors.js';
import type { ProgressSaver } from './progress-saver.js';
import type { RepliesRepo } from './replies.repo.js';
import type { GenerationEvent, GenerationOutcome } from './reply-events.js';
import { storeReplyEnding } from './reply-ending.js';
import { ReplyMeter } from './reply-meter.js';
import { ReplyText } from './reply-text.js';

type Listener = (event: GenerationEvent) => void;
async function* noChunks(): AsyncIterator<ModelChunk> {}

export interface GenerationInput {
  assistantMessageId: string;
  /** Who pays for the call. */
  userId: string;
  model: string;
  /** Builds the turns to send; may throw (e.g. context_too_long), which ends the generation as an error. */
  buildTurns: () => Promise<ChatTurn[]>;
  /** Told how the model call went (metrics, and whether the model server answers). */
  report?: (report: ModelCallReport) => void;
  /** The call already sent for these very turns (see early-start.ts): used instead of a new one. */
  early?: EarlyCall;
  /** The send's share of the daily budget: sized to the prompt once built, released when the reply ends. */
  hold?: Pick<BudgetHold, 'id' | 'resize'>;
}

/**
 * One assistant reply being generated. It is owned by the server, not by a request: it runs to the end
 * whoever listens, saves its text as it grows, and any number of clients may subscribe (and re-subscribe
 * from an offset) while it runs.
 */
export class Generation {
  private readonly reply = new ReplyText();
  private readonly meter = new ReplyMeter();
  private answeredBy: string;
  private stopped = false;
  private readonly startedAt = performance.now();
  private firstTextAt?: number;
  /** The model's chunks, once the call is made (ending them stops it). */
  private iterator?: AsyncIterator<ModelChunk>;
  /** How the call starts; taken (and let go) once it has, since it holds the whole conversation. */
  private start?: Pick<GenerationInput, 'buildTurns' | 'early'>;
  private readonly listeners = new Set<Listener>();
  private lastEvent?: Extract<GenerationEvent, { type: 'done' | 'error' }>;
  readonly finished: Promise<GenerationOutcome>;
  private readonly input: Omit<GenerationInput, 'buildTurns' | 'early'>;

  constructor(
    { buildTurns, early, ...input }: GenerationInput,
    private readonly model: ChatModel,
    private readonly replies: RepliesRepo,
    private readonly saver: ProgressSaver,
    private readonly logger?: Logger,
  ) {
    this.input = input;
    this.start = { buildTurns, early };
    this.answeredBy = input.model;
    this.finished = this.run();
  }

  /** The model's chunks: the early call's, or a call made now. */
  private async call(): Promise<AsyncIterator<ModelChunk>> {
    const { buildTurns, early } = this.start!;
    this.start = undefined;
    const turns = early?.turns ?? (await buildTurns());
    if (!early && this.stopped) return noChunks();
    this.input.hold?.resize(this.meter.sent(turns));
    return (early?.chunks ?? this.model.stream({ model: this.input.model, turns }))[Symbol.asyncIterator]();
  }

  /**
   * Delivers at once the text after `fromOffset` (what this client missed), then every later event.
   * Synchronous, so nothing can slip between the catch-up and the live events.
   */
  subscribe(listener: Listener, fromOffset = 0): () => void {
    if (fromOffset < this.text.length) listener({ type: 'delta', content: this.text.slice(fromOffset), offset: this.text.length });
    if (this.lastEvent) {
      listener(this.lastEvent);
      return () => undefined;
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Ends the upstream call at once; what was generated is kept with status "stopped". */
  stop(): void {
    this.stopped = true;
    void this.iterator?.return?.();
  }

  announceTitle(title: string): void {
    if (!this.lastEvent) this.emit({ type: 'title', title });
  }

  private emit(event: GenerationEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private get text(): string {
    return this.reply.value;
  }

  private append(piece: string): void {
    const text = this.reply.append(piece);
    if (!text) return;
    this.firstTextAt ??= performance.now();
    this.emit({ type: 'delta', content: text, offset: this.text.length });
  }

  /** A malformed upstream may end on half a pair: keep it rather than lose a character. */
  private releaseHeldSurrogate(): void {
    const held = this.reply.release();
    if (held) this.emit({ type: 'delta', content: held, offset: this.text.length });
  }

  private async run(): Promise<GenerationOutcome> {
    const saving = this.saver.track({
      id: this.input.assistantMessageId,
      text: () => this.text,
      onStopRequested: () => this.stopped || this.stop(),
    });
    let error: AppError | undefined;
    try {
      const iterator = await this.call();
      this.iterator = iterator;
      if (this.stopped) await iterator.return?.(); // stopped while the call was being made
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        const chunk = next.value;
        if (chunk.type === 'text') this.append(chunk.text);
        else {
          this.meter.report(chunk.usage);
          if (chunk.model) this.answeredBy = chunk.model;
        }
      }
      if (!this.stopped && !this.text) error = emptyReply();
    } catch (err) {
      error = err instanceof AppError ? err : isDatabaseOutage(err) ? databaseUnavailable() : toUpstreamError(err, this.input.model);
    } finally {
      this.releaseHeldSurrogate();
      await saving.done();
    }
    return this.settle(error);
  }

  private reportCall(outcome: ModelCallReport['outcome'], usage: TokenUsage | null, error: AppError | undefined): void {
    const report: ModelCallReport = {
      model: this.answeredBy,
      outcome,
      durationMs: Math.round(performance.now() - this.startedAt),
      firstTokenMs: this.firstTextAt === undefined ? undefined : Math.round(this.firstTextAt - this.startedAt),
      usage,
      errorCode: error?.code,
    };
    this.input.report?.(report);
    this.logger?.info({ ...report, modelServer: error && this.model.server, messageId: this.input.assistantMessageId }, 'model call');
  }

  /** Writes how the generation ended (see reply-ending.ts) and tells the listeners. */
  private async settle(error: AppError | undefined): Promise<GenerationOutcome> {
    const status = error ? ('error' as const) : this.stopped ? ('stopped' as const) : ('complete' as const);
    const usage = this.meter.usage(this.text, error?.code);
    const ending = { content: this.text, status, model: this.answeredBy, usage: usage ?? undefined, errorCode: error?.code };
    // Every call that ran is charged, whatever becomes of its row (a failure before any text leaves no row).
    const charge = { userId: this.input.userId, model: this.answeredBy, usage, holdId: this.input.hold?.id };
    const stored = await storeReplyEnding(this.replies, this.input.assistantMessageId, ending, charge, this.logger);
    const assistantMessage = stored.assistantMessage;
    error ??= stored.error;
    this.lastEvent = error ? { type: 'error', error, assistantMessage } : { type: 'done', assistantMessage, usage };
    this.emit(this.lastEvent);
    this.listeners.clear();
    this.reportCall(status, usage, error);
    return { assistantMessage, usage, error };
  }
}
