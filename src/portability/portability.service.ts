import type { ChatsService } from '../chats/chats.service.js';
import type { ExportedChat } from '../chats/chats.service.js';
import type { RequestUser } from '../http/request-user.js';
import { chatToMarkdown } from './markdown.js';
import { EXPORT_FORMAT, EXPORT_VERSION, type ImportData } from './portability.schema.js';

/** A file to download: its name, type and contents. */
export interface Download {
  filename: string;
  /** JSON documents are sent as JSON; Markdown as text. */
  body: { json: object } | { text: string; type: string };
}

const filenameFor = (title: string | null, ext: string) =>
  `${(title ?? 'chat').replace(/[^\w -]+/g, '').trim().slice(0, 60) || 'chat'}.${ext}`;

const envelope = (chats: ExportedChat[], extra: object = {}) => ({
  format: EXPORT_FORMAT,
  version: EXPORT_VERSION,
  exportedAt: new Date().toISOString(),
  ...extra,
  chats,
});

/** Data portability: a chat as JSON or Markdown, all of a user's data as JSON, and its import. */
export function createPortabilityService(chats: ChatsService) {
  return {
    async exportChat(userId: string, chatId: string, format: 'json' | 'markdown'): Promise<Download> {
      const chat = await chats.exportChat(userId, chatId);
      const document = envelope([chat]);
      if (format === 'markdown') {
        return { filename: filenameFor(chat.title, 'md'), body: { text: chatToMarkdown(chat, document.exportedAt), type: 'text/markdown; charset=utf-8' } };
      }
      return { filename: filenameFor(chat.title, 'json'), body: { json: document } };
    },

    async exportAll(user: RequestUser): Promise<Download> {
      const all = await chats.exportAll(user.id);
      return { filename: 'gpt-backend-export.json', body: { json: envelope(all, { user: { email: user.email, createdAt: user.createdAt } }) } };
    },

    /** Adds every chat of an export as new chats, all or none. */
    async importData(userId: string, data: ImportData): Promise<{ imported: { chats: number; messages: number }; chatIds: string[] }> {
      const chatIds = await chats.importChats(userId, data.chats);
      const messages = data.chats.reduce((n, c) => n + c.messages.length, 0);
      return { imported: { chats: chatIds.length, messages }, chatIds };
    },
  };
}

export type PortabilityService = ReturnType<typeof createPortabilityService>;
