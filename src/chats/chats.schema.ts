import { z } from 'zod';
import { storableText } from '../http/text.js';
import { decodeCursor } from './chat-cursor.js';

export const ChatIdParams = z.object({ id: z.uuid('Chat id is malformed.') });

export const TITLE_MAX_CHARS_STORED = 200;
export const SYSTEM_PROMPT_MAX_CHARS = 8000;

const codePoints = (s: string) => (s.length <= 1 ? s.length : [...s].length);

/** Message text: stored exactly as typed, but it must say something and fit the limit. */
export const messageContent = (maxChars: number) =>
  storableText()
    .refine((s) => s.trim().length > 0, 'Message must not be empty.')
    .refine((s) => s.length <= maxChars || codePoints(s) <= maxChars, `Message must be at most ${maxChars} characters.`);

const ClientMessageId = z.uuid('clientMessageId must be a UUID.');

/** Files uploaded with POST /api/uploads, sent with the message (each once; listed twice counts once). */
export const MAX_ATTACHMENTS = 10;
const Attachments = z
  .array(z.uuid('Attachment ids are UUIDs (from POST /api/uploads).'))
  .max(MAX_ATTACHMENTS, `At most ${MAX_ATTACHMENTS} attachments per message.`)
  .transform((ids) => [...new Set(ids)]);

// A blank title means "untitled": the first message will name the chat.
const Title = storableText()
  .trim()
  .max(TITLE_MAX_CHARS_STORED, `Title must be at most ${TITLE_MAX_CHARS_STORED} characters.`)
  .nullable()
  .transform((t) => t || null);

const SystemPrompt = storableText()
  .max(SYSTEM_PROMPT_MAX_CHARS, `systemPrompt must be at most ${SYSTEM_PROMPT_MAX_CHARS} characters.`)
  .nullable()
  .transform((p) => (p?.trim() ? p : null));

const modelChoice = (models: readonly string[]) =>
  z
    .string()
    .refine((m) => models.includes(m), { message: `Unknown model; choose one of: ${models.join(', ')}.` })
    .nullable();

export interface ChatSchemaLimits {
  maxChars: number;
  models: readonly string[];
}

export const sendMessageBody = ({ maxChars }: ChatSchemaLimits) =>
  z.strictObject({ content: messageContent(maxChars), clientMessageId: ClientMessageId.optional(), attachments: Attachments.optional() });

export const createChatBody = ({ maxChars, models }: ChatSchemaLimits) =>
  z
    .strictObject({
      title: Title.optional(),
      systemPrompt: SystemPrompt.optional(),
      model: modelChoice(models).optional(),
      message: messageContent(maxChars).optional(),
      clientMessageId: ClientMessageId.optional(),
      attachments: Attachments.optional(),
    })
    .refine((body) => !body.attachments?.length || body.message !== undefined, {
      message: 'Attachments are sent with a message.',
      path: ['attachments'],
    });

export const updateChatBody = ({ models }: ChatSchemaLimits) =>
  z
    .strictObject({
      title: Title.optional(),
      systemPrompt: SystemPrompt.optional(),
      model: modelChoice(models).optional(),
      pinned: z.boolean().optional(),
      archived: z.boolean().optional(),
    })
    .refine((body) => Object.keys(body).length > 0, 'Give at least one of title, systemPrompt, model, pinned, archived.');

export const PAGE_DEFAULT = 50;
export const PAGE_MAX = 200;
const PageLimit = z.coerce.number().int().min(1).max(PAGE_MAX).default(PAGE_DEFAULT);

// Query strings: known parameters are validated, unknown ones ignored (bodies, by contrast, reject them).
export const ListChatsQuery = z.object({
  limit: PageLimit,
  cursor: z
    .string()
    .max(500)
    .transform((c, ctx) => decodeCursor(c) ?? (ctx.addIssue({ code: 'custom', message: 'cursor is not valid.' }), z.NEVER))
    .optional(),
  archived: z
    .enum(['true', 'false'])
    .default('false')
    .transform((a) => a === 'true'),
});

export const MessagesQuery = z.object({
  limit: PageLimit,
  before: z
    .string()
    .regex(/^\d{1,18}$/, 'before must be a message id.')
    .optional(),
});

export const ChatQuery = z.object({ limit: PageLimit });

export const MessageParams = z.object({
  id: z.uuid('Chat id is malformed.'),
  messageId: z.string().regex(/^\d{1,18}$/, 'Message id is malformed.'),
});

/** POST /api/chats/:id/branch and /fork: the message to switch to, or to fork at. */
export const messageIdBody = z.strictObject({ messageId: z.string().regex(/^\d{1,18}$/, 'Message id is malformed.') });

/** 👍 / 👎 on a reply (null: taken back), with an optional comment. */
export const FeedbackBody = z
  .strictObject({ rating: z.enum(['up', 'down']).nullable(), comment: storableText().trim().max(2000).optional() })
  .refine((b) => b.rating !== null || !b.comment, { message: 'A comment goes with a rating.', path: ['comment'] });

export const editMessageBody = ({ maxChars }: ChatSchemaLimits) => z.strictObject({ content: messageContent(maxChars) });
