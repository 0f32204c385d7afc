import type { Queryable } from '../db/database.js';

export interface AuditEvent {
  id: string;
  at: string;
  actorId: string | null;
  actorEmail: string | null;
  action: string;
  targetId: string | null;
  details: Record<string, unknown>;
}

export interface Actor {
  id: string;
  email: string;
}

interface AuditRow {
  id: string;
  at: Date;
  actor_id: string | null;
  actor_email: string | null;
  action: string;
  target_id: string | null;
  details: Record<string, unknown>;
}

/** What admins did, newest first; rows name users by id and email and outlive them. */
export function createAuditRepo(db: Queryable) {
  return {
    async record(tx: Queryable, actor: Actor, action: string, targetId: string | null, details: Record<string, unknown>): Promise<void> {
      await tx.query('INSERT INTO audit_events (actor_id, actor_email, action, target_id, details) VALUES ($1, $2, $3, $4, $5)', [
        actor.id,
        actor.email,
        action,
        targetId,
        JSON.stringify(details),
      ]);
    },

    /** A page before event `beforeId` (newest first), one more than asked to say whether there is more. */
    async list(limit: number, beforeId?: string): Promise<AuditEvent[]> {
      const { rows } = await db.query<AuditRow>(
        `SELECT id::text, at, actor_id, actor_email, action, target_id, details FROM audit_events
         WHERE ($1::bigint IS NULL OR audit_events.id < $1) ORDER BY audit_events.id DESC LIMIT $2`,
        [beforeId ?? null, limit + 1],
      );
      return rows.map((r) => ({
        id: r.id,
        at: r.at.toISOString(),
        actorId: r.actor_id,
        actorEmail: r.actor_email,
        action: r.action,
        targetId: r.target_id,
        details: r.details,
      }));
    },
  };
}

export type AuditRepo = ReturnType<typeof createAuditRepo>;
