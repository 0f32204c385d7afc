import { useEffect, useRef } from 'react';
import { Link } from 'react-router';
import type { Chat, User } from './api';
import { groupChats } from './chatGroups';
import { Search } from './Search';

/** How near the end of the chat list (px) the next page loads. */
const NEAR_END = 300;

interface Props {
  user: User;
  chats: Chat[];
  activeId: string | null;
  onNew(): void;
  /** A chat, at a message (`onActivePath` false: on another branch, switched to first). */
  onOpen(id: string, messageId?: string | null, onActivePath?: boolean): void;
  /** The chat whose title is an input now (rename in place), if any. */
  renamingId: string | null;
  onStartRename(chat: Chat): void;
  /** The new title (null: renaming cancelled). */
  onRename(chat: Chat, title: string | null): void;
  onDelete(chat: Chat): void;
  onLogout(): void;
  /** Showing the archived chats instead of the others. */
  archived: boolean;
  onToggleArchived(): void;
  /** More chats are on the server: `onLoadMore` when the end of the list scrolls into view. */
  hasMore: boolean;
  onLoadMore(): void;
}

export function Sidebar(props: Props) {
  const { user, chats, activeId, onNew, onOpen, onStartRename, onRename, onDelete, onLogout, archived, onToggleArchived } = props;
  // The next page loads when the end of the list is near: on a scroll, and after each page while the
  // list is still too short to scroll.
  const scroller = useRef<HTMLDivElement>(null);
  const { hasMore, onLoadMore } = props;
  const loadIfNearEnd = () => {
    const el = scroller.current;
    if (hasMore && el && el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_END) onLoadMore();
  };
  // eslint-disable-next-line -- after each page (the check reads the list as laid out)
  useEffect(loadIfNearEnd, [hasMore, chats.length]);
  return (
    <nav className="sidebar" aria-label="Chats">
      <button type="button" className="primary new-chat" onClick={onNew}>
        + New chat
      </button>
      <Search onOpen={onOpen} />
      <button type="button" className="archived-toggle" aria-pressed={archived} onClick={onToggleArchived}>
        {archived ? '← All chats' : 'Archived chats'}
      </button>
      {archived && chats.length === 0 && <p className="empty">No archived chats.</p>}
      <div className="chat-groups" ref={scroller} onScroll={loadIfNearEnd}>
        {groupChats(chats).map((group) => (
          <section key={group.label} aria-label={group.label}>
            <h2 className="group-title">{group.label}</h2>
            <ul className="chat-list">
              {group.chats.map((chat) => (
                <li key={chat.id} className={chat.id === activeId ? 'active' : ''}>
                  {props.renamingId === chat.id ? (
                    <RenameInput chat={chat} onDone={(title) => onRename(chat, title)} />
                  ) : (
                    <button
                      type="button"
                      className="chat-title"
                      onClick={() => onOpen(chat.id)}
                      title={chat.title ?? 'Untitled chat'}
                      aria-current={chat.id === activeId ? 'page' : undefined}
                    >
                      {chat.title ?? 'Untitled chat'}
                    </button>
                  )}
                  <button type="button" className="icon" aria-label={`Rename ${chat.title ?? 'chat'}`} onClick={() => onStartRename(chat)}>
                    ✎
                  </button>
                  <button type="button" className="icon" aria-label={`Delete ${chat.title ?? 'chat'}`} onClick={() => onDelete(chat)}>
                    ×
                  </button>
                </li>
              ))}
            </ul>
          </section>
        ))}
        {hasMore && (
          <div className="list-end" aria-hidden="true">
            Loading more chats…
          </div>
        )}
      </div>
      <div className="account">
        <Link className="email" to="/settings" title={`Settings for ${user.email}`}>
          {user.email}
        </Link>
        {user.role === 'admin' && (
          <Link className="button" to="/admin">
            Admin
          </Link>
        )}
        <button type="button" onClick={onLogout}>
          Log out
        </button>
      </div>
    </nav>
  );
}

/** The title as an input: Enter (or leaving it) saves, Esc cancels. */
function RenameInput({ chat, onDone }: { chat: Chat; onDone(title: string | null): void }) {
  let finished = false;
  const finish = (title: string | null) => {
    if (finished) return;
    finished = true;
    onDone(title);
  };
  return (
    <input
      className="rename"
      aria-label="Chat title"
      defaultValue={chat.title ?? ''}
      maxLength={200}
      autoFocus
      onFocus={(e) => e.currentTarget.select()}
      onKeyDown={(e) => {
        if (e.key === 'Enter') finish(e.currentTarget.value);
        if (e.key === 'Escape') finish(null);
      }}
      onBlur={(e) => finish(e.currentTarget.value)}
    />
  );
}
