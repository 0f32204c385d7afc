import { z } from 'zod';

export const ChatIdParams = z.object({ id: z.uuid('Chat id is malformed.') });

export const TITLE_MAX_CHARS_STORED = 200;

const codePoints = (s: string) => (s.length <= 1 ? s.length : [...s].length);

/** Message text: stored exactly as typed, but it must say something and fit the limit. */
export const messageContent = (maxChars: number) =>
  z
    .string()
    .refine((s) => s.trim().length > 0, 'Message must not be empty.')
    .refine((s) => s.length <= maxChars || codePoints(s) <= maxChars, `Message must be at most ${maxChars} characters.`);

const ClientMessageId = z.uuid('clientMessageId must be a UUID.');

export const sendMessageBody = (maxChars: number) =>
  z.strictObject({ content: messageContent(maxChars), clientMessageId: ClientMessageId.optional() });

export const createChatBody = (maxChars: number) =>
  z.strictObject({
    // A blank title means "untitled": the first message will name the chat.
    title: z
      .string()
      .trim()
      .max(TITLE_MAX_CHARS_STORED, `Title must be at most ${TITLE_MAX_CHARS_STORED} characters.`)
      .nullish()
      .transform((t) => t || undefined),
    message: messageContent(maxChars).optional(),
    clientMessageId: ClientMessageId.optional(),
  });
