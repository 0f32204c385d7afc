import { Link } from 'react-router';
import type { Chat, User } from './api';
import { Search } from './Search';

interface Props {
  user: User;
  chats: Chat[];
  activeId: string | null;
  onNew(): void;
  /** A chat, at a message (`onActivePath` false: on another branch, switched to first). */
  onOpen(id: string, messageId?: string | null, onActivePath?: boolean): void;
  onRename(chat: Chat): void;
  onDelete(chat: Chat): void;
  onLogout(): void;
  /** Showing the archived chats instead of the others. */
  archived: boolean;
  onToggleArchived(): void;
}

export function Sidebar({ user, chats, activeId, onNew, onOpen, onRename, onDelete, onLogout, archived, onToggleArchived }: Props) {
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
      <ul className="chat-list">
        {chats.map((chat) => (
          <li key={chat.id} className={chat.id === activeId ? 'active' : ''}>
            <button type="button" className="chat-title" onClick={() => onOpen(chat.id)} title={chat.title ?? 'Untitled chat'}>
              {chat.pinned ? '★ ' : ''}
              {chat.title ?? 'Untitled chat'}
            </button>
            <button type="button" className="icon" aria-label={`Rename ${chat.title ?? 'chat'}`} onClick={() => onRename(chat)}>
              ✎
            </button>
            <button type="button" className="icon" aria-label={`Delete ${chat.title ?? 'chat'}`} onClick={() => onDelete(chat)}>
              ×
            </button>
          </li>
        ))}
      </ul>
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
