import { useEffect, useState } from 'react';
import { api } from '../api';
import { DayBars } from '../UsageChart';

interface UsageRow {
  day: string;
  userId: string;
  email: string;
  model: string;
  promptTokens: number;
  completionTokens: number;
  replies: number;
}
interface AuditEvent {
  id: string;
  at: string;
  actorEmail: string | null;
  action: string;
  details: { email?: string; from?: unknown; to?: unknown };
}

const DAY_MS = 24 * 60 * 60 * 1000;
const words = (value: unknown) => (value === null ? 'default' : Array.isArray(value) ? value.join(', ') : String(value));

/** Usage per user over the last 30 days (a chart and a table), and the audit log; read again after each change. */
export function AdminActivity({ version, fail }: { version: number; fail(err: unknown): void }) {
  const [usage, setUsage] = useState<{ to: string; days: UsageRow[] } | null>(null);
  const [events, setEvents] = useState<AuditEvent[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const loadAudit = (cursor?: string) =>
    api<{ events: AuditEvent[]; nextCursor: string | null }>(`/api/admin/audit?limit=50${cursor ? `&cursor=${cursor}` : ''}`).then(
      (page) => {
        setEvents((shown) => (cursor ? [...shown, ...page.events] : page.events));
        setNext(page.nextCursor);
      },
      fail,
    );
  useEffect(() => {
    api<{ to: string; days: UsageRow[] }>('/api/admin/usage').then(setUsage, fail);
    void loadAudit();
    // Read again when something changed (version), not when the helpers change identity.
  }, [version]);

  const perUser = new Map<string, { email: string; tokens: number; replies: number }>();
  const perDay = new Map<string, number>();
  for (const d of usage?.days ?? []) {
    const tokens = d.promptTokens + d.completionTokens;
    const user = perUser.get(d.userId) ?? { email: d.email, tokens: 0, replies: 0 };
    perUser.set(d.userId, { ...user, tokens: user.tokens + tokens, replies: user.replies + d.replies });
    perDay.set(d.day, (perDay.get(d.day) ?? 0) + tokens);
  }
  const end = usage ? Date.parse(usage.to) : Date.now();
  const days = Array.from({ length: 30 }, (_, i) => new Date(end - (29 - i) * DAY_MS).toISOString().slice(0, 10));
  const values = days.map((d) => perDay.get(d) ?? 0);
  const total = values.reduce((a, b) => a + b, 0);
  const users = [...perUser.values()].sort((a, b) => b.tokens - a.tokens);

  return (
    <>
      <section aria-labelledby="usage" className="usage">
        <h2 id="usage">Usage, last 30 days</h2>
        <DayBars days={days} values={values} label={`Tokens per day, all users: ${total.toLocaleString()} in all`} />
        <table className="admin-table">
          <caption className="visually-hidden">Tokens and replies per user over the last 30 days</caption>
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Tokens</th>
              <th scope="col">Replies</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.email}>
                <td>{u.email}</td>
                <td>{u.tokens.toLocaleString()}</td>
                <td>{u.replies.toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {users.length === 0 && <p className="empty">No usage in these 30 days.</p>}
      </section>
      <section aria-labelledby="audit">
        <h2 id="audit">Audit log</h2>
        {events.length === 0 && <p className="empty">No admin action yet.</p>}
        <ul className="admin-list audit">
          {events.map((e) => (
            <li key={e.id}>
              <span className="muted">{new Date(e.at).toLocaleString()}</span> {e.actorEmail ?? 'someone'}: <code>{e.action}</code>
              {e.details.email ? ` ${e.details.email}` : ''}
              {'to' in e.details ? ` (${words(e.details.from)} → ${words(e.details.to)})` : ''}
            </li>
          ))}
        </ul>
        {next && (
          <button type="button" onClick={() => void loadAudit(next)}>
            Show older events
          </button>
        )}
      </section>
    </>
  );
}
