import type { Database } from '../db/database.js';
import { NotFoundError } from '../http/errors.js';
import { createChatsRepo, type Chat, type ChatSettings } from './chats.repo.js';
import { createMessagesRepo, type Message } from './messages.repo.js';
import type { Turn, TurnsService } from './turns.service.js';

export interface NewChatInput extends ChatSettings {
  message?: string;
  clientMessageId?: string;
}

export function createChatsService(db: Database, turns: TurnsService) {
  const chats = createChatsRepo(db);
  const messages = createMessagesRepo(db);

  return {
    listChats: (userId: string) => chats.listForUser(userId),

    async getChat(userId: string, chatId: string): Promise<{ chat: Chat; messages: Message[] }> {
      const chat = await turns.requireChat(userId, chatId);
      return { chat, messages: await messages.listForChat(chat.id) };
    },

    /** Without a message: the new chat. With one: the turn that sends it (the chat titled from it). */
    async createChat(userId: string, input: NewChatInput): Promise<{ chat: Chat; turn?: Turn }> {
      const { message, clientMessageId, ...settings } = input;
      if (message === undefined) return { chat: await chats.insert(userId, settings) };
      // A retry of a create-with-message that already made its chat continues in that chat.
      const existing = clientMessageId && (await messages.findChatIdByClientId(userId, clientMessageId));
      const chatId = existing || (await chats.insert(userId, settings)).id;
      const turn = await turns.send(userId, chatId, message, clientMessageId);
      return { chat: turn.chat, turn };
    },

    async updateChat(userId: string, chatId: string, changes: ChatSettings): Promise<Chat> {
      const chat = await chats.update(userId, chatId, changes);
      if (!chat) throw new NotFoundError('Chat not found.', 'chat_not_found');
      return chat;
    },

    /** The chat as it is now (its title or updatedAt may have moved during a turn). */
    currentChat: (userId: string, chatId: string) => turns.requireChat(userId, chatId),
  };
}

export type ChatsService = ReturnType<typeof createChatsService>;
