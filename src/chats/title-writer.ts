import type { Logger } from 'pino';
import { completeText, type ChatModel } from '../llm/chat-model.js';
import { titleFromMessage } from './chat-title.js';
import type { ChatsRepo } from './chats.repo.js';
import type { Generation } from './generation.js';

const TITLE_PROMPT =
  'Write a short title (at most six words) for a conversation that starts with the message below. ' +
  'Answer with the title only: no quotes, no final punctuation.';
const MAX_INPUT_CHARS = 2000;

/**
 * With TITLE_MODEL set, replaces a chat's immediate title (its first message) with a short one written
 * by the model, in the background. A failure here is logged and never touches the reply.
 */
export function createTitleWriter(chats: ChatsRepo, model: ChatModel, titleModel: string | undefined, logger?: Logger) {
  return {
    improve(chatId: string, autoTitle: string, firstMessage: string, generation: Generation): void {
      if (!titleModel) return;
      const turns = [
        { role: 'system' as const, content: TITLE_PROMPT },
        { role: 'user' as const, content: firstMessage.slice(0, MAX_INPUT_CHARS) },
      ];
      completeText(model, { model: titleModel, turns })
        .then(async (raw) => {
          const title = titleFromMessage(raw.split('\n').find((line) => line.trim()) ?? '').replace(/^["'“]+|["'”.!?]+$/gu, '');
          if (title && (await chats.replaceTitle(chatId, autoTitle, title))) generation.announceTitle(title);
        })
        .catch((err: unknown) => logger?.warn({ err }, 'could not generate a chat title'));
    },
  };
}
