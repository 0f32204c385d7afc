import { useEffect, useState } from 'react';
import { useMatch } from 'react-router';
import { api, type User } from './api';
import { AuthScreen } from './AuthScreen';
import { ChatApp } from './ChatApp';
import { SharedChat } from './SharedChat';

/** Asks the API who is logged in (GET /api/auth/me), then shows the chats or the login screen. */
export function App() {
  const shared = useMatch('/share/:token')?.params.token;
  const [user, setUser] = useState<User | null | undefined>(undefined);
  useEffect(() => {
    api<{ user: User }>('/api/auth/me').then(
      ({ user }) => setUser(user),
      () => setUser(null),
    );
  }, []);
  // A shared link opens for anyone, logged in or not.
  if (shared) return <SharedChat token={shared} />;
  if (user === undefined) return <div className="splash">Loading…</div>;
  if (user === null) return <AuthScreen onLoggedIn={setUser} />;
  return <ChatApp user={user} onLoggedOut={() => setUser(null)} />;
}
