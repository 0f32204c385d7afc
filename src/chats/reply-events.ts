import type { AppError } from '../http/errors.js';
import type { TokenUsage } from '../llm/chat-model.js';
import type { Message } from './messages.repo.js';

/** What a client following a reply is told, in order: deltas (and maybe a title), then done or error. */
export type GenerationEvent =
  | { type: 'delta'; content: string; offset: number }
  | { type: 'title'; title: string }
  /** assistantMessage is null when the reply is not kept: it failed before its first word, or its chat was deleted. */
  | { type: 'done'; assistantMessage: Message | null; usage: TokenUsage | null }
  | { type: 'error'; error: AppError; assistantMessage: Message | null };

export interface GenerationOutcome {
  assistantMessage: Message | null;
  usage: TokenUsage | null;
  error?: AppError;
}
