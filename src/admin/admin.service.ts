import type { AdminRules } from '../auth/admin-rules.js';
import type { AuthService } from '../auth/auth.service.js';
import type { SessionStore } from '../auth/session-store.js';
import type { TurnsService } from '../chats/turns.service.js';
import type { Database } from '../db/database.js';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../http/errors.js';
import type { ChatModel } from '../llm/chat-model.js';
import { dayRange } from '../usage/usage.service.js';
import { createAdminRepo, type UserChanges, type UserFilter } from './admin.repo.js';
import { encodeUserCursor } from './admin.schema.js';
import { createAuditRepo, type Actor } from './audit.repo.js';
import type { Invite } from '../auth/user.js';

const forbidden = () => new AppError(403, 'forbidden', 'Only an admin can do this.');
const userNotFound = () => new NotFoundError('User not found.', 'user_not_found');
const bySettings = () => new ConflictError('admin_email', 'This account is an admin through ADMIN_EMAILS: remove it there first.');

/** The audit trail's name for each field an admin may change. */
const FIELD_ACTIONS: Record<keyof UserChanges, string> = {
  role: 'user.role',
  status: 'user.status',
  dailyTokenLimit: 'user.daily_token_limit',
  allowedModels: 'user.allowed_models',
};

export interface AdminServiceDeps {
  db: Database;
  auth: Pick<AuthService, 'createByAdmin' | 'invites'>;
  admins: AdminRules;
  sessions: Pick<SessionStore, 'revokeAll' | 'forgetUser'>;
  turns: Pick<TurnsService, 'stop' | 'abandon'>;
  model: Pick<ChatModel, 'models'>;
}

/**
 * Users, invites, usage and the audit trail, for admins only. Every change is written with its audit
 * event in one transaction. Nothing here reads a chat's messages.
 */
export function createAdminService({ db, auth, admins, sessions, turns, model }: AdminServiceDeps) {
  const { invites } = auth;
  const repo = createAdminRepo(db);
  const audit = createAuditRepo(db);

  async function existingUser(id: string) {
    const user = await repo.findUser(id);
    if (!user) throw userNotFound();
    return user;
  }
  const present = ({ key: _key, ...user }: Awaited<ReturnType<typeof existingUser>>) => user;

  /** Ends the user's sessions on every instance (their next request is a 401) and stops their replies. */
  async function cutOff(userId: string): Promise<void> {
    await sessions.revokeAll(userId);
    await Promise.all((await repo.chatsReplying(userId)).map((chatId) => turns.stop(userId, chatId)));
  }

  return {
    /** 403 forbidden unless the user is an active admin, as stored now (a demotion counts at once). */
    async requireAdmin(userId: string): Promise<void> {
      const { rowCount } = await db.query(`SELECT 1 FROM users WHERE id = $1 AND role = 'admin' AND status = 'active'`, [userId]);
      if (rowCount !== 1) throw forbidden();
    },

    async listUsers(filter: UserFilter) {
      const rows = await repo.listUsers(filter);
      const page = rows.slice(0, filter.limit);
      const last = page.at(-1);
      return { users: page.map(present), nextCursor: rows.length > filter.limit && last ? encodeUserCursor(last.key) : null };
    },

    async createUser(actor: Actor, input: { email: string; password: string; role?: 'user' | 'admin' }) {
      const created = await auth.createByAdmin(input.email, input.password, input.role ?? 'user');
      await audit.record(db, actor, 'user.create', created.id, { email: created.email, role: created.role });
      return present(await existingUser(created.id));
    },

    async updateUser(actor: Actor, id: string, changes: UserChanges) {
      const unknown = changes.allowedModels?.filter((m) => !model.models.includes(m)) ?? [];
      if (unknown.length > 0) throw new ValidationError(`Unknown model: ${unknown.join(', ')}. Choose from: ${model.models.join(', ')}.`);
      const before = await db.withTransaction(async (tx) => {
        if (!(await repo.lockUser(tx, id))) throw userNotFound();
        const current = (await repo.findUser(id, tx))!;
        const demoting = changes.role === 'user' || (changes.status !== undefined && changes.status !== 'active');
        if (demoting && admins.isListed(current.email)) throw bySettings();
        if (demoting) await admins.guardLastAdmin(tx, id);
        await repo.updateUser(tx, id, changes);
        for (const field of Object.keys(changes) as (keyof UserChanges)[]) {
          if (JSON.stringify(current[field]) === JSON.stringify(changes[field])) continue;
          await audit.record(tx, actor, FIELD_ACTIONS[field], id, { email: current.email, from: current[field], to: changes[field] });
        }
        return current;
      });
      if (changes.status && changes.status !== 'active' && before.status === 'active') await cutOff(id);
      return present(await existingUser(id));
    },

    /** Everything of the user goes, as when they delete their account; the audit event stays. */
    async deleteUser(actor: Actor, id: string): Promise<void> {
      const target = await existingUser(id);
      if (admins.isListed(target.email)) throw bySettings();
      const replying = await repo.chatsReplying(id);
      await db.withTransaction(async (tx) => {
        await admins.guardLastAdmin(tx, id);
        await tx.query('DELETE FROM users WHERE id = $1', [id]); // sessions, chats and usage go with it
        await audit.record(tx, actor, 'user.delete', id, { email: target.email });
      });
      sessions.forgetUser(id);
      await Promise.all(replying.map((chatId) => turns.abandon(chatId)));
    },

    async createInvite(actor: Actor, input: { email?: string; expiresInDays: number }): Promise<Invite> {
      const invite = await invites.create(actor.id, input.email ?? null, input.expiresInDays);
      await audit.record(db, actor, 'invite.create', null, { email: invite.email, expiresAt: invite.expiresAt });
      return invite;
    },

    listInvites: (): Promise<Invite[]> => invites.list(),

    async deleteInvite(actor: Actor, code: string): Promise<void> {
      const invite = await invites.delete(code);
      if (!invite) throw new NotFoundError('Invite not found.', 'invite_not_found');
      await audit.record(db, actor, 'invite.delete', null, { email: invite.email, usedAt: invite.usedAt });
    },

    /** Every user's tokens per day and model over [from, to] (default: the last 30 days), with totals. */
    async usage(range: { from?: string; to?: string }) {
      const { from, to } = dayRange(range);
      const days = await repo.usage(from, to);
      const totals = days.reduce(
        (t, d) => ({
          promptTokens: t.promptTokens + d.promptTokens,
          completionTokens: t.completionTokens + d.completionTokens,
          replies: t.replies + d.replies,
        }),
        { promptTokens: 0, completionTokens: 0, replies: 0 },
      );
      return { from, to, days, totals };
    },

    async audit(limit: number, cursor?: string) {
      const rows = await audit.list(limit, cursor);
      const events = rows.slice(0, limit);
      return { events, nextCursor: rows.length > limit ? events.at(-1)!.id : null };
    },
  };
}

export type AdminService = ReturnType<typeof createAdminService>;
