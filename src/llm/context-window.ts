import type { ChatConfig } from '../config.js';
import type { ChatTurn } from './chat-model.js';
import { contextTooLong } from './model-errors.js';

// Context windows of well-known models, by name prefix (longest prefix wins); anything else uses
// DEFAULT_CONTEXT_TOKENS unless MODEL_CONTEXT_TOKENS names it.
const KNOWN_WINDOWS: [prefix: string, tokens: number][] = [
  ['gpt-4o', 128_000],
  ['gpt-4.1', 128_000],
  ['gpt-4-turbo', 128_000],
  ['gpt-5', 128_000],
  ['o1', 128_000],
  ['o3', 128_000],
  ['o4', 128_000],
  ['gpt-4', 8192],
  ['gpt-3.5-turbo', 16_385],
];

// Chat formats spend a few tokens per message on roles and separators.
const TOKENS_PER_MESSAGE = 4;

type ContextConfig = ChatConfig['context'];

// The tokenizer's tables take ~70 MB of memory: loaded when a user is about to chat, not at start, so an
// idle server (or one only serving the web client and logins) stays small.
let countTokens: ((text: string) => number) | undefined;
let loading: Promise<void> | undefined;

/** Loads the tokenizer once; resolves at once when it is loaded. fitToContext needs it. */
export function loadTokenizer(): Promise<void> {
  loading ??= import('gpt-tokenizer').then((tokenizer) => {
    countTokens = tokenizer.countTokens;
  });
  return loading;
}

export const tokenizerLoaded = (): boolean => countTokens !== undefined;

/**
 * Texts are counted in pieces of this many characters: the tokenizer's time grows with the square of a
 * run without a break (32,000 of one letter: 0.7 s of the event loop; 200,000: half a minute), a
 * piece's stays small (200,000 in pieces: ~20 ms). Each cut may add a token: +0.2 % on ordinary text.
 */
const PIECE_CHARS = 2000;

function countInPieces(count: (text: string) => number, text: string): number {
  let tokens = 0;
  for (let start = 0; start < text.length;) {
    let end = Math.min(start + PIECE_CHARS, text.length);
    if (end < text.length && /[\uD800-\uDBFF]/.test(text[end - 1]!)) end++; // never between a surrogate pair
    tokens += count(text.slice(start, end));
    start = end;
  }
  return tokens;
}

export function contextWindowOf(model: string, config: ContextConfig): number {
  const configured = config.perModel[model];
  if (configured !== undefined) return configured;
  const known = KNOWN_WINDOWS.filter(([prefix]) => model.startsWith(prefix)).sort((a, b) => b[0].length - a[0].length)[0];
  return known?.[1] ?? config.defaultTokens;
}

/**
 * Token counts of recent message texts: a chat's history is counted again at every send, but each
 * message's text only once. Bounded by the characters it holds (least recently used evicted first).
 */
class TokenCountCache {
  private readonly counts = new Map<string, number>();
  private chars = 0;

  constructor(private readonly maxChars: number) {}

  count(text: string): number {
    const known = this.counts.get(text);
    if (known !== undefined) {
      this.counts.delete(text); // re-insert: most recently used last
      this.counts.set(text, known);
      return known;
    }
    if (!countTokens) throw new Error('fitToContext before loadTokenizer()');
    const tokens = countInPieces(countTokens, text);
    if (text.length > this.maxChars / 10) return tokens; // a huge text would evict everything else
    this.counts.set(text, tokens);
    this.chars += text.length;
    for (const [oldest] of this.counts) {
      if (this.chars <= this.maxChars) break;
      this.counts.delete(oldest);
      this.chars -= oldest.length;
    }
    return tokens;
  }
}

const tokenCounts = new TokenCountCache(20_000_000);
// What an image costs a vision model, about (OpenAI: 85 + 170 per 512 px tile; ~1,100 at 2048 px).
const TOKENS_PER_IMAGE = 1100;
const cost = (turn: ChatTurn) => tokenCounts.count(turn.content) + (turn.images?.length ?? 0) * TOKENS_PER_IMAGE + TOKENS_PER_MESSAGE;

/** The tokens of a prompt as the budget counts them: its texts, its images and each message's framing (loadTokenizer() first). */
export const promptTokensOf = (turns: readonly ChatTurn[]): number => turns.reduce((n, turn) => n + cost(turn), 0);

/** The tokens of a text (loadTokenizer() first). */
export const tokensIn = (text: string): number => tokenCounts.count(text);

/**
 * The turns to send: the system prompt (always), then the newest messages that fit the model's window
 * minus the room reserved for the reply. Older messages are dropped, so a long chat never fails; only a
 * newest message that cannot fit even alone is refused with 400 context_too_long.
 */
export function fitToContext(
  systemPrompt: string | undefined,
  history: readonly ChatTurn[],
  model: string,
  config: ContextConfig,
): ChatTurn[] {
  const system: ChatTurn[] = systemPrompt ? [{ role: 'system', content: systemPrompt }] : [];
  let budget = contextWindowOf(model, config) - config.replyReserveTokens - system.reduce((n, t) => n + cost(t), 0);
  const kept: ChatTurn[] = [];
  for (let i = history.length - 1; i >= 0; i--) {
    const turn = history[i]!;
    budget -= cost(turn);
    if (budget < 0) break;
    kept.push(turn);
  }
  if (kept.length === 0 && history.length > 0) throw contextTooLong();
  // A reply with nothing before it confuses models; start the window on a user turn when possible.
  while (kept.length > 1 && kept.at(-1)!.role === 'assistant') kept.pop();
  return [...system, ...kept.reverse()];
}
