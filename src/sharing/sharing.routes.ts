import { createHash, randomBytes } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { ChatIdParams } from '../chats/chats.schema.js';
import type { ChatsService } from '../chats/chats.service.js';
import type { Database } from '../db/database.js';
import { NotFoundError } from '../http/errors.js';
import { currentUser, requireUser } from '../http/require-user.js';
import { withInput } from '../http/validate.js';
import { createSharesRepo } from './shares.repo.js';

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
export const TokenParams = z.object({ token: z.string().regex(/^[\w-]{32}$/, 'Share token is malformed.') });
const ALL_MESSAGES = 1_000_000;

/**
 * Read-only snapshots at unguessable URLs. POST /api/chats/:id/share copies the chat as it is now
 * (later messages are not shared); GET /api/shared/:token needs no login and can read nothing else.
 */
export function createSharingRouters(db: Database, chats: ChatsService): { owner: Router; shared: Router } {
  const shares = createSharesRepo(db);

  const owner = Router();
  owner.post('/:id/share', requireUser, withInput({ params: ChatIdParams }, async ({ params }, req, res) => {
    const { chat, messages } = await chats.getChat(currentUser(req).id, params.id, ALL_MESSAGES);
    const token = randomBytes(24).toString('base64url');
    const snapshot = {
      title: chat.title,
      messages: messages
        .filter((m) => m.content && m.status !== 'streaming')
        .map(({ role, content, createdAt }) => ({ role, content, createdAt })),
    };
    const sharedAt = await shares.put(chat.id, hashToken(token), snapshot);
    res.status(201).json({ token, url: `/api/shared/${token}`, sharedAt: sharedAt.toISOString() });
  }));
  owner.delete('/:id/share', requireUser, withInput({ params: ChatIdParams }, async ({ params }, req, res) => {
    const { chat } = await chats.getChat(currentUser(req).id, params.id, 1);
    if (!(await shares.remove(chat.id))) throw new NotFoundError('This chat is not shared.', 'share_not_found');
    res.status(204).end();
  }));

  const shared = Router();
  shared.get('/:token', withInput({ params: TokenParams }, async ({ params }, _req, res) => {
    const found = await shares.find(hashToken(params.token));
    if (!found) throw new NotFoundError('This shared chat does not exist or is no longer shared.', 'share_not_found');
    res.set('Cache-Control', 'no-store').json({ ...found.snapshot, sharedAt: found.sharedAt });
  }));

  return { owner, shared };
}
