import { useCallback, useEffect, useRef, useState } from 'react';
import { api, stream, type Chat, type Message, type StreamHandlers, type User } from './api';
import { Conversation } from './Conversation';
import { describeError } from './errors';
import { Sidebar } from './Sidebar';

interface Models {
  models: { id: string }[];
  default: string;
}

/** The logged-in app: the chat list, the open conversation, and every action on them. */
export function ChatApp({ user, onLoggedOut }: { user: User; onLoggedOut: () => void }) {
  const [chats, setChats] = useState<Chat[]>([]);
  const [activeId, setActiveId] = useState<string | null>(null);
  const [messages, setMessages] = useState<Message[]>([]);
  const [generating, setGenerating] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [models, setModels] = useState<Models | null>(null);
  const [draftModel, setDraftModel] = useState<string | null>(null);
  const [sidebarOpen, setSidebarOpen] = useState(false);
  const activeRef = useRef(activeId);
  activeRef.current = activeId;

  const fail = useCallback((err: unknown) => setError(describeError(err)), []);
  const refreshChats = useCallback(() => api<{ chats: Chat[] }>('/api/chats?limit=200').then((r) => setChats(r.chats), fail), [fail]);

  useEffect(() => {
    void refreshChats();
    api<Models>('/api/models').then(setModels, fail);
  }, [refreshChats, fail]);

  /** Handlers that grow the assistant message of the current turn as its events arrive. */
  const turnHandlers = (): StreamHandlers => {
    let assistantId = '';
    const patchAssistant = (change: (m: Message) => Message | null) =>
      setMessages((list) => list.flatMap((m) => (m.id === assistantId ? (change(m) ?? []) : [m])));
    return {
      onStart({ userMessage, assistantMessageId, chat }) {
        assistantId = assistantMessageId;
        setActiveId(chat.id);
        setChats((list) => [chat, ...list.filter((c) => c.id !== chat.id)]);
        // Whatever came after the user message is being replaced (a regenerate drops the old reply).
        setMessages((list) => [
          ...list.filter((m) => BigInt(m.id) < BigInt(userMessage.id)),
          userMessage,
          { id: assistantMessageId, chatId: chat.id, role: 'assistant', content: '', status: 'streaming', model: null, createdAt: '' },
        ]);
      },
      onDelta: (text) => patchAssistant((m) => ({ ...m, content: m.content + text })),
      onTitle: (title) => setChats((list) => list.map((c) => (c.id === activeRef.current ? { ...c, title } : c))),
      onDone: ({ assistantMessage }) => patchAssistant(() => assistantMessage),
      onError(err, partial) {
        patchAssistant(() => partial);
        fail(err);
      },
    };
  };

  async function runTurn(path: string, body: unknown) {
    setGenerating(true);
    setError(null);
    try {
      await stream(path, body, turnHandlers());
    } catch (err) {
      fail(err);
    } finally {
      setGenerating(false);
      void refreshChats();
    }
  }

  async function openChat(id: string) {
    setSidebarOpen(false);
    setActiveId(id);
    setError(null);
    try {
      const page = await api<{ messages: Message[] }>(`/api/chats/${id}?limit=200`);
      setMessages(page.messages);
    } catch (err) {
      fail(err);
    }
  }

  const send = (content: string) =>
    activeId
      ? runTurn(`/api/chats/${activeId}/message`, { content, clientMessageId: crypto.randomUUID() })
      : runTurn('/api/chats', { message: content, clientMessageId: crypto.randomUUID(), ...(draftModel ? { model: draftModel } : {}) });

  const active = chats.find((c) => c.id === activeId);

  return (
    <div className={`layout ${sidebarOpen ? 'sidebar-open' : ''}`}>
      <Sidebar
        user={user}
        chats={chats}
        activeId={activeId}
        onNew={() => (setActiveId(null), setMessages([]), setError(null), setSidebarOpen(false))}
        onOpen={openChat}
        onRename={async (chat) => {
          const title = window.prompt('Rename chat', chat.title ?? '');
          if (title === null) return;
          await api(`/api/chats/${chat.id}`, { method: 'PATCH', body: { title } }).then(refreshChats, fail);
        }}
        onDelete={async (chat) => {
          if (!window.confirm(`Delete “${chat.title ?? 'Untitled chat'}”?`)) return;
          await api(`/api/chats/${chat.id}`, { method: 'DELETE' }).catch(fail);
          if (chat.id === activeId) (setActiveId(null), setMessages([]));
          void refreshChats();
        }}
        onLogout={async () => {
          await api('/api/auth/logout', { method: 'POST' }).catch(() => undefined);
          onLoggedOut();
        }}
      />
      <Conversation
        title={active?.title ?? (activeId ? 'Untitled chat' : 'New chat')}
        messages={messages}
        generating={generating}
        error={error}
        models={models}
        model={active?.model ?? draftModel ?? models?.default ?? null}
        onToggleSidebar={() => setSidebarOpen(!sidebarOpen)}
        onModel={(model) =>
          activeId ? api(`/api/chats/${activeId}`, { method: 'PATCH', body: { model } }).then(refreshChats, fail) : setDraftModel(model)
        }
        onSend={send}
        onStop={() => activeId && api(`/api/chats/${activeId}/stop`, { method: 'POST' }).catch(fail)}
        onRegenerate={() => activeId && runTurn(`/api/chats/${activeId}/regenerate`, {})}
      />
    </div>
  );
}
