import type { ChatModel, ModelChunk, ModelRequest } from './chat-model.js';

export const DEMO_MODEL = 'offline-demo';
export const DEMO_MODEL_LABEL = `demo/${DEMO_MODEL}`;
const QUOTE_LIMIT = 200;
const WORD_DELAY_MS = 15;

/**
 * A clearly labelled stand-in used in development when no model server is configured, so a newcomer
 * can try every flow (streaming and Stop included) without a key. Its replies say what it is.
 */
export function createDemoModel(): ChatModel {
  return {
    label: DEMO_MODEL_LABEL,
    defaultModel: DEMO_MODEL,
    models: [DEMO_MODEL],
    probe: async () => true, // nothing to reach: it is in the process
    async *stream({ turns }: ModelRequest): AsyncIterable<ModelChunk> {
      const reply = demoReply(turns.at(-1)?.content ?? '', turns.filter((t) => t.role === 'user').length, turns.length);
      for (const word of reply.match(/\S+\s*/gu) ?? []) {
        yield { type: 'text', text: word };
        await new Promise((resolve) => setTimeout(resolve, WORD_DELAY_MS));
      }
      yield { type: 'usage', usage: { promptTokens: 0, completionTokens: 0 }, model: DEMO_MODEL };
    },
  };
}

/** The user's words as plain inline text: on one line, Markdown's special characters escaped. */
// (Inline, after `You said: "`, only these can start Markdown: line-start ones like # or 1. cannot.)
const asPlainText = (text: string) => text.replace(/\s+/gu, ' ').replace(/[\\`*_[\]<>~]/gu, '\\$&');
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function demoReply(last: string, userTurns: number, sent: number): string {
  const chars = [...last.trim()];
  const quote = asPlainText(chars.slice(0, QUOTE_LIMIT).join('')) + (chars.length > QUOTE_LIMIT ? '…' : '');
  return [
    '**Offline demo model**: this is not a real AI reply. Set `OPENAI_API_KEY` (or `OPENAI_BASE_URL` for',
    'Ollama, vLLM, LM Studio or any OpenAI-compatible server) to talk to a real model.',
    '',
    `You said: "${quote}"`,
    `(message ${userTurns} of this chat; ${plural(sent, 'message')} would be sent to a real model)`,
  ].join('\n');
}
