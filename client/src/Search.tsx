import { useEffect, useRef, useState } from 'react';
import { api } from './api';

interface Hit {
  chat: { id: string; title: string | null };
  messageId: string | null;
  /** False: the message is on another branch than the one shown (opening it switches to it). */
  onActivePath: boolean;
  kind: 'title' | 'message';
  /** HTML-escaped by the server, with only <mark> added around the matches. */
  snippet: string;
}

/** Search over my titles and messages (GET /api/search). Ctrl/Cmd+K focuses it; Esc clears it. */
export function Search({ onOpen }: { onOpen(chatId: string, messageId: string | null, onActivePath: boolean): void }) {
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<Hit[] | null>(null);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'k') {
        event.preventDefault();
        input.current?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  useEffect(() => {
    const query = q.trim();
    if (!query) return setHits(null);
    let current = true;
    const timer = setTimeout(() => {
      api<{ results: Hit[] }>(`/api/search?q=${encodeURIComponent(query)}&limit=20`).then(
        // A chat found by a message as well as by its title is shown by the message (it says more).
        (r) =>
          current &&
          setHits(r.results.filter((h) => h.kind === 'message' || !r.results.some((o) => o.kind === 'message' && o.chat.id === h.chat.id))),
        () => current && setHits([]),
      );
    }, 200);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [q]);

  return (
    <div className="search">
      <input
        ref={input}
        type="search"
        aria-label="Search chats"
        placeholder="Search (Ctrl+K)"
        value={q}
        onChange={(e) => setQ(e.target.value)}
        onKeyDown={(e) => e.key === 'Escape' && setQ('')}
      />
      {hits && (
        <ul className="search-results" aria-label="Search results">
          {hits.length === 0 && <li className="empty">Nothing found.</li>}
          {hits.map((hit) => (
            <li key={`${hit.chat.id}-${hit.messageId ?? 'title'}`}>
              <button type="button" onClick={() => (onOpen(hit.chat.id, hit.messageId, hit.onActivePath), setQ(''))}>
                <span className="hit-title">{hit.chat.title ?? 'Untitled chat'}</span>
                {/* The server escapes the text and adds only <mark>: safe as HTML (see the README, Search). */}
                <span className="snippet" dangerouslySetInnerHTML={{ __html: hit.snippet }} />
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
