import { useState, type FormEvent } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { api } from './api';
import { describeError } from './errors';

/** /reset-password?token=…: the link of a reset mail. Sets the new password, then on to the login screen. */
export function ResetPassword() {
  const token = new URLSearchParams(useLocation().search).get('token') ?? '';
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(token ? null : 'This link has no token: open the link from the mail again.');
  const [done, setDone] = useState(false);
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const newPassword = new FormData(event.currentTarget).get('password');
    await api('/api/auth/password-reset/confirm', { method: 'POST', body: { token, newPassword } }).then(
      () => (setError(null), setDone(true)),
      (err: unknown) => setError(describeError(err)),
    );
  }
  return (
    <main className="auth">
      <div className="auth-card">
        <h1>Set a new password</h1>
        {done ? (
          <>
            <p role="status">Your password has been changed, and every device was logged out. Log in with the new one.</p>
            <button type="button" className="primary" onClick={() => (window.location.href = '/login')}>
              Go to log in
            </button>
          </>
        ) : (
          <form className="auth-form" onSubmit={(e) => void submit(e)} aria-label="Set a new password">
            <label>
              New password <input name="password" type="password" autoComplete="new-password" minLength={8} required />
            </label>
            {error && (
              <p className="error" role="alert">
                {error}
              </p>
            )}
            <button type="submit" className="primary" disabled={!token}>
              Set password
            </button>
            <button type="button" className="link" onClick={() => navigate('/login')}>
              Back to log in
            </button>
          </form>
        )}
      </div>
    </main>
  );
}
