import type { ChatTurn, TokenUsage } from '../llm/chat-model.js';
import { promptTokensOf, tokensIn } from '../llm/context-window.js';

/** Failures where the server refused the call before reading its prompt (an error status, or no answer at all). */
const REFUSED = new Set([
  'model_rate_limited',
  'model_auth_failed',
  'model_unavailable',
  'model_not_found',
  'model_rejected_request',
  'context_too_long',
]);

/**
 * What a model call costs. The server's own count when it reports one (in the stream's last chunk);
 * otherwise counted here with the tokenizer: the prompt as sent and the text as received. Many local
 * servers never report usage, and a stopped, cut or silent stream never gets to its last chunk.
 */
export class ReplyMeter {
  /** The prompt's tokens, counted when it was sent; undefined while no call was made. */
  promptTokens?: number;
  private reported: TokenUsage | null = null;

  /** The prompt was sent: answers its tokens. */
  sent(turns: readonly ChatTurn[]): number {
    this.promptTokens = promptTokensOf(turns);
    return this.promptTokens;
  }

  report(usage: TokenUsage): void {
    this.reported = usage;
  }

  /** The call's usage, or null when it costs nothing (never made, or refused by the server before it read it). */
  usage(text: string, errorCode?: string): TokenUsage | null {
    if (this.reported) return this.reported;
    if (this.promptTokens === undefined || (!text && errorCode !== undefined && REFUSED.has(errorCode))) return null;
    return { promptTokens: this.promptTokens, completionTokens: text ? tokensIn(text) : 0 };
  }
}
