import { useEffect, useState } from 'react';
import { ApiError, api, type Attachment } from './api';
import { MessageFiles } from './Attachments';
import { ReplyText } from './ReplyText';

interface Snapshot {
  title: string | null;
  messages: { role: 'user' | 'assistant'; content: string; createdAt: string; attachments: Attachment[] }[];
  sharedAt: string;
}

/** A shared chat (/share/<token>), read-only, for anyone with the link: no login. */
export function SharedChat({ token }: { token: string }) {
  const [snapshot, setSnapshot] = useState<Snapshot | null | undefined>(undefined);
  useEffect(() => {
    api<Snapshot>(`/api/shared/${encodeURIComponent(token)}`).then(setSnapshot, (err: unknown) =>
      setSnapshot(err instanceof ApiError && (err.status === 404 || err.status === 400) ? null : undefined),
    );
  }, [token]);
  if (snapshot === undefined) return <div className="splash">Loading…</div>;
  if (snapshot === null) {
    return (
      <main className="shared not-found">
        <h1>Shared chat not found</h1>
        <p>This shared chat does not exist, or it is no longer shared.</p>
      </main>
    );
  }
  return (
    <main className="shared">
      <header>
        <h1>{snapshot.title ?? 'Shared chat'}</h1>
        <p className="shared-at">Shared {new Date(snapshot.sharedAt).toLocaleString()} · read-only</p>
      </header>
      <div className="messages">
        {snapshot.messages.map((m, i) => (
          <article key={i} className={`message ${m.role}`}>
            {m.role === 'user' ? (
              <>
                <MessageFiles attachments={m.attachments ?? []} shareToken={token} />
                <p className="user-text">{m.content}</p>
              </>
            ) : (
              <ReplyText text={m.content} />
            )}
          </article>
        ))}
      </div>
    </main>
  );
}
