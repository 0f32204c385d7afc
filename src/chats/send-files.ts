import type { AttachmentsService } from '../attachments/attachments.service.js';
import type { Queryable } from '../db/database.js';
import { AppError } from '../http/errors.js';
import type { TurnAttachment } from '../llm/chat-model.js';
import type { Chat, ChatsRepo } from './chats.repo.js';

/**
 * The files of a send: claimed (the user's, unsent) and locked in its transaction, images only for a
 * chat whose model sees them (400 model_cannot_see_images, before anything is stored), then linked.
 */
export function sendFiles(
  attachments: Pick<AttachmentsService, 'claim' | 'link' | 'seesImages'>,
  chats: Pick<ChatsRepo, 'findForUser'>,
  modelFor: (chat: Chat) => string,
) {
  return {
    async claim(userId: string, chatId: string, ids: readonly string[], tx: Queryable): Promise<TurnAttachment[]> {
      const claimed = await attachments.claim(userId, ids, tx);
      const chat = claimed.some((a) => a.kind === 'image') ? await chats.findForUser(userId, chatId, tx) : undefined;
      if (chat && !attachments.seesImages(modelFor(chat))) {
        throw new AppError(400, 'model_cannot_see_images', "This chat's model cannot see images: pick a model that can, or attach text.");
      }
      return claimed;
    },
    link: (ids: readonly string[], messageId: string, tx: Queryable): Promise<void> => attachments.link(ids, messageId, tx),
  };
}
