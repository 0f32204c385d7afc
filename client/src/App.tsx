import { useEffect, useRef, useState } from 'react';
import { useMatch } from 'react-router';
import { SESSION_ENDED, api, type User } from './api';
import { AuthScreen } from './AuthScreen';
import { ChatApp } from './ChatApp';
import { ResetPassword } from './ResetPassword';
import { SharedChat } from './SharedChat';
import { Toasts } from './Toasts';

/** Asks the API who is logged in (GET /api/auth/me), then shows the chats or the login screen. */
export function App() {
  const shared = useMatch('/share/:token')?.params.token;
  const resetting = useMatch('/reset-password') !== null;
  const [user, setUser] = useState<User | null | undefined>(undefined);
  // Set when the session ended under the user's feet (logged out elsewhere, disabled by an admin).
  const [ended, setEnded] = useState(false);
  const loggedIn = useRef(false);
  loggedIn.current = Boolean(user);
  useEffect(() => {
    api<{ user: User }>('/api/auth/me').then(
      ({ user }) => setUser(user),
      () => setUser(null),
    );
    const onEnded = () => {
      if (!loggedIn.current) return; // a 401 on the login screen itself says nothing new
      setEnded(true);
      setUser(null);
    };
    // Coming back to the tab: a session ended meanwhile shows at once, not at the next click.
    const onVisible = () => {
      if (document.visibilityState === 'visible') api('/api/auth/me').catch(() => undefined);
    };
    window.addEventListener(SESSION_ENDED, onEnded);
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      window.removeEventListener(SESSION_ENDED, onEnded);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, []);
  return (
    <>
      {shared ? (
        // A shared link opens for anyone, logged in or not.
        <SharedChat token={shared} />
      ) : resetting ? (
        // A reset link opens whoever is logged in here: it is about the account in the mail.
        <ResetPassword />
      ) : user === undefined ? (
        <div className="splash">Loading…</div>
      ) : user === null ? (
        <AuthScreen onLoggedIn={(u) => (setEnded(false), setUser(u))} sessionEnded={ended} />
      ) : (
        <ChatApp user={user} onLoggedOut={() => setUser(null)} />
      )}
      <Toasts />
    </>
  );
}
