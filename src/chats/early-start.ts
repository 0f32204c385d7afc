import { randomUUID } from 'node:crypto';
import type { Bus } from '../bus/bus.js';
import type { ChatConfig } from '../config.js';
import type { ChatModel, ChatTurn, TokenUsage } from '../llm/chat-model.js';
import { fitToContext, loadTokenizer, promptTokensOf, tokenizerLoaded } from '../llm/context-window.js';
import { samePrompt, startEarlyCall, type EarlyCall } from '../llm/early-call.js';
import type { Chat } from './chats.repo.js';
import type { Message } from './messages.repo.js';
import { createKnownChats, digest, KNOWN_CHATS_LIMITS, type KnownChat } from './known-chats.js';
import type { KnownHistory } from './turns.repo.js';

export interface OpenedChat {
  chat: Chat;
  messages: Message[];
  hasMore: boolean;
}
/** Reads a chat's newest page, and the client id its newest user message was sent with. */
export type ChatRead = () => Promise<{ opened: OpenedChat; newestClientMessageId?: string }>;

/** A chat's model while the server still offers it, else the default (a chat may outlive its model). */
export const modelFor = (model: ChatModel, chat: Pick<Chat, 'model'>): string =>
  chat.model && model.models.includes(chat.model) ? chat.model : model.defaultModel;

/**
 * Starts a send's model call while its turn is being stored (issue 17: the first token no longer waits
 * for the commit). Only for a chat this instance served last (or read whole) and knows is idle, so the call is never
 * sent for a send the store then refuses (unknown chat, a reply in progress, a repeat); the limits are
 * checked before. Other instances' turns and changes evict a chat here through the bus. Whatever the
 * cache believed, the stored turn decides: the early call is used only when it asked exactly the prompt
 * the stored conversation gives; otherwise it is aborted before any of its text is shown.
 */
export function createEarlyStart({
  model,
  config,
  bus,
  limits = KNOWN_CHATS_LIMITS,
  charge,
}: {
  model: ChatModel;
  config: ChatConfig;
  bus: Bus;
  limits?: typeof KNOWN_CHATS_LIMITS;
  /** An early call thrown away (the stored turn asked something else, or was refused) is charged its prompt. */
  charge: (userId: string, model: string, usage: TokenUsage) => Promise<void>;
}) {
  const known = createKnownChats(limits);
  const me = randomUUID();
  bus.subscribe((m) => {
    if (m.t === 'chat-changed' && m.by !== me && typeof m.id === 'string') known.changed(m.id);
  });
  const announce = (chatId: string) => bus.publish({ t: 'chat-changed', id: chatId, by: me });
  /** The user's chat, when this instance knows it and no reply of it is running. */
  const idle = (userId: string, chatId: string): KnownChat | undefined => {
    const chat = known.get(chatId);
    return chat && chat.userId === userId && !chat.replyId ? chat : undefined;
  };
  const promptFor = (settings: KnownChat['settings'], turns: readonly ChatTurn[]) =>
    fitToContext(settings.systemPrompt ?? config.systemPrompt, turns, modelFor(model, settings), config.context);

  return {
    /** A new, empty chat of this user's. */
    learn(userId: string, chat: Chat): void {
      known.remember(chat.id, { userId, settings: chat, turns: [], chars: 0, newestId: '0', newestDigest: '' });
    },

    /**
     * Reads a chat being opened (`read`); when the page holds the whole conversation, the chat is idle
     * here (`busy` false) and nothing changed it meanwhile, its next send here starts early.
     */
    async open(userId: string, chatId: string, read: ChatRead, busy: () => boolean): Promise<OpenedChat> {
      const watch = known.watch(chatId);
      try {
        const { opened, newestClientMessageId } = await read();
        if (!opened.hasMore && !busy()) watch.learn(userId, opened.chat, opened.messages, newestClientMessageId);
        return opened;
      } finally {
        watch.release();
      }
    },

    /** The chat changed some other way (settings, edit, regenerate, deletion): forget it everywhere. */
    forget(chatId: string): void {
      known.changed(chatId);
      announce(chatId);
    },

    /** The model call for this send, started now, when the chat is known and idle; else undefined. */
    start(userId: string, chatId: string, content: string, clientMessageId?: string): EarlyCall | undefined {
      const chat = idle(userId, chatId);
      if (!chat) return undefined;
      if (clientMessageId && chat.lastClientMessageId === clientMessageId) return undefined;
      if (!tokenizerLoaded()) return void loadTokenizer();
      let turns: ChatTurn[];
      try {
        turns = promptFor(chat.settings, [...chat.turns, { role: 'user', content }]);
      } catch {
        return undefined; // context_too_long: the normal path says so
      }
      const modelName = modelFor(model, chat.settings);
      const discarded = () =>
        void charge(userId, modelName, { promptTokens: promptTokensOf(turns), completionTokens: 0 }).catch(() => undefined);
      return startEarlyCall(model, modelName, turns, discarded);
    },

    /**
     * The conversation of a known, idle chat, as this instance last stored it: the store statement
     * returns it instead of reading it again when the chat's newest message is still the one it names.
     */
    history(userId: string, chatId: string): KnownHistory | undefined {
      const chat = idle(userId, chatId);
      return chat && { turns: chat.turns, newestId: chat.newestId, newestDigest: chat.newestDigest };
    },

    /** The early call if it asked what the stored turn asks (`history` ends with the new message). */
    confirm(early: EarlyCall | undefined, chat: Chat, history: readonly ChatTurn[]): EarlyCall | undefined {
      if (!early) return undefined;
      try {
        if (early.model === modelFor(model, chat) && samePrompt(early.turns, promptFor(chat, history))) return early;
      } catch {
        // context_too_long: the generation reports it
      }
      early.abort();
      return undefined;
    },

    /** A turn was stored here: remember the chat, and its reply's text when it ends. */
    stored(
      userId: string,
      chat: Chat,
      history: ChatTurn[],
      asked: Pick<Message, 'id' | 'content'>,
      replyId: string,
      finished: Promise<{ assistantMessage: Pick<Message, 'id' | 'content'> | null }>,
      clientMessageId?: string,
    ): void {
      const chars = history.reduce((n, t) => n + t.content.length, 0);
      const entry: KnownChat = {
        userId,
        settings: chat,
        turns: history,
        chars,
        newestId: asked.id,
        newestDigest: digest(asked.content),
        lastClientMessageId: clientMessageId,
        replyId,
      };
      known.changed(chat.id);
      // Files are loaded from the database for the prompt: such a conversation is not held (nor sent early).
      if (!history.some((t) => t.attachments)) known.remember(chat.id, entry);
      announce(chat.id);
      void finished.then(({ assistantMessage }) => {
        if (known.get(chat.id) === entry) entry.replyId = undefined;
        if (assistantMessage?.content) known.replied(chat.id, entry, assistantMessage);
      });
    },
  };
}

export type EarlyStart = ReturnType<typeof createEarlyStart>;
