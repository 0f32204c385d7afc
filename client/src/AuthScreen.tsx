import { useEffect, useState, type FormEvent } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { api, type Registration, type User } from './api';
import { describeError } from './errors';

/** Log in, or sign up the way the server allows (REGISTRATION): with an invite code, or for an admin's approval. */
export function AuthScreen({ onLoggedIn, sessionEnded = false }: { onLoggedIn: (user: User) => void; sessionEnded?: boolean }) {
  const location = useLocation();
  const navigate = useNavigate();
  const inviteInLink = new URLSearchParams(location.search).get('invite') ?? '';
  const [registration, setRegistration] = useState<Registration>('open');
  const [mode, setMode] = useState<'login' | 'register'>(location.pathname === '/register' || inviteInLink ? 'register' : 'login');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [inviteCode, setInviteCode] = useState(inviteInLink);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api<{ registration: Registration }>('/api/auth/providers').then(
      ({ registration }) => {
        setRegistration(registration);
        if (registration === 'closed') setMode('login');
      },
      () => undefined,
    );
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const invited = mode === 'register' && registration === 'invite' && inviteCode.trim() !== '';
      const body = invited ? { email, password, inviteCode: inviteCode.trim() } : { email, password };
      const { user } = await api<{ user: User }>(`/api/auth/${mode}`, { method: 'POST', body });
      if (user.status === 'pending') return setPending(true);
      if (location.pathname === '/register') navigate('/', { replace: true });
      onLoggedIn(user);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  if (pending) {
    return (
      <main className="auth">
        <section className="auth-card" aria-labelledby="awaiting">
          <h1 id="awaiting">Awaiting approval</h1>
          <p role="status">Your account has been created. An admin needs to approve it before you can log in; try again once they have.</p>
          <button type="button" className="primary" onClick={() => (setPending(false), setMode('login'), setPassword(''))}>
            Back to log in
          </button>
        </section>
      </main>
    );
  }

  const signingUp = mode === 'register';
  return (
    <main className="auth">
      <form className="auth-card" onSubmit={submit} aria-label={signingUp ? 'Create an account' : 'Log in'}>
        <h1>{signingUp ? 'Create your account' : 'Log in'}</h1>
        {sessionEnded && !signingUp && (
          <p className="notice" role="status">
            Your session has ended. Please log in again.
          </p>
        )}
        {signingUp && registration === 'approval' && <p className="hint">An admin approves new accounts before they can be used.</p>}
        <label>
          Email
          <input type="email" name="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label>
          Password
          <input
            type="password"
            name="password"
            autoComplete={signingUp ? 'new-password' : 'current-password'}
            required
            minLength={signingUp ? 8 : undefined}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {signingUp && registration === 'invite' && (
          <label>
            Invite code
            <input name="invite" autoComplete="off" value={inviteCode} onChange={(e) => setInviteCode(e.target.value)} />
          </label>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {signingUp ? 'Create account' : 'Log in'}
        </button>
        {registration !== 'closed' && (
          <button type="button" className="link" onClick={() => (setMode(signingUp ? 'login' : 'register'), setError(null))}>
            {signingUp ? 'Already have an account? Log in' : 'No account yet? Create one'}
          </button>
        )}
      </form>
    </main>
  );
}
