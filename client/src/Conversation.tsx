import { useEffect, useRef, useState, type ClipboardEvent, type DragEvent, type KeyboardEvent, type ReactNode } from 'react';
import type { Message } from './api';
import { ACCEPT, PaperclipIcon, PendingFiles, usePendingFiles } from './Attachments';
import type { TurnProblem } from './ChatApp';
import { MessageView, Outcome, endingOf } from './MessageView';
import { useHeldView } from './useHeldView';

interface Props {
  /** Which chat is open (null: a new one): the message box takes the focus when it changes. */
  chatKey: string | null;
  title: string;
  /** The open chat's menu (none for a new chat). */
  menu?: ReactNode;
  messages: Message[];
  /** Older messages are on the server: `onLoadOlder` when the top is scrolled to. */
  hasOlder: boolean;
  onLoadOlder(): void;
  generating: boolean;
  error: string | null;
  /** A turn that failed, shown where it happened (with Retry). */
  problem: TurnProblem | null;
  onDismissProblem(): void;
  models: { models: { id: string }[] } | null;
  model: string | null;
  onToggleSidebar(): void;
  onModel(model: string): void;
  /** `attachments`: ids of files already uploaded. */
  onSend(content: string, attachments: string[]): void;
  /** Edit and answer again from a sent message. */
  onEdit(messageId: string, content: string): void;
  /** Show another version of a message (makes the path through it the active one). */
  onSwitch(messageId: string): void;
  /** A new chat from the conversation up to a message. */
  onFork(messageId: string): void;
  onStop(): void;
  onRegenerate(): void;
}

export function Conversation(props: Props) {
  const { messages, generating } = props;
  const [draft, setDraft] = useState('');
  const files = usePendingFiles();
  const [fileNote, setFileNote] = useState<string | null>(null);
  const picker = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const box = useRef<HTMLTextAreaElement>(null);
  // The message box has the focus on load, on a new chat and when another chat opens (not on touch
  // screens, where it would open the keyboard over the conversation).
  useEffect(() => {
    // Never taken from a field the user is typing in meanwhile (the search, a title being renamed).
    const typing = document.activeElement?.matches('input, textarea, select, [contenteditable]');
    if (!typing && window.matchMedia?.('(pointer: fine)').matches) box.current?.focus();
  }, [props.chatKey]);
  // A send refused before it was stored belongs to no chat: opening another one puts its text back in
  // the message box (if that is empty) rather than dropping it.
  useEffect(() => {
    const unsent = props.problem?.send;
    if (unsent) setDraft((current) => (current.trim() ? current : unsent.content));
    // Only when another chat opens (this render still has the problem of the one left).
  }, [props.chatKey]);
  const view = useHeldView({
    chatKey: props.chatKey,
    changes: [messages, props.problem],
    hasOlder: props.hasOlder,
    onLoadOlder: props.onLoadOlder,
  });

  const ready = draft.trim().length > 0 && !files.uploading && !files.failed;
  const submit = () => {
    if (!ready || generating) return;
    view.follow();
    props.onSend(draft, files.ids);
    box.current?.focus();
    setDraft('');
    files.clear();
    setFileNote(null);
  };
  const addFiles = (list: FileList | File[] | null | undefined) => {
    const picked = Array.from(list ?? []);
    if (picked.length > 0) setFileNote(files.add(picked));
  };
  // Images pasted into the message box (screenshots) are attached; pasted text stays text.
  const onPaste = (event: ClipboardEvent<HTMLTextAreaElement>) => {
    const pasted = Array.from(event.clipboardData.files);
    if (pasted.length === 0) return;
    event.preventDefault();
    addFiles(pasted);
  };
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    addFiles(event.dataTransfer.files);
  };
  const onDragOver = (event: DragEvent) => {
    if (!event.dataTransfer.types.includes('Files')) return;
    event.preventDefault();
    setDragging(true);
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
  const { problem } = props;
  /** What shows under a message: the failure there, or how the last reply ended (stopped, failed, none), with Retry. */
  const outcomeOf = (m: Message): { note: string; onRetry?: () => void; alert?: boolean } | undefined => {
    if (problem?.at === m.id) return { note: problem.text, onRetry: problem.retry, alert: true };
    if (m !== last || generating) return undefined;
    const note = endingOf(m) ?? (m.role === 'user' ? 'This message has no reply.' : null);
    return note ? { note, onRetry: props.onRegenerate } : undefined;
  };

  return (
    <main
      className={`conversation${dragging ? ' dragging' : ''}`}
      onDrop={onDrop}
      onDragOver={onDragOver}
      onDragLeave={() => setDragging(false)}
    >
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
      <div className="messages" aria-live="polite" ref={view.scroller} onScroll={view.onScroll}>
        <div className="messages-content" ref={view.content}>
          {props.hasOlder && (
            <p className="older" aria-hidden="true">
              Loading earlier messages…
            </p>
          )}
          {messages.length === 0 && !problem?.send && <p className="empty">Ask anything to start a conversation.</p>}
          {messages.map((m) => (
            <MessageView
              key={m.id}
              message={m}
              canEdit={!generating}
              outcome={outcomeOf(m)}
              onEdit={(content) => props.onEdit(m.id, content)}
              onSwitch={props.onSwitch}
              onFork={() => props.onFork(m.id)}
            />
          ))}
          {problem?.send && (
            <article className="message user" data-status="failed">
              <p className="user-text">{problem.send.content}</p>
              <Outcome note={problem.text} onRetry={problem.retry} alert>
                <button
                  type="button"
                  className="small"
                  onClick={() => (setDraft(problem.send!.content), props.onDismissProblem(), box.current?.focus())}
                >
                  Edit
                </button>
              </Outcome>
            </article>
          )}
        </div>
      </div>
      {!view.atBottom && (
        <button type="button" className="to-bottom" aria-label="Jump to the newest message" onClick={view.toBottom}>
          ↓
        </button>
      )}
      {props.error && (
        <p className="error banner" role="alert">
          {props.error}
        </p>
      )}
      <footer className="composer">
        {!generating && last?.role === 'assistant' && last.status === 'complete' && problem?.at !== last.id && (
          <button type="button" className="regenerate" onClick={props.onRegenerate}>
            ↻ Regenerate
          </button>
        )}
        <PendingFiles files={files.files} onRemove={files.remove} />
        {fileNote && (
          <p className="error" role="alert">
            {fileNote}
          </p>
        )}
        <input
          ref={picker}
          type="file"
          multiple
          hidden
          accept={ACCEPT}
          aria-label="Files to attach"
          onChange={(e) => {
            addFiles(e.target.files);
            e.target.value = '';
          }}
        />
        <button
          type="button"
          className="icon attach"
          aria-label="Attach files"
          title="Attach images or documents"
          onClick={() => picker.current?.click()}
        >
          <PaperclipIcon />
        </button>
        <textarea
          ref={box}
          aria-label="Message"
          placeholder="Message (Enter to send, Shift+Enter for a new line)"
          rows={2}
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
        />
        {generating ? (
          <button type="button" className="stop" onClick={props.onStop}>
            ■ Stop
          </button>
        ) : (
          <button type="button" className="primary send" onClick={submit} disabled={!ready}>
            Send
          </button>
        )}
      </footer>
    </main>
  );
}
