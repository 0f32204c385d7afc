import type { ChatsService } from '../chats/chats.service.js';
import type { ExportedChat } from '../chats/chats.service.js';
import type { AttachmentsService } from '../attachments/attachments.service.js';
import type { RequestUser } from '../http/request-user.js';
import type { Limits } from '../limits/limits.js';
import { chatToMarkdown } from './markdown.js';
import { EXPORT_FORMAT, EXPORT_VERSION, type ImportData } from './portability.schema.js';

/** A file to download: its name, type and contents. */
export interface Download {
  filename: string;
  /** JSON documents are sent as JSON; Markdown as text. */
  body: { json: object } | { text: string; type: string };
}

const filenameFor = (title: string | null, ext: string) =>
  `${
    (title ?? 'chat')
      .replace(/[^\w -]+/g, '')
      .trim()
      .slice(0, 60) || 'chat'
  }.${ext}`;

const envelope = (chats: ExportedChat[], extra: object = {}) => ({
  format: EXPORT_FORMAT,
  version: EXPORT_VERSION,
  exportedAt: new Date().toISOString(),
  ...extra,
  chats,
});

const bytesOf = (text: string | null) => (text ? Buffer.byteLength(text, 'utf8') : 0);
/** Every byte of text an import stores: titles, system prompts, messages and file names. */
const textBytes = (data: ImportData) =>
  data.chats.reduce(
    (n, c) =>
      n +
      bytesOf(c.title) +
      bytesOf(c.systemPrompt) +
      c.messages.reduce((m, x) => m + bytesOf(x.content) + x.attachments.reduce((a, f) => a + bytesOf(f.name), 0), 0),
    0,
  );

/** Data portability: a chat as JSON or Markdown, all of a user's data as JSON, and its import. */
export function createPortabilityService(
  chats: ChatsService,
  limits: Pick<Limits, 'beforeImport' | 'storageCapBytes'>,
  models: readonly string[],
  attachments: Pick<AttachmentsService, 'bytesOf'>,
) {
  // A model this server does not offer is not kept: the chat uses the default, a message names none.
  const known = (model: string | null) => (model !== null && models.includes(model) ? model : null);

  /** Adds each attachment's bytes (base64) to exported chats. */
  async function withFiles(userId: string, exported: ExportedChat[]): Promise<ExportedChat[]> {
    const ids = exported.flatMap((c) => c.messages.flatMap((m) => m.attachments.map((a) => a.id)));
    if (ids.length === 0) return exported;
    const bytes = await attachments.bytesOf(userId, ids);
    return exported.map((chat) => ({
      ...chat,
      messages: chat.messages.map((m) => ({
        ...m,
        attachments: m.attachments.map((a) => ({ ...a, ...(bytes.has(a.id) ? { data: bytes.get(a.id)!.toString('base64') } : {}) })),
      })),
    }));
  }

  return {
    async exportChat(userId: string, chatId: string, format: 'json' | 'markdown', files = false): Promise<Download> {
      const exported = await chats.exportChat(userId, chatId);
      const chat = files && format === 'json' ? (await withFiles(userId, [exported]))[0]! : exported;
      const document = envelope([chat]);
      if (format === 'markdown') {
        return {
          filename: filenameFor(chat.title, 'md'),
          body: { text: chatToMarkdown(chat, document.exportedAt), type: 'text/markdown; charset=utf-8' },
        };
      }
      return { filename: filenameFor(chat.title, 'json'), body: { json: document } };
    },

    async exportAll(user: RequestUser, files = false): Promise<Download> {
      const exported = await chats.exportAll(user.id);
      const all = files ? await withFiles(user.id, exported) : exported;
      return {
        filename: 'gpt-backend-export.json',
        body: { json: envelope(all, { user: { email: user.email, createdAt: user.createdAt } }) },
      };
    },

    /** Adds every chat of an export as new chats, all or none. */
    async importData(
      userId: string,
      data: ImportData,
    ): Promise<{ imported: { chats: number; messages: number; attachments: number }; chatIds: string[] }> {
      const bytes = textBytes(data);
      await limits.beforeImport(userId, bytes, data.chats.length);
      await chats.assertRoom(userId, bytes);
      const cleaned = data.chats.map((chat) => ({
        ...chat,
        model: known(chat.model),
        // An imported file gets a new id (the export's is only a label).
        messages: chat.messages.map((m) => ({ ...m, model: known(m.model), attachments: m.attachments.map((a) => ({ ...a, id: '' })) })),
      }));
      const { chatIds, attachments: files } = await chats.importChats(userId, cleaned);
      const messages = data.chats.reduce((n, c) => n + c.messages.length, 0);
      return { imported: { chats: chatIds.length, messages, attachments: files }, chatIds };
    },
  };
}

export type PortabilityService = ReturnType<typeof createPortabilityService>;
