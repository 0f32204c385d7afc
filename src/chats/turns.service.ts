import type { Logger } from 'pino';
import type { ChatConfig } from '../config.js';
import type { Database } from '../db/database.js';
import { AppError, ConflictError, NotFoundError } from '../http/errors.js';
import type { ChatModel, ChatTurn } from '../llm/chat-model.js';
import { fitToContext } from '../llm/context-window.js';
import type { Limits } from '../limits/limits.js';
import type { Metrics } from '../observability/metrics.js';
import { createChatsRepo, type Chat } from './chats.repo.js';
import { Generation } from './generation.js';
import { createMessagesRepo, type Message } from './messages.repo.js';
import { createRepliesRepo } from './replies.repo.js';
import { remoteReply, settledReply, waitUntilEnded } from './reply-source.js';
import { createRunningTurns, inProgress, type LocalTurn, type Turn } from './running-turns.js';
import { storeTurnAndLaunch } from './send-turn.js';
import { createTitleWriter } from './title-writer.js';

export type { Turn } from './running-turns.js';

export interface TurnsServiceDeps {
  db: Database;
  model: ChatModel;
  config: ChatConfig;
  /** The per-minute rate and the daily budget, checked before anything that calls the model. */
  limits: Pick<Limits, 'beforeSend'>;
  logger?: Logger;
  metrics?: Pick<Metrics, 'modelCall'>;
}

const STOP_WAIT_MS = 5000;

/** Sending, regenerating, editing, stopping and following replies: everything that runs the model for a chat. */
export function createTurnsService({ db, model, config, limits, logger, metrics }: TurnsServiceDeps) {
  const chats = createChatsRepo(db);
  const messages = createMessagesRepo(db);
  const replies = createRepliesRepo(db);
  const running = createRunningTurns();
  const titles = createTitleWriter(chats, model, config.titleModel, logger);

  async function requireChat(userId: string, chatId: string): Promise<Chat> {
    const chat = await chats.findForUser(userId, chatId);
    if (!chat) throw new NotFoundError('Chat not found.', 'chat_not_found');
    return chat;
  }

  // A chat may name a model that was later removed from OPENAI_MODELS: fall back to the default.
  const modelFor = (chat: Chat) => (chat.model && model.models.includes(chat.model) ? chat.model : model.defaultModel);

  /** The conversation up to (not including) `placeholder`, for answers that did not read it already. */
  async function readHistory(chatId: string, placeholder: Message): Promise<ChatTurn[]> {
    const history = (await messages.listForChat(chatId)).filter((m) => m.id !== placeholder.id && m.content);
    return history.map(({ role, content }) => ({ role, content }));
  }

  /** Starts generating into `placeholder` (already stored, status streaming). */
  function launch(
    userId: string,
    chat: Chat,
    userMessage: Message,
    placeholder: Message,
    options: { clientMessageId?: string; history?: ChatTurn[] } = {},
  ): LocalTurn {
    const buildTurns = async () => {
      const turns = options.history ?? (await readHistory(chat.id, placeholder));
      return fitToContext(chat.systemPrompt ?? config.systemPrompt, turns, modelFor(chat), config.context);
    };
    const input = { assistantMessageId: placeholder.id, model: modelFor(chat), report: metrics?.modelCall, buildTurns };
    const generation = new Generation(input, model, replies, logger);
    const turn = { chat, userMessage, assistantMessageId: placeholder.id, generation, source: generation };
    running.track({ turn, userId, clientMessageId: options.clientMessageId });
    return turn;
  }

  /** Answers a stored user message that has no reply (after a failure, or to regenerate). */
  async function answer(userId: string, chat: Chat, userMessage: Message, clientMessageId?: string): Promise<Turn> {
    if (running.has(chat.id)) throw inProgress();
    const placeholder = await db.withTransaction(async (tx) => {
      await messages.deleteAfter(chat.id, userMessage.id, tx);
      return replies.insertStreamingReply(chat.id, userMessage.id, modelFor(chat), tx);
    });
    if (!placeholder) throw inProgress();
    return launch(userId, chat, userMessage, placeholder, { clientMessageId });
  }

  /** A repeat of a send (same clientMessageId): the first result, or an answer if it never got one. */
  async function repeat(userId: string, chatId: string, content: string, clientMessageId: string): Promise<Turn> {
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
    return answer(userId, chat, previous, clientMessageId);
  }

  /** Stores a new user message and its streaming reply in one statement, and starts the reply. */
  const sendStored = storeTurnAndLaunch({
    db,
    model,
    running,
    repeat,
    launch(userId, stored, content, autoTitle, clientMessageId) {
      const { chat, userMessage, placeholder, history, titled } = stored;
      const turn = launch(userId, chat, userMessage, placeholder, { clientMessageId, history: [...history, { role: 'user', content }] });
      if (titled) titles.improve(chat.id, autoTitle, content, turn.generation);
      return turn;
    },
  });

  return {
    requireChat,

    /** Checks the user may call the model now (rate and daily budget): 429 otherwise. */
    admit: (userId: string): Promise<void> => limits.beforeSend(userId),

    /** Sends a message; `admitted` when the caller already checked the limits for it. */
    async send(userId: string, chatId: string, content: string, clientMessageId?: string, options: { admitted?: boolean } = {}): Promise<Turn> {
      if (!options.admitted) await limits.beforeSend(userId);
      return sendStored(userId, chatId, content, clientMessageId);
    },

    async regenerate(userId: string, chatId: string): Promise<Turn> {
      await limits.beforeSend(userId);
      const chat = await requireChat(userId, chatId);
      if (running.has(chatId)) throw inProgress();
      const userMessage = await messages.findLastUserMessage(chatId);
      if (!userMessage) throw new ConflictError('nothing_to_regenerate', 'This chat has no message to answer yet.');
      return answer(userId, chat, userMessage);
    },

    /** Edit and branch: replaces a user message's text, drops what came after it and answers it anew. */
    async edit(userId: string, chatId: string, messageId: string, content: string): Promise<Turn> {
      await limits.beforeSend(userId);
      const chat = await requireChat(userId, chatId);
      if (running.has(chatId)) throw inProgress();
      const target = await messages.findById(messageId);
      if (!target || target.chatId !== chatId) throw new NotFoundError('Message not found.', 'message_not_found');
      if (target.role !== 'user') throw new AppError(400, 'not_a_user_message', 'Only your own messages can be edited.');
      const placeholder = await db.withTransaction(async (tx) => {
        await messages.updateContent(messageId, content, tx);
        await messages.deleteAfter(chatId, messageId, tx);
        return replies.insertStreamingReply(chatId, messageId, modelFor(chat), tx);
      });
      if (!placeholder) throw inProgress();
      return launch(userId, chat, { ...target, content }, placeholder);
    },

    /** Before a chat is deleted: ends its generation, here or (through the database) elsewhere. */
    async abandon(chatId: string): Promise<void> {
      const local = running.get(chatId);
      if (!local) return void (await replies.requestStop(chatId));
      local.turn.generation.stop();
      await local.turn.generation.finished;
    },

    /** Stops the generation in progress, here or on another instance. Undefined: nothing was running. */
    async stop(userId: string, chatId: string): Promise<{ assistantMessage: Message | null } | undefined> {
      await requireChat(userId, chatId);
      const local = running.get(chatId);
      if (local) {
        local.turn.generation.stop();
        return { assistantMessage: (await local.turn.generation.finished).assistantMessage };
      }
      const id = await replies.requestStop(chatId);
      return id ? { assistantMessage: await waitUntilEnded(messages, id, STOP_WAIT_MS) } : undefined;
    },

    /** The generation in progress in a chat, wherever it runs; undefined when there is none. */
    async attach(userId: string, chatId: string): Promise<Turn | undefined> {
      const chat = await requireChat(userId, chatId);
      const local = running.get(chatId);
      if (local) return local.turn;
      const row = await replies.findStreaming(chatId);
      const userMessage = row && (await messages.findById(row.replyTo));
      if (!row || !userMessage) return undefined;
      return { chat, userMessage, assistantMessageId: row.id, source: remoteReply(row.id, messages) };
    },

    /**
     * Ends replies left `streaming` by a process that died (no save for `staleMs`): those with text become
     * `error` with what they had, empty ones are removed. Returns how many.
     */
    endOrphanedReplies: (staleMs: number): Promise<number> => replies.endOrphans(staleMs),

    /** Lets replies in progress finish (up to `graceMs`), then stops the rest. */
    drain: (graceMs: number): Promise<void> => running.drain(graceMs),
  };
}

export type TurnsService = ReturnType<typeof createTurnsService>;
