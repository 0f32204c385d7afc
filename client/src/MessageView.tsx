import { useState, type ReactNode } from 'react';
import { ApiError, api, type Message } from './api';
import { describeFailure } from './errors';
import { MessageFiles } from './Attachments';
import { ReplyText } from './ReplyText';
import { copyText } from './Toasts';

/** How a reply ended when not complete: "Stopped", or why it failed (from its stored error code, so a reload shows it too). */
export function endingOf(m: Message): string | null {
  if (m.status === 'stopped') return 'Stopped';
  if (m.status !== 'error') return null;
  return (m.errorCode && describeFailure(new ApiError(0, m.errorCode, ''))) || 'The reply was interrupted.';
}

interface Props {
  message: Message;
  /** No reply is being written: edit, switch and fork are offered. */
  canEdit: boolean;
  /** How its turn ended, when that shows under it (stopped, failed, no reply) with Retry. */
  outcome?: { note: string; onRetry?: () => void; alert?: boolean };
  onEdit(content: string): void;
  /** Show another version of this message (a sibling's id). */
  onSwitch(messageId: string): void;
  /** A new chat from the conversation up to this message. */
  onFork(): void;
}

/** A thumb (up, or turned down): drawn, so it shows alike on every system, with or without an emoji font. */
const Thumb = ({ down }: { down?: boolean }) => (
  <svg
    viewBox="0 0 24 24"
    width="15"
    height="15"
    aria-hidden="true"
    fill="none"
    stroke="currentColor"
    strokeWidth="2"
    strokeLinecap="round"
    strokeLinejoin="round"
    style={down ? { transform: 'scaleY(-1)' } : undefined}
  >
    <path d="M7 10v11H4a1 1 0 0 1-1-1v-9a1 1 0 0 1 1-1h3Zm0 0 4-8a3 3 0 0 1 3 3v4h5.5a2 2 0 0 1 2 2.3l-1.4 8a2 2 0 0 1-2 1.7H7" />
  </svg>
);

/** 👍 / 👎 under a reply: a second press on the same one takes it back. */
function Rating({ message: m }: { message: Message }) {
  const [rating, setRating] = useState(m.feedback?.rating ?? null);
  const rate = (pressed: 'up' | 'down') => {
    const next = rating === pressed ? null : pressed;
    setRating(next);
    api(`/api/chats/${m.chatId}/messages/${m.id}/feedback`, { method: 'PUT', body: { rating: next } }).catch(() =>
      setRating(m.feedback?.rating ?? null),
    );
  };
  return (
    <span className="rating" role="group" aria-label="Rate this reply">
      <button type="button" className="small" aria-label="Good reply" aria-pressed={rating === 'up'} onClick={() => rate('up')}>
        <Thumb />
      </button>
      <button type="button" className="small" aria-label="Bad reply" aria-pressed={rating === 'down'} onClick={() => rate('down')}>
        <Thumb down />
      </button>
    </span>
  );
}

/** "‹ 2 / 3 ›" under a message with several versions: the previous and next ones. */
function Versions({ message: m, disabled, onSwitch }: { message: Message; disabled: boolean; onSwitch(id: string): void }) {
  const at = m.siblingIds.indexOf(m.id);
  if (m.siblingIds.length < 2 || at < 0) return null;
  return (
    <span className="versions" role="group" aria-label="Versions">
      <button
        type="button"
        className="small"
        aria-label="Previous version"
        disabled={disabled || at === 0}
        onClick={() => onSwitch(m.siblingIds[at - 1]!)}
      >
        ‹
      </button>
      <span aria-live="polite">
        {at + 1} / {m.siblingIds.length}
      </span>
      <button
        type="button"
        className="small"
        aria-label="Next version"
        disabled={disabled || at === m.siblingIds.length - 1}
        onClick={() => onSwitch(m.siblingIds[at + 1]!)}
      >
        ›
      </button>
    </span>
  );
}

/** One message: its text (a reply as Markdown), its versions, Copy, Branch in new chat, and for a sent message, Edit. */
export function MessageView({ message: m, canEdit, outcome, onEdit, onSwitch, onFork }: Props) {
  const [editing, setEditing] = useState<string | null>(null);
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
        <ReplyText text={m.content} />
      )}
      {m.status === 'streaming' && !m.content && <span className="typing">Thinking…</span>}
      {outcome ? <Outcome {...outcome} /> : endingOf(m) && <span className="status-note">{endingOf(m)}</span>}
      {editing === null && m.content && m.status !== 'streaming' && (
        <div className="message-actions">
          <Versions message={m} disabled={!canEdit} onSwitch={onSwitch} />
          <button
            type="button"
            className="small"
            onClick={() => copyText(m.content)}
            aria-label={m.role === 'user' ? 'Copy your text' : 'Copy the reply'}
          >
            Copy
          </button>
          {m.role === 'assistant' && <Rating message={m} />}
          {m.role === 'user' && canEdit && (
            <button type="button" className="small" onClick={() => setEditing(m.content)} aria-label="Edit your text">
              Edit
            </button>
          )}
          {canEdit && (
            <button type="button" className="small" onClick={onFork}>
              Branch in new chat
            </button>
          )}
        </div>
      )}
    </article>
  );
}

interface OutcomeProps {
  note: string;
  onRetry?: () => void;
  /** A failure that just happened (announced), not one read back with the chat. */
  alert?: boolean;
  children?: ReactNode;
}

/** How a turn ended, under its message: the reason in one sentence, and Retry (and what else fits). */
export function Outcome({ note, onRetry, alert, children }: OutcomeProps) {
  return (
    <div className={`outcome${alert ? ' failed' : ''}`} role={alert ? 'alert' : undefined}>
      <span className="status-note">{note}</span>
      {onRetry && (
        <button type="button" className="small" onClick={onRetry}>
          Retry
        </button>
      )}
      {children}
    </div>
  );
}
