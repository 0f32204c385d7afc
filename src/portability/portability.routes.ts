import express, { Router } from 'express';
import { ChatIdParams } from '../chats/chats.schema.js';
import type { Database } from '../db/database.js';
import { NotFoundError } from '../http/errors.js';
import { currentUser, requireUser } from '../http/require-user.js';
import { withInput } from '../http/validate.js';
import { chatToMarkdown } from './markdown.js';
import { createPortabilityRepo } from './portability.repo.js';
import { EXPORT_FORMAT, EXPORT_VERSION, ExportQuery, ImportBody } from './portability.schema.js';

/** Imports carry whole histories, so their route alone takes bodies larger than the 1 MB default. */
export const IMPORT_PATH = '/api/import';
const IMPORT_BODY_LIMIT = '25mb';

const attachmentName = (title: string | null, ext: string) =>
  `${(title ?? 'chat').replace(/[^\w -]+/g, '').trim().slice(0, 60) || 'chat'}.${ext}`;

/** Data portability: a chat as JSON or Markdown, all of a user's data as JSON, and its import. */
export function createPortabilityRouter(db: Database): Router {
  const repo = createPortabilityRepo(db);
  const router = Router();

  router.get('/chats/:id/export', requireUser, withInput({ params: ChatIdParams, query: ExportQuery }, async ({ params, query }, req, res) => {
    const [chat] = await repo.exportChats(currentUser(req).id, params.id);
    if (!chat) throw new NotFoundError('Chat not found.', 'chat_not_found');
    const exportedAt = new Date().toISOString();
    if (query.format === 'markdown') {
      res.attachment(attachmentName(chat.title, 'md')).type('text/markdown; charset=utf-8').send(chatToMarkdown(chat, exportedAt));
      return;
    }
    res.attachment(attachmentName(chat.title, 'json')).json({ format: EXPORT_FORMAT, version: EXPORT_VERSION, exportedAt, chats: [chat] });
  }));

  router.get('/export', requireUser, async (req, res) => {
    const user = currentUser(req);
    const chats = await repo.exportChats(user.id);
    res.attachment('gpt-backend-export.json').json({
      format: EXPORT_FORMAT,
      version: EXPORT_VERSION,
      exportedAt: new Date().toISOString(),
      user: { email: user.email, createdAt: user.createdAt },
      chats,
    });
  });

  router.post('/import', requireUser, express.json({ limit: IMPORT_BODY_LIMIT }), withInput({ body: ImportBody }, async ({ body }, req, res) => {
    const userId = currentUser(req).id;
    const ids = await db.withTransaction(async (tx) => {
      const created: string[] = [];
      for (const chat of body.chats) created.push(await repo.importChat(userId, chat, tx));
      return created;
    });
    const messages = body.chats.reduce((n, c) => n + c.messages.length, 0);
    res.status(201).json({ imported: { chats: ids.length, messages }, chatIds: ids });
  }));

  return router;
}
