import { useState, type FormEvent } from 'react';
import { api, type User } from './api';
import { describeError } from './errors';

export function AuthScreen({ onLoggedIn }: { onLoggedIn: (user: User) => void }) {
  const [mode, setMode] = useState<'login' | 'register'>('login');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { user } = await api<{ user: User }>(`/api/auth/${mode}`, { method: 'POST', body: { email, password } });
      onLoggedIn(user);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="auth">
      <form className="auth-card" onSubmit={submit} aria-label={mode === 'login' ? 'Log in' : 'Create an account'}>
        <h1>{mode === 'login' ? 'Log in' : 'Create your account'}</h1>
        <label>
          Email
          <input type="email" name="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label>
          Password
          <input
            type="password"
            name="password"
            autoComplete={mode === 'login' ? 'current-password' : 'new-password'}
            required
            minLength={mode === 'register' ? 8 : undefined}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {mode === 'login' ? 'Log in' : 'Create account'}
        </button>
        <button type="button" className="link" onClick={() => (setMode(mode === 'login' ? 'register' : 'login'), setError(null))}>
          {mode === 'login' ? 'No account yet? Create one' : 'Already have an account? Log in'}
        </button>
      </form>
    </main>
  );
}
