import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../api';
import { copyText } from '../Toasts';

interface Invite {
  code: string;
  url: string;
  email: string | null;
  expiresAt: string;
  usedAt: string | null;
}

/** Invites to sign up (REGISTRATION=invite): create one (for one email, or anyone), copy its link, revoke it. */
export function AdminInvites({ fail, done }: { fail(err: unknown): void; done(what: string): void }) {
  const [invites, setInvites] = useState<Invite[]>([]);
  const load = () => void api<{ invites: Invite[] }>('/api/admin/invites').then((r) => setInvites(r.invites), fail);
  useEffect(load, [fail]);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const email = String(data.get('email') ?? '').trim();
    const body = { expiresInDays: Number(data.get('days')), ...(email ? { email } : {}) };
    await api<{ invite: Invite }>('/api/admin/invites', { method: 'POST', body }).then(({ invite }) => {
      form.reset();
      setInvites((shown) => [invite, ...shown]);
      done('Invite created: copy its link and send it.');
    }, fail);
  }
  // Copying changes nothing: a toast, without `done` (which reads the admin page's sections again).
  const copy = (invite: Invite) => copyText(invite.url, 'Invite link copied.');
  const revoke = (invite: Invite) =>
    api(`/api/admin/invites/${encodeURIComponent(invite.code)}`, { method: 'DELETE' }).then(() => {
      setInvites((shown) => shown.filter((i) => i.code !== invite.code));
      done('Invite revoked.');
    }, fail);

  return (
    <section aria-labelledby="invites">
      <h2 id="invites">Invites</h2>
      <form className="stack" onSubmit={(e) => void create(e)}>
        <label>
          For this email only (optional) <input name="email" type="email" autoComplete="off" />
        </label>
        <label>
          Valid for (days) <input name="days" type="number" min={1} max={365} defaultValue={7} required />
        </label>
        <button type="submit">Create invite</button>
      </form>
      {invites.length === 0 && <p className="empty">No invites yet.</p>}
      <ul className="admin-list">
        {invites.map((invite) => (
          <li key={invite.code}>
            <code id={`invite-${invite.code}`} className="invite-url">
              {invite.url}
            </code>
            <span className="muted">
              {invite.email ? `for ${invite.email}` : 'for anyone'} ·{' '}
              {invite.usedAt
                ? `used ${new Date(invite.usedAt).toLocaleString()}`
                : `expires ${new Date(invite.expiresAt).toLocaleString()}`}
            </span>
            {!invite.usedAt && (
              <span className="actions">
                <button type="button" onClick={() => copy(invite)}>
                  Copy link
                </button>
                <button type="button" onClick={() => void revoke(invite)}>
                  Revoke
                </button>
              </span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
