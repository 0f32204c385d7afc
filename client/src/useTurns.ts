import { useRef, useState, type Dispatch, type SetStateAction } from 'react';
import { stream, type Chat, type Message, type StreamHandlers } from './api';

const RETRY_MS = 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Session {
  controller: AbortController;
  /** The chat whose reply this session shows (set by `start` for a chat being created). */
  chatId: string | null;
  lastEventId?: string;
  /** Once the turn started: where a failure shows (the reply, or its message when no reply was kept). */
  userMessageId?: string;
  failed?: boolean;
}

interface Deps {
  setMessages: Dispatch<SetStateAction<Message[]>>;
  setChats: Dispatch<SetStateAction<Chat[]>>;
  /** A turn failed after it started: under the reply (`at`: its id), or under its message when the reply was not kept. */
  onFailed(err: unknown, at: string): void;
  /** A send created a chat: its address becomes the page's. */
  onChatCreated(id: string): void;
  onFinished(): void;
}

/**
 * The reply on screen: a send, an edit or a regenerate read as it is written, or a reply still being
 * written when its chat was opened (a reload, another tab) followed from where the page has it. A dropped
 * connection is resumed with Last-Event-ID; leaving the chat only stops reading (the server goes on).
 */
export function useTurns({ setMessages, setChats, onFailed, onChatCreated, onFinished }: Deps) {
  const [generating, setGenerating] = useState(false);
  const session = useRef<Session | null>(null);

  const handlersFor = (s: Session): StreamHandlers => {
    let assistantId = '';
    const mine = () => session.current === s;
    const patch = (change: (m: Message) => Message | null) =>
      setMessages((list) => list.flatMap((m) => (m.id === assistantId ? (change(m) ?? []) : [m])));
    return {
      onStart({ userMessage, assistantMessageId, chat }) {
        if (!mine()) return;
        assistantId = assistantMessageId;
        s.userMessageId = userMessage.id;
        if (!s.chatId) {
          s.chatId = chat.id;
          onChatCreated(chat.id);
        }
        setChats((list) => [chat, ...list.filter((c) => c.id !== chat.id)]);
        // The path now ends with the user message (a new version of it, after an edit) and its reply; a
        // reply already on screen (a resume) stays.
        setMessages((list) => {
          const shown = list.find((m) => m.id === assistantMessageId);
          const placeholder: Message = {
            id: assistantMessageId,
            chatId: chat.id,
            role: 'assistant',
            content: '',
            status: 'streaming',
            model: null,
            createdAt: '',
            attachments: [],
            parentId: userMessage.id,
            siblingIds: [assistantMessageId],
            feedback: null,
            errorCode: null,
          };
          const parentAt = list.findIndex((m) => m.id === userMessage.parentId);
          const before =
            userMessage.parentId === null
              ? []
              : parentAt >= 0
                ? list.slice(0, parentAt + 1)
                : list.filter((m) => BigInt(m.id) < BigInt(userMessage.id));
          return [...before, userMessage, shown ?? placeholder];
        });
      },
      onDelta: (text) => mine() && patch((m) => ({ ...m, content: m.content + text })),
      onTitle: (title) => mine() && setChats((list) => list.map((c) => (c.id === s.chatId ? { ...c, title } : c))),
      onDone: ({ assistantMessage }) => mine() && patch(() => assistantMessage),
      onError(err, partial) {
        if (!mine()) return;
        // A reply that failed before its first word is not kept (the server removed it): the failure
        // shows under the message it answered.
        patch(() => partial);
        s.failed = true;
        onFailed(err, partial?.id ?? s.userMessageId ?? assistantId);
      },
    };
  };

  const remember = (s: Session) => (id: string) => (s.lastEventId = id);
  /** Follows the session's chat from the last event it got (GET .../stream with Last-Event-ID). */
  const attach = (s: Session) =>
    stream(
      `/api/chats/${s.chatId}/stream`,
      { method: 'GET', lastEventId: s.lastEventId, signal: s.controller.signal, onEventId: remember(s) },
      handlersFor(s),
    );

  /**
   * Reads a session's reply from `first`, then re-attaches after every dropped connection. Resolves the
   * error when the request was refused before the turn started (nothing was stored), else undefined.
   */
  async function read(s: Session, first: () => ReturnType<typeof stream>): Promise<unknown> {
    session.current?.controller.abort();
    session.current = s;
    setGenerating(true);
    try {
      let result = await first();
      while (result === 'dropped' && !s.controller.signal.aborted && s.chatId) {
        await sleep(RETRY_MS);
        if (s.controller.signal.aborted) break;
        result = await attach(s).catch(() => 'dropped' as const);
      }
    } catch (err) {
      if (s.controller.signal.aborted) return undefined;
      if (!s.userMessageId) return err;
      if (!s.failed) onFailed(err, s.userMessageId);
    } finally {
      if (session.current === s) {
        session.current = null;
        setGenerating(false);
        onFinished();
      }
    }
    return undefined;
  }

  return {
    generating,
    /** The chat whose reply is being read, if any. */
    chatInProgress: () => session.current?.chatId ?? null,

    /** Sends (POST), edits (PATCH) or regenerates, and reads the reply; resolves the error if it was refused before it started. */
    run(path: string, method: 'POST' | 'PATCH', body: unknown, chatId: string | null) {
      const s: Session = { controller: new AbortController(), chatId };
      return read(s, () => stream(path, { method, body, signal: s.controller.signal, onEventId: remember(s) }, handlersFor(s)));
    },

    /** Follows a reply still being written, from the text already shown. */
    follow(chatId: string, partial: Message) {
      const s: Session = { controller: new AbortController(), chatId, lastEventId: `${partial.id}:${partial.content.length}` };
      return read(s, () => attach(s));
    },

    /** Stops reading (the reply goes on, on the server). */
    detach() {
      session.current?.controller.abort();
      session.current = null;
      setGenerating(false);
    },
  };
}
