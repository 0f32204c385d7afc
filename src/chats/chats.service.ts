import type { Database } from '../db/database.js';
import { ConflictError, NotFoundError, UpstreamError } from '../http/errors.js';
import type { ChatModel } from '../llm/chat-model.js';
import { toUpstreamError } from '../llm/model-errors.js';
import { titleFromMessage } from './chat-title.js';
import { createChatsRepo, type Chat } from './chats.repo.js';
import { InFlightReplies } from './in-flight.js';
import { createMessagesRepo, type Message } from './messages.repo.js';

export interface SendResult {
  userMessage: Message;
  assistantMessage: Message;
}

export interface NewChatInput {
  title?: string;
  message?: string;
  clientMessageId?: string;
}

export function createChatsService(db: Database, model: ChatModel) {
  const chats = createChatsRepo(db);
  const messages = createMessagesRepo(db);
  const inFlight = new InFlightReplies<SendResult>();

  async function requireChat(userId: string, chatId: string): Promise<Chat> {
    const chat = await chats.findForUser(userId, chatId);
    if (!chat) throw new NotFoundError('Chat not found.', 'chat_not_found');
    return chat;
  }

  /** Stores the user message (titling an untitled chat with it) in one transaction. */
  async function storeUserMessage(chatId: string, content: string, clientMessageId?: string) {
    return db.withTransaction(async (tx) => {
      const stored = await messages.insertUserMessage(chatId, content, clientMessageId ?? null, tx);
      if (stored) await chats.setTitleIfMissing(chatId, titleFromMessage(content), tx);
      return stored;
    });
  }

  /** Sends the conversation up to and including `userMessage` to the model and stores the reply. */
  async function answer(chatId: string, userMessage: Message): Promise<SendResult> {
    const history = await messages.listForChat(chatId);
    if (history.at(-1)?.id !== userMessage.id) {
      throw new ConflictError(
        'message_superseded',
        'This message was sent before and the conversation has moved on since; send it again as a new message.',
      );
    }
    let reply;
    try {
      reply = await model.complete(history.map(({ role, content }) => ({ role, content })));
    } catch (err) {
      // The user's message stays stored; hand it back so the client can show it and offer a retry.
      throw toUpstreamError(err, model.label).withExtra({ userMessage });
    }
    const assistantMessage = await messages.insertReply(chatId, userMessage.id, reply);
    return { userMessage, assistantMessage };
  }

  /**
   * The idempotent send. With a clientMessageId seen before in this chat: a stored reply is returned
   * as it is; a message whose reply never came (the model failed) is answered now, without storing
   * the message twice.
   */
  async function send(chatId: string, content: string, clientMessageId?: string): Promise<SendResult> {
    const previous = clientMessageId && (await messages.findByClientId(chatId, clientMessageId));
    if (previous) {
      if (previous.content !== content) {
        throw new ConflictError('client_message_id_reused', 'This clientMessageId was already used for a different message.');
      }
      const reply = await messages.findReplyTo(previous.id);
      return reply ? { userMessage: previous, assistantMessage: reply } : answer(chatId, previous);
    }
    const userMessage = await storeUserMessage(chatId, content, clientMessageId);
    // Lost a race with another instance storing the same clientMessageId: that one is answering it.
    if (!userMessage) throw new ConflictError('generation_in_progress', 'This message is already being answered.');
    return answer(chatId, userMessage);
  }

  return {
    listChats: (userId: string) => chats.listForUser(userId),

    async getChat(userId: string, chatId: string): Promise<{ chat: Chat; messages: Message[] }> {
      const chat = await requireChat(userId, chatId);
      return { chat, messages: await messages.listForChat(chat.id) };
    },

    async sendMessage(userId: string, chatId: string, content: string, clientMessageId?: string): Promise<SendResult> {
      await requireChat(userId, chatId);
      return inFlight.run(chatId, clientMessageId, () => send(chatId, content, clientMessageId));
    },

    async createChat(userId: string, input: NewChatInput): Promise<{ chat: Chat; messages?: Message[] }> {
      const { message, clientMessageId } = input;
      if (message === undefined) return { chat: await chats.insert(userId, input.title ?? null) };

      // A retry of a create-with-message that already made its chat answers from that chat.
      const existingChatId = clientMessageId && (await messages.findChatIdByClientId(userId, clientMessageId));
      const chatId = existingChatId || (await chats.insert(userId, input.title ?? titleFromMessage(message))).id;
      try {
        const result = await inFlight.run(chatId, clientMessageId, () => send(chatId, message, clientMessageId));
        return { chat: await requireChat(userId, chatId), messages: [result.userMessage, result.assistantMessage] };
      } catch (err) {
        // The client must learn the new chat's id even when the model failed, or it could not retry.
        if (!(err instanceof UpstreamError)) throw err;
        throw err.withExtra({ chat: await chats.findForUser(userId, chatId) });
      }
    },
  };
}

export type ChatsService = ReturnType<typeof createChatsService>;
