import { Suspense, lazy, useCallback, useEffect, useRef, useState } from 'react';
import { useLocation, useMatch, useNavigate } from 'react-router';
import { ApiError, api, type Chat, type User } from './api';
import { ChatMenu } from './ChatMenu';
import { ConfirmDialog } from './ConfirmDialog';
import { Conversation } from './Conversation';
import { describeError, describeFailure } from './errors';
import { Sidebar } from './Sidebar';
import { useChatList } from './useChatList';
import { PAGE, useMessages, type MessagePage } from './useMessages';
import { useTurns } from './useTurns';

// The settings page is loaded only when opened: the first load stays small.
const Settings = lazy(() => import('./Settings'));
const Admin = lazy(() => import('./admin/Admin'));

interface Models {
  models: { id: string }[];
  default: string | null;
}

/** A turn that failed, shown in the conversation: under message `at`, or (null) as a send that was refused. */
export interface TurnProblem {
  at: string | null;
  text: string;
  retry(): void;
  /** A send refused before anything was stored: its text (and files) stay on screen, to retry or edit. */
  send?: { content: string; attachments: string[] };
}

/** The logged-in app: the chat list, the open conversation (its address is /c/<id>), and every action on them. */
export function ChatApp({ user, onLoggedOut }: { user: User; onLoggedOut: () => void }) {
  const chatId = useMatch('/c/:chatId')?.params.chatId ?? null;
  const inSettings = useMatch('/settings') !== null;
  const inAdmin = useMatch('/admin') !== null;
  const { hash } = useLocation();
  const navigate = useNavigate();
  // The chat open now, for what runs later than the render that made it (a Retry made before a new
  // chat had its address).
  const openId = useRef(chatId);
  openId.current = chatId;
  const [problem, setProblem] = useState<TurnProblem | null>(null);
  const [notFound, setNotFound] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [models, setModels] = useState<Models | null>(null);
  const [draftModel, setDraftModel] = useState<string | null>(null);
  // A model picked for an open chat shows at once; a send waits until the change is stored, so it is
  // answered by the model on screen.
  const [pickedModel, setPickedModel] = useState<{ chatId: string; model: string } | null>(null);
  const modelSaved = useRef<Promise<unknown>>(Promise.resolve());
  const [sidebarOpen, setSidebarOpen] = useState(false);
  const [showArchived, setShowArchived] = useState(false);

  const fail = useCallback((err: unknown) => setError(describeError(err)), []);
  const { messages, setMessages, latest, hasOlder, show: showPage, loadOlder } = useMessages(chatId, fail);
  const list = useChatList(showArchived, fail);
  const { chats, refresh: refreshChats } = list;
  // A chat this page has just created is on screen already: its address changing must not reload it,
  // even when its reply has ended by then (a fast model).
  const createdHere = useRef<string | null>(null);
  const turns = useTurns({
    setMessages,
    setChats: list.setChats,
    // Retry answers again: a new version of the reply (or an answer to the message that has none).
    onFailed: (err, at) => setProblem({ at, text: describeFailure(err), retry: () => regenerate() }),
    onChatCreated: (id) => {
      createdHere.current = id;
      navigate(`/c/${id}`);
    },
    onFinished: () => void refreshChats(),
  });

  useEffect(() => {
    api<Models>('/api/models').then(setModels, fail);
  }, [fail]);

  // Opening a chat (a click, a link, back/forward, a reload) loads it, and follows its reply if one is
  // still being written. The chat this page is itself sending to is already on screen.
  useEffect(() => {
    const justCreated = chatId !== null && chatId === createdHere.current;
    createdHere.current = null;
    if (justCreated || (chatId !== null && chatId === turns.chatInProgress())) return;
    turns.detach();
    setError(null);
    setProblem(null);
    setNotFound(false);
    showPage({ messages: [], hasMore: false });
    if (!chatId) return;
    let current = true;
    api<MessagePage>(`/api/chats/${chatId}?limit=${PAGE}`).then(
      (page) => {
        if (!current) return;
        showPage(page);
        const last = page.messages.at(-1);
        if (last?.role === 'assistant' && last.status === 'streaming')
          void turns.follow(chatId, last).then((refused) => refused && fail(refused));
      },
      (err: unknown) => {
        if (!current) return;
        if (err instanceof ApiError && err.status === 404) setNotFound(true);
        else fail(err);
      },
    );
    return () => {
      current = false;
    };
    // Runs once per chat opened (not when the helpers above change identity).
  }, [chatId]);

  // Ctrl/Cmd+Shift+O starts a new chat, as in the ChatGPT app.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && event.shiftKey && event.key.toLowerCase() === 'o') {
        event.preventDefault();
        navigate('/');
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [navigate]);

  // A search result's message (#m-<id>): brought into view and marked once it is on screen; an older
  // one than those loaded makes the pages before load until it is.
  useEffect(() => {
    const target = hash.startsWith('#m-') ? document.getElementById(hash.slice(1)) : null;
    if (!target && hash.startsWith('#m-') && hasOlder) return loadOlder();
    if (!target) return;
    target.scrollIntoView({ block: 'center' });
    target.classList.add('found');
    const timer = setTimeout(() => target.classList.remove('found'), 2500);
    return () => clearTimeout(timer);
  }, [hash, messages, hasOlder, loadOlder]);

  const open = (id: string, messageId?: string | null, onActivePath = true) => {
    setSidebarOpen(false);
    const go = () => navigate(`/c/${id}${messageId ? `#m-${messageId}` : ''}`);
    if (!messageId || onActivePath) return go();
    // A message on another branch: the chat switches to it first.
    api<MessagePage>(`/api/chats/${id}/branch?limit=${PAGE}`, { method: 'POST', body: { messageId } }).then((page) => {
      if (id === chatId) showPage(page);
      go();
    }, fail);
  };
  /**
   * Runs a turn. Refused before it started (nothing stored: offline, too many requests…), it shows
   * under the last message with Retry, or, for a send, as the message itself with Retry and Edit.
   */
  const runTurn = async (path: string, method: 'POST' | 'PATCH', body: unknown, send?: TurnProblem['send']) => {
    setError(null);
    setProblem(null);
    // A new chat (POST /api/chats) has no id yet; every other turn is in the chat open now.
    const refused = await turns.run(path, method, body, path === '/api/chats' ? null : openId.current);
    if (refused === undefined) return;
    const retry = () => void runTurn(path, method, body, send);
    setProblem({ at: send ? null : (latest.current.at(-1)?.id ?? null), text: describeFailure(refused), retry, send });
  };
  const send = async (content: string, attachments: string[]) => {
    await modelSaved.current;
    const clientMessageId = crypto.randomUUID();
    const files = attachments.length > 0 ? { attachments } : {};
    const sent = { content, attachments };
    if (chatId) return runTurn(`/api/chats/${chatId}/message`, 'POST', { content, clientMessageId, ...files }, sent);
    return runTurn(
      '/api/chats',
      'POST',
      { message: content, clientMessageId, ...files, ...(draftModel ? { model: draftModel } : {}) },
      sent,
    );
  };
  const edit = (messageId: string, content: string) => {
    if (chatId) void runTurn(`/api/chats/${chatId}/messages/${messageId}`, 'PATCH', { content });
  };
  function regenerate() {
    if (openId.current) void runTurn(`/api/chats/${openId.current}/regenerate`, 'POST', {});
  }
  const switchTo = (messageId: string) => {
    setError(null);
    setProblem(null);
    if (!chatId) return;
    api<MessagePage>(`/api/chats/${chatId}/branch?limit=${PAGE}`, { method: 'POST', body: { messageId } }).then(showPage, fail);
  };
  const fork = (messageId: string) => {
    setError(null);
    if (!chatId) return;
    api<{ chat: Chat }>(`/api/chats/${chatId}/fork`, { method: 'POST', body: { messageId } }).then((r) => {
      void refreshChats();
      navigate(`/c/${r.chat.id}`);
    }, fail);
  };
  const [openChat, setOpenChat] = useState<Chat | null>(null);
  // The open chat's settings, even when it is not in the list on show (archived, or beyond the first page).
  useEffect(() => {
    if (!chatId) return setOpenChat(null);
    const listed = chats.find((c) => c.id === chatId);
    if (listed) return setOpenChat(listed);
    let current = true;
    api<{ chat: Chat }>(`/api/chats/${chatId}?limit=1`).then(
      (r) => current && setOpenChat(r.chat),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [chatId, chats]);
  const active = openChat?.id === chatId ? openChat : undefined;
  const pickModel = (model: string) => {
    if (!chatId) return setDraftModel(model);
    setPickedModel({ chatId, model });
    modelSaved.current = api(`/api/chats/${chatId}`, { method: 'PATCH', body: { model } })
      .then(refreshChats, fail)
      .finally(() => setPickedModel((p) => (p?.chatId === chatId && p.model === model ? null : p)));
  };
  // Deleting asks first, in the app's own dialog; renaming turns the title in the list into an input.
  const [deleting, setDeleting] = useState<Chat | null>(null);
  const [renamingId, setRenamingId] = useState<string | null>(null);
  const deleteChat = (chat: Chat) => setDeleting(chat);
  const confirmDelete = async (chat: Chat) => {
    setDeleting(null);
    await api(`/api/chats/${chat.id}`, { method: 'DELETE' }).catch(fail);
    if (chat.id === chatId) navigate('/');
    void refreshChats();
  };
  const rename = async (chat: Chat, title: string | null) => {
    setRenamingId(null);
    if (title === null || title === (chat.title ?? '')) return;
    await api(`/api/chats/${chat.id}`, { method: 'PATCH', body: { title } }).then(refreshChats, fail);
  };

  return (
    <div className={`layout ${sidebarOpen ? 'sidebar-open' : ''}`}>
      <Sidebar
        user={user}
        chats={chats}
        hasMore={list.hasMore}
        onLoadMore={list.loadMore}
        activeId={chatId}
        onNew={() => (setSidebarOpen(false), navigate('/'))}
        onOpen={open}
        renamingId={renamingId}
        onStartRename={(chat) => setRenamingId(chat.id)}
        onRename={(chat, title) => void rename(chat, title)}
        onDelete={deleteChat}
        archived={showArchived}
        onToggleArchived={() => setShowArchived(!showArchived)}
        onLogout={async () => {
          await api('/api/auth/logout', { method: 'POST' }).catch(() => undefined);
          onLoggedOut();
        }}
      />
      {inSettings ? (
        <Suspense fallback={<main className="conversation splash">Loading…</main>}>
          <Settings user={user} onLoggedOut={onLoggedOut} onImported={() => void refreshChats()} />
        </Suspense>
      ) : inAdmin && user.role === 'admin' ? (
        <Suspense fallback={<main className="conversation splash">Loading…</main>}>
          <Admin models={models?.models.map((m) => m.id) ?? []} selfId={user.id} />
        </Suspense>
      ) : inAdmin ? (
        <main className="conversation not-found">
          <h1>Page not found</h1>
          <p>There is nothing here.</p>
          <button type="button" className="primary" onClick={() => navigate('/')}>
            Back to your chats
          </button>
        </main>
      ) : notFound ? (
        <main className="conversation not-found">
          <h1>Chat not found</h1>
          <p>This chat does not exist, or it was deleted.</p>
          <button type="button" className="primary" onClick={() => navigate('/')}>
            Start a new chat
          </button>
        </main>
      ) : (
        <Conversation
          chatKey={chatId}
          title={active?.title ?? (chatId ? 'Untitled chat' : 'New chat')}
          menu={
            active && (
              <ChatMenu
                chat={active}
                onChanged={() => void refreshChats()}
                onDelete={() => deleteChat(active)}
                onRename={() => (setSidebarOpen(true), setRenamingId(active.id))}
                fail={fail}
              />
            )
          }
          messages={messages}
          hasOlder={hasOlder}
          onLoadOlder={loadOlder}
          generating={turns.generating}
          error={error}
          problem={problem}
          onDismissProblem={() => setProblem(null)}
          models={models}
          model={(pickedModel?.chatId === chatId ? pickedModel.model : active?.model) ?? draftModel ?? models?.default ?? null}
          onToggleSidebar={() => setSidebarOpen(!sidebarOpen)}
          onModel={pickModel}
          onSend={(content, attachments) => void send(content, attachments)}
          onEdit={edit}
          onSwitch={switchTo}
          onFork={fork}
          onStop={() => chatId && api(`/api/chats/${chatId}/stop`, { method: 'POST' }).catch(fail)}
          onRegenerate={regenerate}
        />
      )}
      {deleting && (
        <ConfirmDialog
          title="Delete this chat?"
          body={`“${deleting.title ?? 'Untitled chat'}” and all its messages will be deleted. This cannot be undone.`}
          confirmLabel="Delete chat"
          onConfirm={() => void confirmDelete(deleting)}
          onCancel={() => setDeleting(null)}
        />
      )}
    </div>
  );
}
