import type { ChatModel, ChatTurn, ModelReply } from './chat-model.js';

export const DEMO_MODEL_LABEL = 'demo/offline-demo';
const QUOTE_LIMIT = 200;

/**
 * A clearly labelled stand-in used in development when no model server is configured, so a newcomer
 * can try every flow without a key. Its replies say what it is; it never pretends to be an AI.
 */
export function createDemoModel(): ChatModel {
  return {
    label: DEMO_MODEL_LABEL,
    async complete(turns: readonly ChatTurn[]): Promise<ModelReply> {
      const last = turns.at(-1)?.content ?? '';
      const quote = [...last.trim()].slice(0, QUOTE_LIMIT).join('');
      const userTurns = turns.filter((t) => t.role === 'user').length;
      const content = [
        '**Offline demo model**: this is not a real AI reply. Set `OPENAI_API_KEY` (or `OPENAI_BASE_URL` for',
        'Ollama, vLLM, LM Studio or any OpenAI-compatible server) to talk to a real model.',
        '',
        `You said: "${quote}${[...last.trim()].length > QUOTE_LIMIT ? '…' : ''}"`,
        `(message ${userTurns} of this chat; ${turns.length} messages would be sent to a real model)`,
      ].join('\n');
      return { content, model: 'offline-demo' };
    },
  };
}
