import { z } from 'zod';
import { storableText } from '../http/text.js';

export const EXPORT_FORMAT = 'gpt-backend-export';
/** 2: messages carry `id` and `parentId`, chats `activeLeafId` (message branches); 1 (linear chats) is still taken. */
export const EXPORT_VERSION = 2;

const DAY_MS = 24 * 60 * 60 * 1000;
/** A moment in an export: from 1970 to a day from now (a clock a little ahead), never year 0 or 10000. */
const Timestamp = z.iso.datetime({ offset: true }).refine((value) => {
  const at = Date.parse(value);
  return at >= 0 && at <= Date.now() + DAY_MS;
}, 'Must be a date between 1970 and tomorrow.');
const Tokens = z.number().int().min(0).max(1_000_000_000).nullable().default(null);

const ImportedAttachment = z.strictObject({
  id: z.string().max(100).optional(),
  name: storableText().max(255),
  mimeType: z.string().max(100),
  size: z.number().int().min(0),
  kind: z.enum(['image', 'document']),
  /** The bytes, base64 (exports with ?files=true): without them a file cannot come back. */
  data: z.base64('attachments[].data must be base64.').optional(),
});

/** A message's label within its export (its id where it was exported), for `parentId` and `activeLeafId`. */
const Label = z.string().min(1).max(40);

const ImportedMessage = z
  .strictObject({
    id: Label.optional(),
    /** The message it answers or follows (earlier in the list); null: a first message; absent: the one before. */
    parentId: Label.nullable().optional(),
    role: z.enum(['user', 'assistant']),
    content: storableText().max(1_000_000),
    status: z.enum(['complete', 'stopped', 'error']).default('complete'),
    model: z.string().max(200).nullable().default(null),
    promptTokens: Tokens,
    completionTokens: Tokens,
    createdAt: Timestamp,
    attachments: z.array(ImportedAttachment).max(10).default([]),
    feedback: z
      .strictObject({ rating: z.enum(['up', 'down']), comment: storableText().max(2000).nullable().default(null) })
      .nullable()
      .optional(),
    /** Why a reply ended in error (kept only on one whose status is error). */
    errorCode: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,63}$/, 'errorCode must be an error code (lower-case letters, digits and _).')
      .nullable()
      .optional(),
  })
  .refine((m) => !m.feedback || m.role === 'assistant', { message: 'Only replies carry feedback.', path: ['feedback'] });

const ImportedChat = z
  .strictObject({
    title: storableText().trim().max(200).nullable().default(null),
    systemPrompt: storableText().max(8000).nullable().default(null),
    model: z.string().max(200).nullable().default(null),
    pinned: z.boolean().default(false),
    archived: z.boolean().default(false),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    messages: z.array(ImportedMessage).max(100_000),
    /** The last message of the active path (absent: the last message). */
    activeLeafId: Label.nullable().optional(),
  })
  .superRefine((chat, ctx) => {
    // A tree in order: labels unique, each parent an earlier message, the leaf one of them.
    const seen = new Set<string>();
    for (const [i, m] of chat.messages.entries()) {
      if (m.parentId && !seen.has(m.parentId)) {
        ctx.addIssue({ code: 'custom', path: ['messages', i, 'parentId'], message: 'Must be the id of an earlier message of the chat.' });
      }
      if (m.id !== undefined && seen.has(m.id))
        ctx.addIssue({ code: 'custom', path: ['messages', i, 'id'], message: 'Must be unique in the chat.' });
      if (m.id !== undefined) seen.add(m.id);
    }
    if (chat.activeLeafId && !seen.has(chat.activeLeafId)) {
      ctx.addIssue({ code: 'custom', path: ['activeLeafId'], message: 'Must be the id of a message of the chat.' });
    }
  });

/** What GET /api/export produces, and so what POST /api/import takes. */
export const ImportBody = z.strictObject({
  format: z.literal(EXPORT_FORMAT),
  version: z.union([z.literal(1), z.literal(EXPORT_VERSION)]),
  exportedAt: Timestamp.optional(),
  user: z.strictObject({ email: z.string().max(254), createdAt: Timestamp }).optional(),
  chats: z.array(ImportedChat).max(10_000),
});

export type ImportData = z.output<typeof ImportBody>;

/** `files=true`: JSON exports carry each attachment's bytes (base64), so an import restores them. */
const Files = z
  .enum(['true', 'false'])
  .default('false')
  .transform((v) => v === 'true');
export const ExportQuery = z.object({ format: z.enum(['json', 'markdown']).default('json'), files: Files });
export const ExportAllQuery = z.object({ files: Files });
