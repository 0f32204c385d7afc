import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api } from '../api';

export interface AdminUser {
  id: string;
  email: string;
  role: 'user' | 'admin';
  status: 'active' | 'pending' | 'disabled';
  createdAt: string;
  lastSeenAt: string | null;
  tokensToday: number;
  dailyTokenLimit: number | null;
  allowedModels: string[] | null;
  chats: number;
}

interface Props {
  models: string[];
  selfId: string;
  fail(err: unknown): void;
  done(what: string): void;
}

/** Search, filter, approve, disable, promote, limit and delete users; create accounts. */
export function AdminUsers({ models, selfId, fail, done }: Props) {
  const [q, setQ] = useState('');
  const [status, setStatus] = useState('');
  const [users, setUsers] = useState<AdminUser[]>([]);
  const [next, setNext] = useState<string | null>(null);

  const load = useCallback(
    (cursor?: string) => {
      const query = new URLSearchParams({ limit: '50', ...(q ? { q } : {}), ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) });
      api<{ users: AdminUser[]; nextCursor: string | null }>(`/api/admin/users?${query}`).then((page) => {
        setUsers((shown) => (cursor ? [...shown, ...page.users] : page.users));
        setNext(page.nextCursor);
      }, fail);
    },
    [q, status, fail],
  );
  useEffect(() => load(), [load]);

  const change = (user: AdminUser, body: Partial<AdminUser>, what: string) =>
    api<{ user: AdminUser }>(`/api/admin/users/${user.id}`, { method: 'PATCH', body }).then(({ user: changed }) => {
      setUsers((shown) => shown.map((u) => (u.id === changed.id ? changed : u)));
      done(what);
    }, fail);
  const remove = (user: AdminUser) =>
    api(`/api/admin/users/${user.id}`, { method: 'DELETE' }).then(() => {
      setUsers((shown) => shown.filter((u) => u.id !== user.id));
      done(`${user.email} was deleted.`);
    }, fail);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const body = { email: data.get('email'), password: data.get('password'), role: data.get('role') };
    await api<{ user: AdminUser }>('/api/admin/users', { method: 'POST', body }).then(({ user }) => {
      form.reset();
      setUsers((shown) => [user, ...shown]);
      done(`Account ${user.email} created.`);
    }, fail);
  }

  return (
    <section aria-labelledby="users" className="admin-users">
      <h2 id="users">Users</h2>
      <div className="admin-filters">
        <label>
          Search by email <input type="search" value={q} onChange={(e) => setQ(e.target.value)} />
        </label>
        <label>
          Status
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">All</option>
            <option value="pending">Awaiting approval</option>
            <option value="active">Active</option>
            <option value="disabled">Disabled</option>
          </select>
        </label>
      </div>
      {users.length === 0 && <p className="empty">No users match.</p>}
      <ul className="admin-list">
        {users.map((user) => (
          <UserRow key={user.id} user={user} models={models} self={user.id === selfId} change={change} remove={remove} />
        ))}
      </ul>
      {next && (
        <button type="button" onClick={() => load(next)}>
          Show more users
        </button>
      )}
      <details className="admin-create">
        <summary>Create an account</summary>
        <form className="stack" onSubmit={(e) => void create(e)}>
          <label>
            Email <input name="email" type="email" required autoComplete="off" />
          </label>
          <label>
            Password <input name="password" type="password" required minLength={8} autoComplete="new-password" />
          </label>
          <label>
            Role
            <select name="role" defaultValue="user">
              <option value="user">User</option>
              <option value="admin">Admin</option>
            </select>
          </label>
          <button type="submit">Create account</button>
        </form>
      </details>
    </section>
  );
}

interface RowProps {
  user: AdminUser;
  models: string[];
  self: boolean;
  change(user: AdminUser, body: Partial<AdminUser>, what: string): Promise<void>;
  remove(user: AdminUser): Promise<void>;
}

const STATUS_WORDS = { active: 'active', pending: 'awaiting approval', disabled: 'disabled' };

function UserRow({ user, models, self, change, remove }: RowProps) {
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const seen = user.lastSeenAt ? new Date(user.lastSeenAt).toLocaleString() : 'never';
  return (
    <li className={`admin-user ${user.status}`}>
      <div className="who">
        <strong>{user.email}</strong>
        {user.role === 'admin' && <span className="badge">admin</span>}
        {self && <span className="badge">you</span>}
        <span className="muted">
          {STATUS_WORDS[user.status]} · last seen {seen} · {user.tokensToday.toLocaleString()} tokens today
          {user.dailyTokenLimit !== null ? ` of ${user.dailyTokenLimit.toLocaleString()}` : ''} · {user.chats} chats
          {user.allowedModels ? ` · models: ${user.allowedModels.join(', ')}` : ''}
        </span>
      </div>
      <div className="actions">
        {user.status === 'pending' && (
          <button
            type="button"
            aria-label={`Approve ${user.email}`}
            onClick={() => void change(user, { status: 'active' }, `${user.email} was approved.`)}
          >
            Approve
          </button>
        )}
        {user.status === 'active' && (
          <button
            type="button"
            aria-label={`Disable ${user.email}`}
            onClick={() => void change(user, { status: 'disabled' }, `${user.email} was disabled and logged out.`)}
          >
            Disable
          </button>
        )}
        {user.status === 'disabled' && (
          <button
            type="button"
            aria-label={`Enable ${user.email}`}
            onClick={() => void change(user, { status: 'active' }, `${user.email} was enabled.`)}
          >
            Enable
          </button>
        )}
        <button
          type="button"
          aria-label={user.role === 'admin' ? `Remove admin: ${user.email}` : `Make admin: ${user.email}`}
          onClick={() =>
            void change(
              user,
              { role: user.role === 'admin' ? 'user' : 'admin' },
              `${user.email} is ${user.role === 'admin' ? 'no longer an admin' : 'now an admin'}.`,
            )
          }
        >
          {user.role === 'admin' ? 'Remove admin' : 'Make admin'}
        </button>
        <button type="button" aria-label={`Limits for ${user.email}`} aria-expanded={editing} onClick={() => setEditing(!editing)}>
          Limits
        </button>
        <button type="button" className="danger" aria-label={`Delete ${user.email}`} onClick={() => setConfirming(true)}>
          Delete
        </button>
      </div>
      {editing && <LimitsForm user={user} models={models} save={(body) => change(user, body, `Limits of ${user.email} saved.`)} />}
      {confirming && (
        <div className="confirm" role="group" aria-label={`Confirm deleting ${user.email}`}>
          <p>Delete {user.email}, their chats and files? This cannot be undone.</p>
          <button type="button" className="danger" onClick={() => void remove(user)}>
            Delete for good
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      )}
    </li>
  );
}

function LimitsForm({ user, models, save }: { user: AdminUser; models: string[]; save(body: Partial<AdminUser>): Promise<void> }) {
  const [limit, setLimit] = useState(user.dailyTokenLimit === null ? '' : String(user.dailyTokenLimit));
  const [allModels, setAllModels] = useState(user.allowedModels === null);
  const [chosen, setChosen] = useState<string[]>(user.allowedModels ?? models);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void save({ dailyTokenLimit: limit.trim() === '' ? null : Number(limit), allowedModels: allModels ? null : chosen });
  };
  return (
    <form className="stack limits" onSubmit={submit} aria-label={`Limits of ${user.email}`}>
      <label>
        Daily token limit (empty: the server’s default; 0: none)
        <input type="number" min={0} step={1} value={limit} onChange={(e) => setLimit(e.target.value)} />
      </label>
      <fieldset>
        <legend>Models</legend>
        <label className="inline">
          <input type="checkbox" checked={allModels} onChange={(e) => setAllModels(e.target.checked)} /> Every model
        </label>
        {!allModels &&
          models.map((m) => (
            <label className="inline" key={m}>
              <input
                type="checkbox"
                checked={chosen.includes(m)}
                onChange={(e) => setChosen(e.target.checked ? [...chosen, m] : chosen.filter((c) => c !== m))}
              />{' '}
              {m}
            </label>
          ))}
      </fieldset>
      <button type="submit" disabled={!allModels && chosen.length === 0}>
        Save limits
      </button>
    </form>
  );
}
