import type { Queryable } from '../db/database.js';
import { AppError, NotFoundError } from '../http/errors.js';
import { MESSAGE_COLUMNS, toMessage, type Feedback, type Message, type MessageRow } from './messages.repo.js';

/** 👍 / 👎 on a reply of the user's own chat (another user's chat or message: 404, as everywhere). */
export function createFeedbackService(db: Queryable) {
  return {
    async set(userId: string, chatId: string, messageId: string, feedback: Feedback | null): Promise<Message> {
      const { rows } = await db.query<MessageRow>(
        `UPDATE messages SET feedback_rating = $4, feedback_comment = $5
         WHERE id = $3 AND chat_id = $2 AND role = 'assistant' AND EXISTS (SELECT 1 FROM chats c WHERE c.id = $2 AND c.user_id = $1)
         RETURNING ${MESSAGE_COLUMNS}`,
        [userId, chatId, messageId, feedback?.rating ?? null, feedback?.comment ?? null],
      );
      if (rows[0]) return toMessage(rows[0]);
      const { rows: found } = await db.query<{ role: string }>(
        'SELECT m.role FROM messages m JOIN chats c ON c.id = m.chat_id WHERE m.id = $3 AND m.chat_id = $2 AND c.user_id = $1',
        [userId, chatId, messageId],
      );
      if (found[0]) throw new AppError(400, 'not_an_assistant_message', 'Only replies take feedback.');
      throw new NotFoundError('Message not found.', 'message_not_found');
    },
  };
}

export type FeedbackService = ReturnType<typeof createFeedbackService>;
