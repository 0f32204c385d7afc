import { useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import type { Message } from './api';
import { MessageView } from './MessageView';

interface Props {
  title: string;
  /** The open chat's menu (none for a new chat). */
  menu?: ReactNode;
  messages: Message[];
  generating: boolean;
  error: string | null;
  models: { models: { id: string }[] } | null;
  model: string | null;
  onToggleSidebar(): void;
  onModel(model: string): void;
  onSend(content: string): void;
  /** Edit and answer again from a sent message. */
  onEdit(messageId: string, content: string): void;
  onStop(): void;
  onRegenerate(): void;
}

export function Conversation(props: Props) {
  const { messages, generating } = props;
  const [draft, setDraft] = useState('');
  const end = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // Braces matter: newer browsers return a promise from scrollIntoView, and an effect may only return a cleanup.
    void end.current?.scrollIntoView?.({ block: 'end' });
  }, [messages]);

  const submit = () => {
    if (!draft.trim() || generating) return;
    props.onSend(draft);
    setDraft('');
  };
  // Enter sends; Shift+Enter (or an IME composition) writes a new line; Esc stops a reply being written.
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
    if (event.key === 'Escape' && generating) props.onStop();
  };
  const last = messages.at(-1);

  return (
    <main className="conversation">
      <header className="topbar">
        <button type="button" className="icon menu" aria-label="Show chats" onClick={props.onToggleSidebar}>
          ☰
        </button>
        <h1>{props.title}</h1>
        {props.menu}
        {props.models && (
          <select aria-label="Model" value={props.model ?? ''} onChange={(e) => props.onModel(e.target.value)}>
            {props.models.models.map((m) => (
              <option key={m.id} value={m.id}>
                {m.id}
              </option>
            ))}
          </select>
        )}
      </header>
      <div className="messages" aria-live="polite">
        {messages.length === 0 && <p className="empty">Ask anything to start a conversation.</p>}
        {messages.map((m) => (
          <MessageView key={m.id} message={m} canEdit={!generating} onEdit={(content) => props.onEdit(m.id, content)} />
        ))}
        <div ref={end} />
      </div>
      {props.error && (
        <p className="error banner" role="alert">
          {props.error}
        </p>
      )}
      <footer className="composer">
        {!generating && last && (last.role === 'user' || last.status !== 'streaming') && (
          <button type="button" className="regenerate" onClick={props.onRegenerate}>
            ↻ Regenerate
          </button>
        )}
        <textarea
          aria-label="Message"
          placeholder="Message (Enter to send, Shift+Enter for a new line)"
          rows={2}
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={onKeyDown}
        />
        {generating ? (
          <button type="button" className="stop" onClick={props.onStop}>
            ■ Stop
          </button>
        ) : (
          <button type="button" className="primary send" onClick={submit} disabled={!draft.trim()}>
            Send
          </button>
        )}
      </footer>
    </main>
  );
}
