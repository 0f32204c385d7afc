import { useEffect, useState, type FormEvent } from 'react';
import { ConfirmDialog } from './ConfirmDialog';
import { PageTop } from './PageTop';
import { toast } from './Toasts';
import { saveTheme, storedTheme, type Theme } from './theme';
import { api, type User } from './api';
import { describeError } from './errors';
import { UsageChart, type UsageReport } from './UsageChart';

interface Session {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  userAgent: string | null;
  current: boolean;
}

/** "Chrome on Windows" from a user agent (enough to recognise a device, nothing more). */
export function deviceOf(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const ua = userAgent;
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /Firefox\//.test(ua)
      ? 'Firefox'
      : /Chrome\//.test(ua)
        ? 'Chrome'
        : /Safari\//.test(ua)
          ? 'Safari'
          : /curl|node|axios|python/i.test(ua)
            ? 'A script'
            : 'A browser';
  const os = /Android/.test(ua)
    ? 'Android'
    : /iPhone|iPad/.test(ua)
      ? 'iOS'
      : /Windows/.test(ua)
        ? 'Windows'
        : /Mac OS X/.test(ua)
          ? 'macOS'
          : /Linux/.test(ua)
            ? 'Linux'
            : '';
  return os ? `${browser} on ${os}` : browser;
}

/** The account page (/settings): password, sessions, usage, data, and deleting the account. */
export default function Settings({ user, onLoggedOut, onImported }: { user: User; onLoggedOut(): void; onImported(): void }) {
  const [theme, setTheme] = useState<Theme>(storedTheme);
  const [sessions, setSessions] = useState<Session[]>([]);
  const [usage, setUsage] = useState<UsageReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const fail = (err: unknown) => setError(describeError(err));
  const loadSessions = () => api<{ sessions: Session[] }>('/api/auth/sessions').then((r) => setSessions(r.sessions), fail);

  useEffect(() => {
    void loadSessions();
    api<UsageReport>('/api/usage').then(setUsage, fail);
    // eslint-disable-next-line -- once, on opening the page
  }, []);

  // What just worked is said in a toast; what failed stays on the page until the next try.
  const done = (message: string) => (setError(null), toast(message));
  // Deleting the account asks first, in the app's own dialog.
  const [deletingWith, setDeletingWith] = useState<object | null>(null);
  const deleteAccountNow = (body: object) => {
    setDeletingWith(null);
    void api('/api/auth/me', { method: 'DELETE', body }).then(onLoggedOut, fail);
  };
  // An account made by single sign-on may have no password yet: it sets one instead of changing it.
  const [hasPassword, setHasPassword] = useState(user.hasPassword !== false);
  async function changePassword(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const body = hasPassword ? { currentPassword: form.get('current'), newPassword: form.get('new') } : { newPassword: form.get('new') };
    await api('/api/auth/password', { method: 'POST', body }).then(() => {
      formElement.reset();
      done(hasPassword ? 'Password changed. Your other devices were logged out.' : 'Password set: you can now also log in with it.');
      setHasPassword(true);
      void loadSessions();
    }, fail);
  }
  async function importFile(file: File | undefined) {
    if (!file) return;
    const text = await file.text();
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      return setError('That file is not an export of this app (it is not JSON).');
    }
    await api<{ imported: { chats: number; messages: number } }>('/api/import', { method: 'POST', body: data }).then((r) => {
      done(`Imported ${r.imported.chats} chat${r.imported.chats === 1 ? '' : 's'} (${r.imported.messages} messages).`);
      onImported(); // the chat list shows them at once
    }, fail);
  }
  function deleteAccount(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const proof = new FormData(event.currentTarget).get('proof');
    setDeletingWith(hasPassword ? { password: proof } : { confirmEmail: proof });
  }

  return (
    <main className="conversation settings">
      <PageTop title="Settings" error={error} />
      <div className="settings-body">
        <section aria-labelledby="account">
          <h2 id="account">Account</h2>
          <p>
            {user.email} · since {new Date(user.createdAt).toLocaleDateString()}
          </p>
          {user.sso && <p>You sign in with {user.sso.name}.</p>}
          <form onSubmit={(e) => void changePassword(e)} className="stack" aria-label={hasPassword ? 'Change password' : 'Set a password'}>
            {hasPassword && (
              <label>
                Current password <input name="current" type="password" autoComplete="current-password" required />
              </label>
            )}
            <label>
              New password <input name="new" type="password" autoComplete="new-password" minLength={8} required />
            </label>
            <button type="submit">{hasPassword ? 'Change password' : 'Set a password'}</button>
          </form>
        </section>
        <section aria-labelledby="appearance">
          <h2 id="appearance">Appearance</h2>
          <label className="inline-field">
            Theme{' '}
            <select value={theme} onChange={(e) => (setTheme(e.target.value as Theme), saveTheme(e.target.value as Theme))}>
              <option value="system">Same as the system</option>
              <option value="light">Light</option>
              <option value="dark">Dark</option>
            </select>
          </label>
        </section>
        <section aria-labelledby="sessions">
          <h2 id="sessions">Where you are logged in</h2>
          <ul className="sessions">
            {sessions.map((s) => (
              <li key={s.id}>
                <span>
                  {deviceOf(s.userAgent)} · last seen {new Date(s.lastSeenAt).toLocaleString()}
                  {s.current && <strong> · this device</strong>}
                </span>
                {!s.current && (
                  <button
                    type="button"
                    onClick={() => void api(`/api/auth/sessions/${s.id}`, { method: 'DELETE' }).then(loadSessions, fail)}
                  >
                    Log out this device
                  </button>
                )}
              </li>
            ))}
          </ul>
          <button type="button" onClick={() => void api('/api/auth/logout-all', { method: 'POST' }).then(onLoggedOut, fail)}>
            Log out everywhere
          </button>
        </section>
        <section aria-labelledby="usage">
          <h2 id="usage">Usage</h2>
          {usage && <UsageChart report={usage} />}
        </section>
        <section aria-labelledby="data">
          <h2 id="data">Your data</h2>
          <a href="/api/export" download className="button">
            Export all my chats (JSON)
          </a>
          <label className="import">
            Import an export <input type="file" accept="application/json,.json" onChange={(e) => void importFile(e.target.files?.[0])} />
          </label>
        </section>
        <section aria-labelledby="delete">
          <h2 id="delete">Delete your account</h2>
          <form onSubmit={deleteAccount} className="stack">
            {hasPassword ? (
              <label>
                Your password <input name="proof" type="password" autoComplete="current-password" required />
              </label>
            ) : (
              <label>
                Type your email ({user.email}) to confirm <input name="proof" type="email" autoComplete="off" required />
              </label>
            )}
            <button type="submit" className="danger">
              Delete my account and all my chats
            </button>
          </form>
        </section>
      </div>
      {deletingWith && (
        <ConfirmDialog
          title="Delete your account?"
          body="Your account and every chat in it will be deleted. This cannot be undone."
          confirmLabel="Delete my account"
          onConfirm={() => deleteAccountNow(deletingWith)}
          onCancel={() => setDeletingWith(null)}
        />
      )}
    </main>
  );
}
