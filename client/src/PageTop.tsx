import { Link } from 'react-router';

/** The top of a page beside the chats (settings, admin): the way back, its title, and what failed (what worked is a toast). */
export function PageTop({ title, error }: { title: string; error: string | null }) {
  return (
    <>
      <header className="topbar">
        <Link to="/" className="back">
          ← Chats
        </Link>
        <h1>{title}</h1>
      </header>
      {error && (
        <p className="error banner page-note" role="alert">
          {error}
        </p>
      )}
    </>
  );
}
