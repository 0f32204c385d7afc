import type { Database, Queryable } from '../db/database.js';
import type { TurnAttachment } from '../llm/chat-model.js';

/** An attachment as every payload lists it. */
export type AttachmentMeta = TurnAttachment;

export interface NewAttachment extends Omit<AttachmentMeta, 'id'> {
  sha256: Buffer;
  bytes: Buffer;
  modelBytes?: Buffer;
  modelMime?: string;
  text?: string;
}

interface MetaRow {
  id: string;
  name: string;
  mime_type: string;
  size: number;
  kind: AttachmentMeta['kind'];
}

export interface ModelInput extends AttachmentMeta {
  /** Images: the bytes to send (scaled down when it was needed) and their type. */
  data: Buffer | null;
  dataMime: string;
  /** Documents: their text. */
  text: string | null;
}

const META = 'a.id, a.name, a.mime_type, a.size, a.kind';
const toMeta = (r: MetaRow): AttachmentMeta => ({ id: r.id, name: r.name, mimeType: r.mime_type, size: r.size, kind: r.kind });
const BLOB_JOIN = 'JOIN attachment_blobs b ON b.user_id = a.user_id AND b.sha256 = a.sha256';

export function createAttachmentsRepo(db: Database) {
  return {
    /**
     * Stores an upload under the user's storage cap, in one transaction under the user's row lock (so
     * parallel uploads cannot pass the cap together). Identical bytes are kept once: only new bytes count.
     */
    async insert(
      userId: string,
      file: NewAttachment,
      capBytes: number,
      tx?: Queryable,
    ): Promise<AttachmentMeta | 'over_quota' | 'no_user'> {
      const work = async (q: Queryable) => {
        // The account may have been deleted since the request was authenticated: nothing to store it under.
        const user = await q.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [userId]);
        if (user.rows.length === 0) return 'no_user' as const;
        const { rows } = await q.query<{ known: boolean; used: string }>(
          `SELECT EXISTS (SELECT 1 FROM attachment_blobs WHERE user_id = $1 AND sha256 = $2) AS known,
                  (SELECT coalesce(sum(size), 0) FROM attachment_blobs WHERE user_id = $1) AS used`,
          [userId, file.sha256],
        );
        if (!rows[0]!.known) {
          if (Number(rows[0]!.used) + file.size > capBytes) return 'over_quota' as const;
          await q.query(
            `INSERT INTO attachment_blobs (user_id, sha256, bytes, size, model_bytes, model_mime, text)
             VALUES ($1, $2, $3, $4, $5, $6, $7)`,
            [userId, file.sha256, file.bytes, file.size, file.modelBytes ?? null, file.modelMime ?? null, file.text ?? null],
          );
        }
        const inserted = await q.query<MetaRow>(
          `INSERT INTO attachments AS a (user_id, sha256, name, mime_type, kind, size) VALUES ($1, $2, $3, $4, $5, $6)
           RETURNING ${META}`,
          [userId, file.sha256, file.name, file.mimeType, file.kind, file.size],
        );
        return toMeta(inserted.rows[0]!);
      };
      return tx ? work(tx) : db.withTransaction(work);
    },

    /** Whether storing `size` new bytes would pass the user's cap (bytes the user already has are free). */
    async wouldExceed(userId: string, sha256: Buffer, size: number, capBytes: number, tx: Queryable = db): Promise<boolean> {
      const { rows } = await tx.query<{ known: boolean; used: string }>(
        `SELECT EXISTS (SELECT 1 FROM attachment_blobs WHERE user_id = $1 AND sha256 = $2) AS known,
                (SELECT coalesce(sum(size), 0) FROM attachment_blobs WHERE user_id = $1) AS used`,
        [userId, sha256],
      );
      return !rows[0]!.known && Number(rows[0]!.used) + size > capBytes;
    },

    /** The attachment and its bytes, if it is the user's (or, with `userId` null, anyone's: shares). */
    async findWithBytes(id: string, userId: string | null): Promise<(AttachmentMeta & { bytes: Buffer }) | undefined> {
      const { rows } = await db.query<MetaRow & { bytes: Buffer }>(
        `SELECT ${META}, b.bytes FROM attachments a ${BLOB_JOIN} WHERE a.id = $1 AND ($2::uuid IS NULL OR a.user_id = $2)`,
        [id, userId],
      );
      const row = rows[0];
      return row && { ...toMeta(row), bytes: row.bytes };
    },

    /** The user's attachments among `ids`, locked for the transaction, with whether each was sent. */
    async lockOwn(userId: string, ids: readonly string[], tx: Queryable): Promise<(AttachmentMeta & { sent: boolean })[]> {
      const { rows } = await tx.query<MetaRow & { sent: boolean }>(
        `SELECT ${META}, a.message_id IS NOT NULL AS sent FROM attachments a WHERE a.id = ANY($1::uuid[]) AND a.user_id = $2 FOR UPDATE`,
        [ids, userId],
      );
      return rows.map((r) => ({ ...toMeta(r), sent: r.sent }));
    },

    async link(ids: readonly string[], messageId: string, tx: Queryable): Promise<void> {
      await tx.query('UPDATE attachments SET message_id = $2 WHERE id = ANY($1::uuid[])', [ids, messageId]);
    },

    /**
     * Gives each new message the files of the message it copies ([from, to] message ids: a fork, an
     * edit): new attachment rows over the same stored bytes (shared, never copied or counted twice),
     * listed on the new message as on the old, in its order.
     */
    async copyFiles(pairs: readonly (readonly [string, string])[], tx: Queryable): Promise<void> {
      if (pairs.length === 0) return;
      await tx.query(
        `WITH pairs AS (SELECT * FROM unnest($1::bigint[], $2::bigint[]) AS p (old_id, new_id)),
         source AS (
           SELECT p.new_id, a.*, gen_random_uuid() AS copy_id FROM pairs p JOIN attachments a ON a.message_id = p.old_id
         ), copied AS (
           INSERT INTO attachments (id, user_id, message_id, sha256, name, mime_type, kind, size, created_at)
           SELECT copy_id, user_id, new_id, sha256, name, mime_type, kind, size, created_at FROM source
         )
         UPDATE messages m SET attachments = (
           -- A listed file without stored bytes (imported without them) stays listed as it was.
           SELECT jsonb_agg(CASE WHEN s.copy_id IS NULL THEN e.value ELSE e.value || jsonb_build_object('id', s.copy_id) END ORDER BY e.n)
           FROM jsonb_array_elements(old.attachments) WITH ORDINALITY AS e (value, n)
           LEFT JOIN source s ON s.new_id = p.new_id AND s.id::text = e.value ->> 'id'
         )
         FROM pairs p JOIN messages old ON old.id = p.old_id
         WHERE m.id = p.new_id AND old.attachments IS NOT NULL`,
        [pairs.map((p) => p[0]), pairs.map((p) => p[1])],
      );
    },

    /** Deletes an unsent attachment: 'deleted', 'sent' (kept) or 'missing' (not the user's, or gone). */
    async removeUnsent(userId: string, id: string): Promise<'deleted' | 'sent' | 'missing'> {
      const { rows } = await db.query<{ sent: boolean }>(
        `WITH found AS (SELECT id, message_id IS NOT NULL AS sent FROM attachments WHERE id = $1 AND user_id = $2),
         gone AS (DELETE FROM attachments WHERE id IN (SELECT id FROM found WHERE NOT sent) RETURNING id)
         SELECT sent FROM found`,
        [id, userId],
      );
      return rows[0] === undefined ? 'missing' : rows[0].sent ? 'sent' : 'deleted';
    },

    /** What the model needs of these attachments: image bytes, document text. */
    async modelInputs(ids: readonly string[]): Promise<Map<string, ModelInput>> {
      const { rows } = await db.query<MetaRow & { data: Buffer | null; data_mime: string; text: string | null }>(
        `SELECT ${META}, CASE WHEN a.kind = 'image' THEN coalesce(b.model_bytes, b.bytes) END AS data,
                coalesce(b.model_mime, a.mime_type) AS data_mime, b.text
         FROM attachments a ${BLOB_JOIN} WHERE a.id = ANY($1::uuid[])`,
        [ids],
      );
      return new Map(rows.map((r) => [r.id, { ...toMeta(r), data: r.data, dataMime: r.data_mime, text: r.text }]));
    },

    /** The bytes of the user's attachments among `ids` (exports with files). */
    async bytesOf(userId: string, ids: readonly string[]): Promise<Map<string, Buffer>> {
      const { rows } = await db.query<{ id: string; bytes: Buffer }>(
        `SELECT a.id, b.bytes FROM attachments a ${BLOB_JOIN} WHERE a.id = ANY($1::uuid[]) AND a.user_id = $2`,
        [ids, userId],
      );
      return new Map(rows.map((r) => [r.id, r.bytes]));
    },

    /** Removes uploads never sent, older than `maxAgeMs`; how many. */
    async sweepUnsent(maxAgeMs: number): Promise<number> {
      const { rowCount } = await db.query(
        `DELETE FROM attachments WHERE message_id IS NULL AND created_at < now() - make_interval(secs => $1::double precision / 1000)`,
        [maxAgeMs],
      );
      return rowCount ?? 0;
    },

    async storedBytes(userId: string): Promise<number> {
      const { rows } = await db.query<{ used: string }>('SELECT coalesce(sum(size), 0) AS used FROM attachment_blobs WHERE user_id = $1', [
        userId,
      ]);
      return Number(rows[0]?.used ?? 0);
    },
  };
}

export type AttachmentsRepo = ReturnType<typeof createAttachmentsRepo>;
