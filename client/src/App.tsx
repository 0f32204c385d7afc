import { useEffect, useState } from 'react';
import { api, type User } from './api';
import { AuthScreen } from './AuthScreen';
import { ChatApp } from './ChatApp';

/** Asks the API who is logged in (GET /api/auth/me), then shows the chats or the login screen. */
export function App() {
  const [user, setUser] = useState<User | null | undefined>(undefined);
  useEffect(() => {
    api<{ user: User }>('/api/auth/me').then(
      ({ user }) => setUser(user),
      () => setUser(null),
    );
  }, []);
  if (user === undefined) return <div className="splash">Loading…</div>;
  if (user === null) return <AuthScreen onLoggedIn={setUser} />;
  return <ChatApp user={user} onLoggedOut={() => setUser(null)} />;
}
