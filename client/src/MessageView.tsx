import { useState } from 'react';
import type { Message } from './api';
import { MessageFiles } from './Attachments';
import { Markdown } from './Markdown';

const STATUS_NOTE: Partial<Record<Message['status'], string>> = {
  stopped: 'Stopped',
  error: 'The reply was interrupted',
};

/** One message: its text (a reply as Markdown), a Copy button, and for a sent message, Edit. */
export function MessageView({ message: m, canEdit, onEdit }: { message: Message; canEdit: boolean; onEdit(content: string): void }) {
  const [copied, setCopied] = useState(false);
  const [editing, setEditing] = useState<string | null>(null);
  const copy = () =>
    void navigator.clipboard?.writeText(m.content).then(() => {
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    });
  const save = () => {
    if (editing === null || !editing.trim()) return;
    onEdit(editing);
    setEditing(null);
  };

  return (
    <article id={`m-${m.id}`} className={`message ${m.role}`} data-status={m.status}>
      {editing !== null ? (
        <div className="edit">
          <textarea aria-label="Your new text" value={editing} rows={3} onChange={(e) => setEditing(e.target.value)} />
          <div className="edit-actions">
            <button type="button" onClick={() => setEditing(null)}>
              Cancel
            </button>
            <button type="button" className="primary" onClick={save} disabled={!editing.trim()}>
              Save and answer again
            </button>
          </div>
        </div>
      ) : m.role === 'user' ? (
        <>
          <MessageFiles attachments={m.attachments ?? []} />
          <p className="user-text">{m.content}</p>
        </>
      ) : (
        <Markdown text={m.content} />
      )}
      {m.status === 'streaming' && !m.content && <span className="typing">Thinking…</span>}
      {STATUS_NOTE[m.status] && <span className="status-note">{STATUS_NOTE[m.status]}</span>}
      {editing === null && m.content && m.status !== 'streaming' && (
        <div className="message-actions">
          <button type="button" className="small" onClick={copy} aria-label={m.role === 'user' ? 'Copy your text' : 'Copy the reply'}>
            {copied ? 'Copied' : 'Copy'}
          </button>
          {m.role === 'user' && canEdit && (
            <button type="button" className="small" onClick={() => setEditing(m.content)} aria-label="Edit your text">
              Edit
            </button>
          )}
        </div>
      )}
    </article>
  );
}
