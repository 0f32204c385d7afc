import type { Logger } from 'pino';
import type { ChatModel, ChatTurn, TokenUsage } from '../llm/chat-model.js';
import { loadTokenizer, promptTokensOf, tokensIn } from '../llm/context-window.js';
import { titleFromMessage } from './chat-title.js';
import type { ChatsRepo } from './chats.repo.js';
import type { Generation } from './generation.js';

const TITLE_PROMPT =
  'Write a short title (at most six words) for a conversation that starts with the message below. ' +
  'Answer with the title only: no quotes, no final punctuation.';
const MAX_INPUT_CHARS = 2000;

export interface TitleWriterDeps {
  chats: ChatsRepo;
  model: ChatModel;
  titleModel: string | undefined;
  /** Title calls count against the user's daily budget like replies (as the server reports, else counted). */
  charge: (userId: string, model: string, usage: TokenUsage) => Promise<void>;
  logger?: Logger;
}

/**
 * With TITLE_MODEL set, replaces a chat's immediate title (its first message) with a short one written
 * by the model, in the background. A failure here is logged and never touches the reply.
 */
export function createTitleWriter({ chats, model, titleModel, charge, logger }: TitleWriterDeps) {
  /** The call's text, charged to the user whatever its end (a call cut after some text is charged too). */
  async function ask(userId: string, turns: ChatTurn[]): Promise<string> {
    let text = '';
    let reported: TokenUsage | undefined;
    try {
      for await (const chunk of model.stream({ model: titleModel!, turns })) {
        if (chunk.type === 'text') text += chunk.text;
        else reported = chunk.usage;
      }
    } finally {
      if (reported || text) {
        await loadTokenizer();
        await charge(userId, titleModel!, reported ?? { promptTokens: promptTokensOf(turns), completionTokens: tokensIn(text) });
      }
    }
    return text;
  }

  return {
    improve(userId: string, chatId: string, autoTitle: string, firstMessage: string, generation: Generation): void {
      if (!titleModel) return;
      const turns: ChatTurn[] = [
        { role: 'system', content: TITLE_PROMPT },
        { role: 'user', content: firstMessage.slice(0, MAX_INPUT_CHARS) },
      ];
      ask(userId, turns)
        .then(async (raw) => {
          const title = titleFromMessage(raw.split('\n').find((line) => line.trim()) ?? '').replace(/^["'“]+|["'”.!?]+$/gu, '');
          if (title && (await chats.replaceTitle(chatId, autoTitle, title))) generation.announceTitle(title);
        })
        .catch((err: unknown) => logger?.warn({ err }, 'could not generate a chat title'));
    },
  };
}
