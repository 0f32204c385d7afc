import { useCallback, useRef, useState } from 'react';
import { api, type Message } from './api';

/** Messages a chat opens with, and loads each time it is scrolled to the top. */
export const PAGE = 50;

/** A page of a chat's active path, in conversation order (GET /api/chats/:id, …/messages?before=, POST …/branch). */
export interface MessagePage {
  messages: Message[];
  hasMore: boolean;
}

/**
 * The open chat's messages on screen, the newest first loaded: `show` puts a page (the chat opened, a
 * branch switched to), `loadOlder` adds the page before the oldest shown, dropped if the conversation
 * changed meanwhile. `latest` is the list as it is now, for callbacks made before it changed.
 */
export function useMessages(chatId: string | null, fail: (err: unknown) => void) {
  const [messages, setMessages] = useState<Message[]>([]);
  const latest = useRef(messages);
  latest.current = messages;
  const [hasOlder, setHasOlder] = useState(false);
  const loadingOlder = useRef(false);

  const show = useCallback((page: MessagePage) => {
    setMessages(page.messages);
    setHasOlder(page.hasMore);
  }, []);
  const loadOlder = useCallback(() => {
    const oldest = latest.current[0];
    if (!chatId || !oldest || loadingOlder.current) return;
    loadingOlder.current = true;
    api<MessagePage>(`/api/chats/${chatId}/messages?before=${oldest.id}&limit=${PAGE}`)
      .then((page) => {
        if (latest.current[0]?.id !== oldest.id) return;
        setMessages((list) => [...page.messages, ...list]);
        setHasOlder(page.hasMore);
      }, fail)
      .finally(() => (loadingOlder.current = false));
  }, [chatId, fail]);

  return { messages, setMessages, latest, hasOlder, show, loadOlder };
}
