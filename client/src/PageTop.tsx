import { Link } from 'react-router';

/** The top of a page beside the chats (settings, admin): the way back, its title, and what just happened or failed. */
export function PageTop({ title, note, error }: { title: string; note: string | null; error: string | null }) {
  return (
    <>
      <header className="topbar">
        <Link to="/" className="back">
          ← Chats
        </Link>
        <h1>{title}</h1>
      </header>
      {note && (
        <p className="note page-note" role="status">
          {note}
        </p>
      )}
      {error && (
        <p className="error banner page-note" role="alert">
          {error}
        </p>
      )}
    </>
  );
}
