import { createHash } from 'node:crypto';
import type { ChatTurn } from '../llm/chat-model.js';
import type { Chat } from './chats.repo.js';
import type { Message } from './messages.repo.js';

/** What this instance last saw of a chat it served or read whole: enough to build the next send's prompt alone. */
export interface KnownChat {
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
export const KNOWN_CHATS_LIMITS = { chats: 1000, totalChars: 8 * 1024 * 1024 };
/** Long conversations are not kept: their sends read the history from the database, as before. */
const MAX_CHARS = 256 * 1024;

/** As PostgreSQL's md5(text) gives it (the UTF-8 bytes' digest): how the store recognises a message. */
export const digest = (text: string): string => createHash('md5').update(text).digest('hex');

/** A chat as a read found it, if it can be known from that: idle (no reply streaming) and without files. */
function fromRead(userId: string, chat: Chat, messages: readonly Message[], lastClientMessageId?: string): KnownChat | undefined {
  if (messages.some((m) => m.status === 'streaming' || m.attachments.length > 0)) return undefined;
  const said = messages.filter((m) => m.content);
  const newest = said.at(-1);
  return {
    userId,
    settings: chat,
    turns: said.map(({ role, content }) => ({ role, content })),
    chars: said.reduce((n, m) => n + m.content.length, 0),
    newestId: newest?.id ?? '0',
    newestDigest: newest ? digest(newest.content) : '',
    lastClientMessageId,
  };
}

/** The chats an instance knows, bounded by count and by text held (least recently used out). */
export function createKnownChats(limits = KNOWN_CHATS_LIMITS) {
  const known = new Map<string, KnownChat>();
  let heldChars = 0;
  /** Reads in progress (see watch()), told of any change to their chat. */
  const watching = new Map<string, Set<{ changed: boolean }>>();

  const drop = (chatId: string) => {
    const entry = known.get(chatId);
    if (!entry) return;
    heldChars -= entry.chars;
    known.delete(chatId);
  };
  const trim = () => {
    while (known.size > limits.chats || heldChars > limits.totalChars) drop(known.keys().next().value!);
  };
  const remember = (chatId: string, entry: KnownChat) => {
    drop(chatId); // re-inserted last: the Map's order is the eviction order
    if (entry.chars > MAX_CHARS) return;
    known.set(chatId, entry);
    heldChars += entry.chars;
    trim();
  };

  return {
    get: (chatId: string): KnownChat | undefined => known.get(chatId),
    remember,

    /** The chat changed (here or elsewhere): forgotten, and reads in progress of it learn nothing. */
    changed(chatId: string): void {
      drop(chatId);
      for (const read of watching.get(chatId) ?? []) read.changed = true;
    },

    /** A reply of `entry` ended with text: it is the conversation's newest message now. */
    replied(chatId: string, entry: KnownChat, reply: Pick<Message, 'id' | 'content'>): void {
      if (known.get(chatId) !== entry) return;
      entry.turns.push({ role: 'assistant', content: reply.content });
      entry.chars += reply.content.length;
      heldChars += reply.content.length;
      entry.newestId = reply.id;
      entry.newestDigest = digest(reply.content);
      if (entry.chars > MAX_CHARS) drop(chatId);
      trim();
    },

    /**
     * A read of a chat (opening it): what it finds is learnt only if nothing changed the chat while it
     * ran (a send here, a message on the bus), and only for a chat not known already. `release()` always.
     */
    watch(chatId: string) {
      const read = { changed: false };
      const reads = watching.get(chatId) ?? new Set();
      watching.set(chatId, reads.add(read));
      return {
        /** The whole conversation, as read. */
        learn(userId: string, chat: Chat, messages: readonly Message[], lastClientMessageId?: string): void {
          if (read.changed || known.has(chat.id)) return;
          const entry = fromRead(userId, chat, messages, lastClientMessageId);
          if (entry) remember(chat.id, entry);
        },
        release(): void {
          reads.delete(read);
          if (reads.size === 0 && watching.get(chatId) === reads) watching.delete(chatId);
        },
      };
    },
  };
}
