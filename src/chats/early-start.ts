import { createHash, randomUUID } from 'node:crypto';
import type { Bus } from '../bus/bus.js';
import type { ChatConfig } from '../config.js';
import type { ChatModel, ChatTurn } from '../llm/chat-model.js';
import { fitToContext, loadTokenizer, tokenizerLoaded } from '../llm/context-window.js';
import { samePrompt, startEarlyCall, type EarlyCall } from '../llm/early-call.js';
import type { Chat } from './chats.repo.js';
import type { Message } from './messages.repo.js';
import type { KnownHistory } from './turns.repo.js';

/** What this instance last saw of a chat it served: enough to build the next send's prompt alone. */
interface KnownChat {
  userId: string;
  settings: Pick<Chat, 'model' | 'systemPrompt'>;
  /** The conversation as the store statement reads it: messages with text, in order. */
  turns: ChatTurn[];
  chars: number;
  /** The newest of `turns` as stored: the store statement checks it before trusting `turns`. */
  newestId: string;
  newestDigest: string;
  /** The send that was last stored (a retry of it is not sent early: it repeats, it does not ask). */
  lastClientMessageId?: string;
  /** The reply being generated now: no send may be started early until it ends. */
  replyId?: string;
}

/** How much is held: the chats, and their text in all (at most ~16 MB of strings), least recent out. */
export const EARLY_START_LIMITS = { chats: 1000, totalChars: 8 * 1024 * 1024 };
/** Long conversations are not kept: their sends read the history from the database, as before. */
const MAX_CHARS = 256 * 1024;
/** As PostgreSQL's md5(text) gives it (the UTF-8 bytes' digest): how the store recognises a message. */
const digest = (text: string) => createHash('md5').update(text).digest('hex');

/** A chat's model while the server still offers it, else the default (a chat may outlive its model). */
export const modelFor = (model: ChatModel, chat: Pick<Chat, 'model'>): string =>
  chat.model && model.models.includes(chat.model) ? chat.model : model.defaultModel;

/**
 * Starts a send's model call while its turn is being stored (issue 17: the first token no longer waits
 * for the commit). Only for a chat this instance served last and knows is idle, so the call is never
 * sent for a send the store then refuses (unknown chat, a reply in progress, a repeat); the limits are
 * checked before. Other instances' turns and changes evict a chat here through the bus. Whatever the
 * cache believed, the stored turn decides: the early call is used only when it asked exactly the prompt
 * the stored conversation gives; otherwise it is aborted before any of its text is shown.
 */
export function createEarlyStart({
  model,
  config,
  bus,
  limits = EARLY_START_LIMITS,
}: {
  model: ChatModel;
  config: ChatConfig;
  bus: Bus;
  limits?: typeof EARLY_START_LIMITS;
}) {
  const known = new Map<string, KnownChat>();
  let heldChars = 0;
  const me = randomUUID();

  const drop = (chatId: string) => {
    const entry = known.get(chatId);
    if (!entry) return;
    heldChars -= entry.chars;
    known.delete(chatId);
  };
  const trim = () => {
    while (known.size > limits.chats || heldChars > limits.totalChars) drop(known.keys().next().value!);
  };
  bus.subscribe((m) => {
    if (m.t === 'chat-changed' && m.by !== me && typeof m.id === 'string') drop(m.id);
  });
  const announce = (chatId: string) => bus.publish({ t: 'chat-changed', id: chatId, by: me });
  const remember = (chatId: string, entry: KnownChat) => {
    drop(chatId); // re-inserted last: the Map's order is the eviction order
    if (entry.chars > MAX_CHARS) return;
    known.set(chatId, entry);
    heldChars += entry.chars;
    trim();
  };
  const promptFor = (settings: KnownChat['settings'], turns: readonly ChatTurn[]) =>
    fitToContext(settings.systemPrompt ?? config.systemPrompt, turns, modelFor(model, settings), config.context);

  return {
    /** A new, empty chat of this user's. */
    learn(userId: string, chat: Chat): void {
      remember(chat.id, { userId, settings: chat, turns: [], chars: 0, newestId: '0', newestDigest: '' });
    },

    /** The chat changed some other way (settings, edit, regenerate, deletion): forget it everywhere. */
    forget(chatId: string): void {
      drop(chatId);
      announce(chatId);
    },

    /** The model call for this send, started now, when the chat is known and idle; else undefined. */
    start(userId: string, chatId: string, content: string, clientMessageId?: string): EarlyCall | undefined {
      const chat = known.get(chatId);
      if (!chat || chat.userId !== userId || chat.replyId) return undefined;
      // Files are loaded from the database for the prompt: such a conversation is not sent early.
      if (chat.turns.some((t) => t.attachments)) return undefined;
      if (clientMessageId && chat.lastClientMessageId === clientMessageId) return undefined;
      if (!tokenizerLoaded()) return void loadTokenizer();
      let turns: ChatTurn[];
      try {
        turns = promptFor(chat.settings, [...chat.turns, { role: 'user', content }]);
      } catch {
        return undefined; // context_too_long: the normal path says so
      }
      return startEarlyCall(model, modelFor(model, chat.settings), turns);
    },

    /**
     * The conversation of a known, idle chat, as this instance last stored it: the store statement
     * returns it instead of reading it again when the chat's newest message is still the one it names.
     */
    history(userId: string, chatId: string): KnownHistory | undefined {
      const chat = known.get(chatId);
      if (!chat || chat.userId !== userId || chat.replyId || chat.turns.some((t) => t.attachments)) return undefined;
      return { turns: chat.turns, newestId: chat.newestId, newestDigest: chat.newestDigest };
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
      remember(chat.id, entry);
      announce(chat.id);
      void finished.then(({ assistantMessage }) => {
        if (known.get(chat.id) !== entry) return;
        entry.replyId = undefined;
        if (assistantMessage?.content) {
          entry.turns.push({ role: 'assistant', content: assistantMessage.content });
          entry.chars += assistantMessage.content.length;
          heldChars += assistantMessage.content.length;
          entry.newestId = assistantMessage.id;
          entry.newestDigest = digest(assistantMessage.content);
          if (entry.chars > MAX_CHARS) drop(chat.id);
          trim();
        }
      });
    },
  };
}

export type EarlyStart = ReturnType<typeof createEarlyStart>;
