import { useCallback, useState } from 'react';
import { PageTop } from '../PageTop';
import { describeError } from '../errors';
import { toast } from '../Toasts';
import { AdminActivity } from './AdminActivity';
import { AdminInvites } from './AdminInvites';
import { AdminUsers } from './AdminUsers';

/** /admin (admins only): users, invites, usage and the audit log. Loaded only when opened. */
export default function Admin({ models, selfId }: { models: string[]; selfId: string }) {
  const [error, setError] = useState<string | null>(null);
  // Anything changed: the usage and audit sections read again.
  const [version, setVersion] = useState(0);
  const fail = useCallback((err: unknown) => setError(describeError(err)), []);
  const done = useCallback((what: string) => (setError(null), toast(what), setVersion((v) => v + 1)), []);

  return (
    <main className="conversation settings admin">
      <PageTop title="Admin" error={error} />
      <div className="settings-body">
        <nav aria-label="Admin sections" className="admin-nav">
          <a href="#users">Users</a> · <a href="#invites">Invites</a> · <a href="#usage">Usage</a> · <a href="#audit">Audit log</a>
        </nav>
        <AdminUsers models={models} selfId={selfId} fail={fail} done={done} />
        <AdminInvites fail={fail} done={done} />
        <AdminActivity version={version} fail={fail} />
      </div>
    </main>
  );
}
