import { useEffect, useState, type FormEvent } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { ApiError, api, type Providers, type User } from './api';
import { describeError } from './errors';

type Mode = 'login' | 'register' | 'forgot';
const OPEN: Providers = { registration: 'open', password: true, oidc: null, passwordReset: false };
/** Screens of the signed-out app: once signed in, they lead to the chats. */
const SIGNED_OUT_PATHS = new Set(['/login', '/register']);

/**
 * Log in, or sign up the way the server allows (REGISTRATION): with an invite code, or for an admin's
 * approval; single sign-on when configured; "Forgot password?" when mail is.
 */
export function AuthScreen({ onLoggedIn, sessionEnded = false }: { onLoggedIn: (user: User) => void; sessionEnded?: boolean }) {
  const location = useLocation();
  const navigate = useNavigate();
  const params = new URLSearchParams(location.search);
  const inviteInLink = params.get('invite') ?? '';
  const ssoError = params.get('error');
  const [providers, setProviders] = useState<Providers>(OPEN);
  const [mode, setMode] = useState<Mode>(location.pathname === '/register' || inviteInLink ? 'register' : 'login');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [inviteCode, setInviteCode] = useState(inviteInLink);
  const [error, setError] = useState<string | null>(ssoError ? describeError(new ApiError(403, ssoError, '')) : null);
  const [note, setNote] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api<Providers>('/api/auth/providers').then(
      (found) => {
        setProviders(found);
        if (found.registration === 'closed' || !found.password) setMode('login');
      },
      () => undefined,
    );
  }, []);

  const switchTo = (next: Mode) => (setMode(next), setError(null), setNote(null));
  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (mode === 'forgot') {
        await api('/api/auth/password-reset', { method: 'POST', body: { email } });
        return setNote('If an account has this email, a link to set a new password is on its way. It works for 30 minutes.');
      }
      const invited = mode === 'register' && providers.registration === 'invite' && inviteCode.trim() !== '';
      const body = invited ? { email, password, inviteCode: inviteCode.trim() } : { email, password };
      const { user } = await api<{ user: User }>(`/api/auth/${mode}`, { method: 'POST', body });
      if (user.status === 'pending') return setPending(true);
      if (SIGNED_OUT_PATHS.has(location.pathname)) navigate('/', { replace: true });
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
          <button type="button" className="primary" onClick={() => (setPending(false), switchTo('login'), setPassword(''))}>
            Back to log in
          </button>
        </section>
      </main>
    );
  }

  const signingUp = mode === 'register';
  const returnTo = SIGNED_OUT_PATHS.has(location.pathname) ? '/' : location.pathname;
  const title = mode === 'forgot' ? 'Reset your password' : signingUp ? 'Create your account' : 'Log in';
  return (
    <main className="auth">
      <div className="auth-card">
        <h1>{title}</h1>
        {sessionEnded && mode === 'login' && (
          <p className="notice" role="status">
            Your session has ended. Please log in again.
          </p>
        )}
        {providers.oidc && mode !== 'forgot' && (
          <a className="button primary sso" href={`${providers.oidc.loginUrl}?returnTo=${encodeURIComponent(returnTo)}`}>
            Continue with {providers.oidc.name}
          </a>
        )}
        {error && !providers.password && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {providers.password && (
          <form className="auth-form" onSubmit={submit} aria-label={title}>
            {signingUp && providers.registration === 'approval' && (
              <p className="hint">An admin approves new accounts before they can be used.</p>
            )}
            {mode === 'forgot' && <p className="hint">Give the email of your account: we mail you a link to set a new password.</p>}
            <label>
              Email
              <input type="email" name="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
            </label>
            {mode !== 'forgot' && (
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
            )}
            {signingUp && providers.registration === 'invite' && (
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
            {note && (
              <p className="notice" role="status">
                {note}
              </p>
            )}
            <button type="submit" className="primary" disabled={busy}>
              {mode === 'forgot' ? 'Send me a link' : signingUp ? 'Create account' : 'Log in'}
            </button>
            {mode === 'login' && providers.passwordReset && (
              <button type="button" className="link" onClick={() => switchTo('forgot')}>
                Forgot password?
              </button>
            )}
            {mode !== 'forgot' && providers.registration !== 'closed' && (
              <button type="button" className="link" onClick={() => switchTo(signingUp ? 'login' : 'register')}>
                {signingUp ? 'Already have an account? Log in' : 'No account yet? Create one'}
              </button>
            )}
            {mode === 'forgot' && (
              <button type="button" className="link" onClick={() => switchTo('login')}>
                Back to log in
              </button>
            )}
          </form>
        )}
      </div>
    </main>
  );
}
