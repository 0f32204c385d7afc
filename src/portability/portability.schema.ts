import { z } from 'zod';
import { storableText } from '../http/text.js';

export const EXPORT_FORMAT = 'gpt-backend-export';
export const EXPORT_VERSION = 1;

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

const ImportedMessage = z.strictObject({
  role: z.enum(['user', 'assistant']),
  content: storableText().max(1_000_000),
  status: z.enum(['complete', 'stopped', 'error']).default('complete'),
  model: z.string().max(200).nullable().default(null),
  promptTokens: Tokens,
  completionTokens: Tokens,
  createdAt: Timestamp,
  attachments: z.array(ImportedAttachment).max(10).default([]),
});

const ImportedChat = z.strictObject({
  title: storableText().trim().max(200).nullable().default(null),
  systemPrompt: storableText().max(8000).nullable().default(null),
  model: z.string().max(200).nullable().default(null),
  pinned: z.boolean().default(false),
  archived: z.boolean().default(false),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  messages: z.array(ImportedMessage).max(100_000),
});

/** What GET /api/export produces, and so what POST /api/import takes. */
export const ImportBody = z.strictObject({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(EXPORT_VERSION),
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
