import { z } from 'zod';
import type { Chat, ChatCursor } from './chats.repo.js';

/** Cursors are opaque to clients: base64url JSON of the last chat's sort key. */
const CursorShape = z.tuple([z.boolean(), z.iso.datetime(), z.uuid()]);

export function encodeCursor(chat: Chat): string {
  return Buffer.from(JSON.stringify([chat.pinned, chat.updatedAt, chat.id])).toString('base64url');
}

export function decodeCursor(cursor: string): ChatCursor | undefined {
  try {
    const parsed = CursorShape.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (!parsed.success) return undefined;
    const [pinned, updatedAt, id] = parsed.data;
    return { pinned, updatedAt, id };
  } catch {
    return undefined;
  }
}
