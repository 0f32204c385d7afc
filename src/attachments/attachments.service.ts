import { createHash } from 'node:crypto';
import type { ChatConfig } from '../config.js';
import type { AttachmentsConfig } from '../config.parsers.js';
import type { ChatTurn } from '../llm/chat-model.js';
import type { Database, Queryable } from '../db/database.js';
import { AppError, NotFoundError, UnauthorizedError } from '../http/errors.js';
import { createAttachmentsRepo, type AttachmentMeta } from './attachments.repo.js';
import { createFileWork } from './file-work.js';
import { MAX_IMAGE_SIDE, modelForm } from './model-forms.js';
import { withAttachments } from './prompt-parts.js';
import { sniff } from './sniff.js';

export type { AttachmentMeta } from './attachments.repo.js';

/** At most this many attachments on one message. */
export const MAX_PER_MESSAGE = 10;
/** Uploads never sent are removed after a day (src/jobs.ts). */
export const UNSENT_MAX_AGE_MS = 24 * 60 * 60 * 1000;

const notFound = () => new NotFoundError('Attachment not found.', 'attachment_not_found');

/** `*` alone: every model; `name*`: a prefix; anything else: that exact model. */
export function seesImages(visionModels: readonly string[], model: string): boolean {
  return visionModels.some((entry) => (entry.endsWith('*') ? model.startsWith(entry.slice(0, -1)) : model === entry));
}

/**
 * Files a user attaches to messages: uploads (typed by their bytes, under the size and storage caps),
 * reading them back, and handing them to a send. Images are kept with a scaled-down copy for the model
 * and documents with their text, both made once at upload.
 */
export function createAttachmentsService(db: Database, config: AttachmentsConfig) {
  const repo = createAttachmentsRepo(db);
  const work = createFileWork({ ...config.processing, maxSide: MAX_IMAGE_SIDE });

  async function upload(userId: string, file: { bytes: Buffer; name: string }, tx?: Queryable): Promise<AttachmentMeta> {
    if (file.bytes.length === 0) throw new AppError(400, 'file_empty', 'The file is empty.');
    if (file.bytes.length > config.uploadMaxBytes) throw tooLarge(config.uploadMaxBytes);
    const sniffed = await sniff(file.bytes, file.name);
    if (!sniffed) {
      throw new AppError(
        415,
        'unsupported_file_type',
        'This type of file cannot be attached. Attach an image (PNG, JPEG, WebP, GIF), a PDF or a text file (text, Markdown, CSV, JSON, code).',
      );
    }
    const sha256 = createHash('sha256').update(file.bytes).digest();
    // The quota first, from the size: an over-quota user's file is never worked on.
    if (await repo.wouldExceed(userId, sha256, file.bytes.length, config.userStorageBytes, tx)) throw overQuota(config.userStorageBytes);
    const form = await modelForm(work, sniffed, file.bytes);
    const stored = await repo.insert(
      userId,
      {
        ...sniffed,
        name: cleanName(file.name),
        size: file.bytes.length,
        sha256,
        bytes: file.bytes,
        modelBytes: form.bytes,
        modelMime: form.mimeType,
        text: form.text,
      },
      config.userStorageBytes,
      tx,
    );
    if (stored === 'no_user') throw new UnauthorizedError();
    if (stored === 'over_quota') throw overQuota(config.userStorageBytes);
    return stored;
  }

  return {
    upload,
    uploadMaxBytes: config.uploadMaxBytes,

    /** The attachment's bytes, to its owner only. */
    async read(userId: string, id: string) {
      return (await repo.findWithBytes(id, userId)) ?? Promise.reject(notFound());
    },

    /** An attachment of a shared chat: only one the share lists. */
    async readShared(listed: readonly string[], id: string) {
      const found = listed.includes(id) ? await repo.findWithBytes(id, null) : undefined;
      return found ?? Promise.reject(notFound());
    },

    async remove(userId: string, id: string): Promise<void> {
      const outcome = await repo.removeUnsent(userId, id);
      if (outcome === 'missing') throw notFound();
      if (outcome === 'sent') {
        throw new AppError(409, 'attachment_already_sent', 'This file was sent with a message: delete the message or its chat instead.');
      }
    },

    /** The user's unsent attachments `ids`, locked for the send's transaction: 404 / 400 otherwise. */
    async claim(userId: string, ids: readonly string[], tx: Queryable): Promise<AttachmentMeta[]> {
      const found = new Map((await repo.lockOwn(userId, ids, tx)).map((a) => [a.id, a]));
      return ids.map((id) => {
        const attachment = found.get(id);
        if (!attachment) throw notFound();
        if (attachment.sent) {
          throw new AppError(
            400,
            'attachment_already_sent',
            'This file was already sent with a message: upload it again to send it again.',
          );
        }
        const { sent: _sent, ...meta } = attachment;
        return meta;
      });
    },

    link: (ids: readonly string[], messageId: string, tx: Queryable): Promise<void> => repo.link(ids, messageId, tx),
    /** New messages that copy others (a fork, an edit) get their files: shared bytes, new rows ([from, to] ids). */
    copyFiles: (pairs: readonly (readonly [string, string])[], tx: Queryable): Promise<void> => repo.copyFiles(pairs, tx),
    seesImages: (model: string): boolean => seesImages(config.visionModels, model),

    /** The turns as the model gets them: images as data URLs, documents as text (see prompt-parts.ts). */
    forModel: (turns: readonly ChatTurn[], model: string, context: ChatConfig['context']): Promise<ChatTurn[]> =>
      withAttachments(turns, {
        model,
        context,
        seesImages: seesImages(config.visionModels, model),
        inputs: (ids) => repo.modelInputs(ids),
      }),
    /** The bytes of the user's attachments among `ids` (exports with files). */
    bytesOf: (userId: string, ids: readonly string[]): Promise<Map<string, Buffer>> => repo.bytesOf(userId, ids),
    /** Removes uploads never sent within a day (a background job). */
    sweepUnsent: (): Promise<number> => repo.sweepUnsent(UNSENT_MAX_AGE_MS),
    /** Ends the file workers (at shutdown). */
    close: (): Promise<void> => work.close(),
  };
}

export type AttachmentsService = ReturnType<typeof createAttachmentsService>;

export const tooLarge = (maxBytes: number) =>
  new AppError(413, 'file_too_large', `Files can be at most ${Math.round(maxBytes / 1024 / 1024)} MB.`);

const overQuota = (capBytes: number) =>
  new AppError(
    413,
    'storage_quota_exceeded',
    `Your files use all of your ${Math.round(capBytes / 1024 / 1024)} MB of storage. Delete some chats to free space.`,
  );

/**
 * The name a file is kept under (shown and offered for download): its last path segment, without control
 * characters or the bidirectional controls (U+202A–U+202E, U+2066–U+2069) that make a name read as
 * another, at most 255 characters.
 */
function cleanName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const base = (name.split(/[\\/]/).pop() ?? '').replace(/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g, '').trim();
  return base.slice(0, 255) || 'file';
}
