import { useEffect, useRef, useState } from 'react';
import { api, type Chat } from './api';
import { copyText } from './Toasts';

interface Props {
  chat: Chat;
  onChanged(): void;
  onDelete(): void;
  /** The chat's title becomes an input (in the chat list). */
  onRename(): void;
  fail(err: unknown): void;
}

/** The open chat's menu: rename, pin, archive or restore, share (with its link), export, delete. */
export function ChatMenu({ chat, onChanged, onDelete, onRename, fail }: Props) {
  const [shareUrl, setShareUrl] = useState<string | null>(null);
  const [prompt, setPrompt] = useState<string | null>(null);
  const patch = (body: object) => api(`/api/chats/${chat.id}`, { method: 'PATCH', body }).then(onChanged, fail);
  const share = () =>
    api<{ token: string }>(`/api/chats/${chat.id}/share`, { method: 'POST' }).then(
      ({ token }) => setShareUrl(`${location.origin}/share/${token}`),
      fail,
    );
  const unshare = () => api(`/api/chats/${chat.id}/share`, { method: 'DELETE' }).then(() => setShareUrl(null), fail);
  // The panels under the menu (share, chat settings) close on Esc too, giving the focus back to the menu.
  const closePanel = (event: React.KeyboardEvent, close: () => void) => {
    if (event.key !== 'Escape') return;
    close();
    menu.current?.querySelector('summary')?.focus();
  };

  // Esc or a click outside closes the menu; Esc gives the focus back to its button.
  const menu = useRef<HTMLDetailsElement>(null);
  // A click outside the open panel (and outside the menu) closes it too.
  const panel = useRef<HTMLElement>(null);
  useEffect(() => {
    if (shareUrl === null && prompt === null) return;
    const outside = (event: Event) => {
      const target = event.target as Node;
      if (panel.current?.contains(target) || menu.current?.contains(target)) return;
      setShareUrl(null);
      setPrompt(null);
    };
    document.addEventListener('pointerdown', outside);
    return () => document.removeEventListener('pointerdown', outside);
  }, [shareUrl, prompt]);
  useEffect(() => {
    const close = (event: Event) => {
      const details = menu.current;
      if (!details?.open) return;
      if (event instanceof KeyboardEvent) {
        if (event.key !== 'Escape') return;
        details.open = false;
        details.querySelector('summary')?.focus();
      } else if (!details.contains(event.target as Node)) details.open = false;
    };
    document.addEventListener('keydown', close);
    document.addEventListener('pointerdown', close);
    return () => {
      document.removeEventListener('keydown', close);
      document.removeEventListener('pointerdown', close);
    };
  }, []);

  return (
    <>
      <details className="chat-menu" ref={menu}>
        <summary aria-label="Chat menu">⋯</summary>
        {/* A choice closes the menu. */}
        <div className="menu-items" onClick={(e) => ((e.currentTarget.parentElement as HTMLDetailsElement).open = false)}>
          <button type="button" onClick={onRename}>
            Rename
          </button>
          <button type="button" onClick={() => void patch({ pinned: !chat.pinned })}>
            {chat.pinned ? 'Unpin' : 'Pin'}
          </button>
          <button type="button" onClick={() => void patch({ archived: !chat.archived })}>
            {chat.archived ? 'Restore from archive' : 'Archive'}
          </button>
          <button type="button" onClick={() => setPrompt(chat.systemPrompt ?? '')}>
            Chat settings
          </button>
          <button type="button" onClick={() => void share()}>
            Share a link
          </button>
          <a href={`/api/chats/${chat.id}/export?format=markdown`} download>
            Export as Markdown
          </a>
          <a href={`/api/chats/${chat.id}/export?format=json`} download>
            Export as JSON
          </a>
          <button type="button" className="danger" onClick={onDelete}>
            Delete
          </button>
        </div>
      </details>
      {prompt !== null && (
        <form
          ref={(el) => void (panel.current = el)}
          className="share-panel"
          aria-label="Chat settings"
          onKeyDown={(e) => closePanel(e, () => setPrompt(null))}
          onSubmit={(e) => {
            e.preventDefault();
            void patch({ systemPrompt: prompt }).then(() => setPrompt(null));
          }}
        >
          <label className="prompt">
            System prompt (how the model should answer in this chat; empty: the server's default)
            <textarea rows={4} maxLength={8000} value={prompt} onChange={(e) => setPrompt(e.target.value)} />
          </label>
          <button type="submit" className="primary">
            Save
          </button>
          <button type="button" onClick={() => setPrompt(null)}>
            Cancel
          </button>
        </form>
      )}
      {shareUrl && (
        <div
          ref={(el) => void (panel.current = el)}
          className="share-panel"
          role="dialog"
          aria-label="Shared link"
          onKeyDown={(e) => closePanel(e, () => setShareUrl(null))}
        >
          <p>Anyone with this link can read this chat as it is now (later messages are not shared).</p>
          <input aria-label="Link to the shared chat" readOnly value={shareUrl} onFocus={(e) => e.target.select()} />
          <button type="button" onClick={() => copyText(shareUrl, 'Link copied')}>
            Copy link
          </button>
          <button type="button" onClick={() => void unshare()}>
            Stop sharing
          </button>
          <button type="button" onClick={() => setShareUrl(null)}>
            Close
          </button>
        </div>
      )}
    </>
  );
}
