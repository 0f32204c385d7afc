import { ConflictError } from '../http/errors.js';
import type { Chat } from './chats.repo.js';
import { inProgress, type Turn } from './live-replies.js';
import type { Message, MessagesRepo } from './messages.repo.js';
import { settledReply } from './reply-source.js';

interface RepeatDeps {
  requireChat: (userId: string, chatId: string) => Promise<Chat>;
  messages: Pick<MessagesRepo, 'findByClientId' | 'findReplyTo' | 'findLast'>;
  /** Answers `userMessage` anew (its reply never came). */
  reanswer: (userId: string, chat: Chat, userMessage: Message, options: { clientMessageId: string }) => Promise<Turn>;
}

/** A repeat of a send (same clientMessageId): the first result, or an answer if it never got one. */
export function repeatOfSend({ requireChat, messages, reanswer }: RepeatDeps) {
  return async (userId: string, chatId: string, content: string, clientMessageId: string): Promise<Turn> => {
    const chat = await requireChat(userId, chatId);
    const previous = await messages.findByClientId(chatId, clientMessageId);
    if (!previous) throw inProgress(); // stored a moment ago by a send that then rolled back
    if (previous.content !== content) {
      throw new ConflictError('client_message_id_reused', 'This clientMessageId was already used for a different message.');
    }
    const reply = await messages.findReplyTo(previous.id);
    if (reply?.status === 'streaming') throw inProgress(); // being answered by another instance
    if (reply) return { chat, userMessage: previous, assistantMessageId: reply.id, source: settledReply(reply) };
    const last = await messages.findLast(chat.id);
    if (last?.id !== previous.id) {
      throw new ConflictError(
        'message_superseded',
        'This message was sent before and the conversation has moved on since; send it again as a new message.',
      );
    }
    return reanswer(userId, chat, previous, { clientMessageId });
  };
}
