import { createHash, randomBytes } from 'node:crypto';
import type { AttachmentsService } from '../attachments/attachments.service.js';
import type { ChatsService } from '../chats/chats.service.js';
import type { Queryable } from '../db/database.js';
import { NotFoundError } from '../http/errors.js';
import { createSharesRepo, type ShareSnapshot } from './shares.repo.js';

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const ALL_MESSAGES = 1_000_000;
const notShared = (message: string) => new NotFoundError(message, 'share_not_found');

/**
 * Read-only snapshots at unguessable URLs. Sharing copies the chat as it is now (later messages are not
 * shared); the token is stored only as a hash, and a shared chat needs no login and opens nothing else.
 */
export function createSharingService(db: Queryable, chats: ChatsService, attachments: Pick<AttachmentsService, 'readShared'>) {
  const shares = createSharesRepo(db);
  const find = async (token: string) => {
    const found = await shares.find(hashToken(token));
    if (!found) throw notShared('This shared chat does not exist or is no longer shared.');
    return found;
  };
  return {
    async share(userId: string, chatId: string): Promise<{ token: string; url: string; sharedAt: string }> {
      const { chat, messages } = await chats.getChat(userId, chatId, ALL_MESSAGES);
      const token = randomBytes(24).toString('base64url');
      const snapshot: ShareSnapshot = {
        title: chat.title,
        messages: messages
          .filter((m) => m.content && m.status !== 'streaming')
          .map(({ role, content, createdAt, attachments: files }) => ({ role, content, createdAt, attachments: files })),
      };
      const sharedAt = await shares.put(chat.id, hashToken(token), snapshot);
      return { token, url: `/api/shared/${token}`, sharedAt: sharedAt.toISOString() };
    },

    async unshare(userId: string, chatId: string): Promise<void> {
      const chat = await chats.currentChat(userId, chatId);
      if (!(await shares.remove(chat.id))) throw notShared('This chat is not shared.');
    },

    async read(token: string): Promise<ShareSnapshot & { sharedAt: string }> {
      const { snapshot, sharedAt } = await find(token);
      const messages = snapshot.messages.map((m) => ({ ...m, attachments: m.attachments ?? [] }));
      return { ...snapshot, messages, sharedAt };
    },

    /** A file of a shared chat, under its token: only one its snapshot lists (and still stored). */
    async attachment(token: string, id: string) {
      const { snapshot } = await find(token);
      return attachments.readShared(
        snapshot.messages.flatMap((m) => (m.attachments ?? []).map((a) => a.id)),
        id,
      );
    },
  };
}

export type SharingService = ReturnType<typeof createSharingService>;
