import type { Database } from '../db/database.js';
import type { AttachmentsService } from '../attachments/attachments.service.js';
import type { Limits } from '../limits/limits.js';
import { loadTokenizer } from '../llm/context-window.js';
import { AppError, NotFoundError } from '../http/errors.js';
import { createBranchesRepo } from './branches.repo.js';
import { encodeCursor } from './chat-cursor.js';
import { createArchiveRepo, type ExportedChat } from './archive.repo.js';
import { createChatsRepo, type Chat, type ChatCursor, type ChatSettings } from './chats.repo.js';
import { inProgress } from './live-replies.js';
import { createMessagesRepo, type Message } from './messages.repo.js';
import type { Turn, TurnsService } from './turns.service.js';

export type { ExportedChat } from './archive.repo.js';

export interface NewChatInput extends ChatSettings {
  message?: string;
  clientMessageId?: string;
  attachments?: readonly string[];
}

const bytesOf = (texts: readonly (string | null)[]) => texts.reduce((n, text) => n + (text ? Buffer.byteLength(text) : 0), 0);
const noRoom = (cap: number) => {
  const message = `This would store more than your ${cap / 1024 / 1024} MB of messages; delete some chats first.`;
  return new AppError(413, 'storage_quota_exceeded', message);
};

/** The user's chats: listing, reading, settings, deletion, whole-chat export and import. Turns run the model. */
export function createChatsService(
  db: Database,
  turns: TurnsService,
  limits: Pick<Limits, 'chatCreated' | 'storageCapBytes'>,
  attachments: Pick<AttachmentsService, 'upload' | 'link' | 'copyFiles'>,
) {
  const chats = createChatsRepo(db);
  const messages = createMessagesRepo(db);
  const archive = createArchiveRepo(db);
  const branches = createBranchesRepo(db);

  /** 413 when `bytes` more of text would pass the user's cap on the text they keep (USER_MESSAGES_MB). */
  async function assertRoom(userId: string, bytes: number): Promise<void> {
    const cap = limits.storageCapBytes();
    if (cap > 0 && (await archive.storedBytes(userId)) + bytes > cap) throw noRoom(cap);
  }

  /** The chat with its newest page of messages (of its active path). */
  const getChat = (userId: string, chatId: string, limit: number): Promise<{ chat: Chat; messages: Message[]; hasMore: boolean }> =>
    turns.open(userId, chatId, async () => {
      const chat = await turns.requireChat(userId, chatId);
      const { newestClientMessageId, ...page } = await messages.listPage(chat.id, { limit });
      return { opened: { chat, ...page }, newestClientMessageId };
    });

  return {
    async listChats(
      userId: string,
      query: { limit: number; cursor?: ChatCursor; archived: boolean },
    ): Promise<{ chats: Chat[]; nextCursor: string | null }> {
      void loadTokenizer(); // the user is about to chat: load it now rather than at their first send
      const page = await chats.listPage(userId, { archived: query.archived, limit: query.limit + 1, after: query.cursor });
      const hasMore = page.length > query.limit;
      const list = page.slice(0, query.limit);
      return { chats: list, nextCursor: hasMore ? encodeCursor(list.at(-1)!) : null };
    },

    getChat,

    /** Switches the active path to run through `messageId` (409 while a reply is written); the chat as opened. */
    async switchBranch(userId: string, chatId: string, messageId: string, limit: number) {
      await turns.switchBranch(userId, chatId, messageId);
      return getChat(userId, chatId, limit);
    },

    /**
     * A new chat holding a copy of the path from the first message down to `messageId` (files shared, not
     * copied), with the same title, system prompt and model; the original is untouched.
     */
    async fork(userId: string, chatId: string, messageId: string): Promise<{ chat: Chat; messages: Message[] }> {
      const source = await turns.requireChat(userId, chatId);
      const path = await branches.pathTo(source.id, messageId);
      if (path.length === 0) throw new NotFoundError('Message not found.', 'message_not_found');
      if (path.at(-1)!.status === 'streaming') throw inProgress();
      const { title, systemPrompt, model } = source;
      // A copy of its text: counted like an import's, so forks cannot grow what a user keeps past the cap.
      await assertRoom(userId, bytesOf([title, systemPrompt, ...path.map((m) => m.content)]));
      await limits.chatCreated(userId);
      const chat = await db.withTransaction(async (tx) => {
        const forked = await chats.insert(userId, { title, systemPrompt, model }, tx);
        const ids = await branches.copyPath(forked.id, path, tx);
        const withFiles = path.flatMap((m, i) => (m.attachments.length > 0 ? [[m.id, ids[i]!] as const] : []));
        await attachments.copyFiles(withFiles, tx);
        return forked;
      });
      return { chat: await turns.requireChat(userId, chat.id), messages: await messages.listForChat(chat.id) };
    },

    /** Older messages of a long chat, a page at a time. */
    async listMessages(userId: string, chatId: string, page: { limit: number; beforeId?: string }) {
      const chat = await turns.requireChat(userId, chatId);
      const { messages: older, hasMore } = await messages.listPage(chat.id, page);
      return { messages: older, hasMore };
    },

    async deleteChat(userId: string, chatId: string): Promise<void> {
      const chat = await turns.requireChat(userId, chatId);
      await turns.abandon(chat.id);
      await chats.delete(userId, chat.id);
    },

    /** Without a message: the new chat. With one: the turn that sends it (the chat titled from it). */
    async createChat(userId: string, input: NewChatInput): Promise<{ chat: Chat; turn?: Turn }> {
      const { message, clientMessageId, attachments, ...chosen } = input;
      const settings = { ...chosen, model: await turns.models.choose(userId, chosen.model, true) };
      if (message === undefined) {
        await limits.chatCreated(userId);
        const chat = await chats.insert(userId, settings);
        turns.learn(userId, chat);
        return { chat };
      }
      const admission = await turns.admit(userId); // before the chat exists: a refused send leaves no empty chat behind
      let existing: string | false | undefined;
      let chatId: string;
      try {
        // A retry of a create-with-message that already made its chat continues in that chat.
        existing = clientMessageId && (await messages.findChatIdByClientId(userId, clientMessageId));
        if (existing) chatId = existing;
        else {
          await limits.chatCreated(userId);
          const chat = await chats.insert(userId, settings);
          turns.learn(userId, chat);
          chatId = chat.id;
        }
      } catch (err) {
        admission.hold?.settle(); // no send: its hold on the budget goes
        throw err;
      }
      try {
        const turn = await turns.send(userId, chatId, message, clientMessageId, { admission, attachments });
        return { chat: turn.chat, turn };
      } catch (err) {
        // Refused before anything was stored (a file that is not the user's, an image for a model that
        // cannot see…): no empty chat is left behind.
        if (!existing) {
          turns.forget(chatId);
          await chats.deleteIfEmpty(userId, chatId);
        }
        throw err;
      }
    },

    async updateChat(userId: string, chatId: string, changes: ChatSettings): Promise<Chat> {
      if ('model' in changes) changes = { ...changes, model: await turns.models.choose(userId, changes.model, false) };
      const chat = await chats.update(userId, chatId, changes);
      if (!chat) throw new NotFoundError('Chat not found.', 'chat_not_found');
      turns.forget(chat.id);
      return chat;
    },

    /** The chat as it is now (its title or updatedAt may have moved during a turn). */
    currentChat: (userId: string, chatId: string) => turns.requireChat(userId, chatId),
    assertRoom,

    async exportChat(userId: string, chatId: string): Promise<ExportedChat> {
      const [chat] = await archive.exportChats(userId, chatId);
      if (!chat) throw new NotFoundError('Chat not found.', 'chat_not_found');
      return chat;
    },

    exportAll: (userId: string): Promise<ExportedChat[]> => archive.exportChats(userId),

    /**
     * Adds exported chats as new ones (new ids, timestamps kept), all or none. Files come back from their
     * bytes (`data`), checked as uploads are (type, size, storage); without bytes they cannot.
     */
    importChats(userId: string, imported: readonly ExportedChat[]): Promise<{ chatIds: string[]; attachments: number }> {
      return db.withTransaction(async (tx) => {
        const chatIds: string[] = [];
        let restored = 0;
        for (const chat of imported) {
          const { chatId, messageIds } = await archive.importChat(userId, chat, tx);
          chatIds.push(chatId);
          for (const [i, message] of chat.messages.entries()) {
            const files = message.attachments.filter((a) => a.data !== undefined);
            if (files.length === 0) continue;
            const metas = [];
            for (const file of files)
              metas.push(await attachments.upload(userId, { bytes: Buffer.from(file.data!, 'base64'), name: file.name }, tx));
            const ids = metas.map((a) => a.id);
            await attachments.link(ids, messageIds[i]!, tx);
            await archive.setAttachments(messageIds[i]!, metas, tx);
            restored += metas.length;
          }
        }
        return { chatIds, attachments: restored };
      });
    },
  };
}

export type ChatsService = ReturnType<typeof createChatsService>;
