import { z } from 'zod';
import { AttachmentParams } from '../attachments/attachments.routes.js';
import { sendAttachment } from '../attachments/send-file.js';
import { ChatIdParams } from '../chats/chats.schema.js';
import { routeFor } from '../http/route.js';
import * as R from '../openapi/response.schemas.js';
import type { SharingService } from './sharing.service.js';

const route = routeFor<{ sharing: SharingService }>();
const tag = 'Sharing';
const TokenParams = z.object({ token: z.string().regex(/^[\w-]{32}$/, 'Share token is malformed.') });

export const sharingRoutes = [
  route({
    method: 'post',
    path: '/api/chats/:id/share',
    summary: 'Share a read-only snapshot',
    tag,
    auth: true,
    input: { params: ChatIdParams },
    responses: { 201: R.Share, 404: R.ErrorBody },
    async handle({ input, deps, user, res }) {
      res.status(201).json(await deps.sharing.share(user.id, input.params.id));
    },
  }),
  route({
    method: 'delete',
    path: '/api/chats/:id/share',
    summary: 'Stop sharing',
    tag,
    auth: true,
    input: { params: ChatIdParams },
    responses: { 204: undefined, 404: R.ErrorBody },
    async handle({ input, deps, user, res }) {
      await deps.sharing.unshare(user.id, input.params.id);
      res.status(204).end();
    },
  }),
  route({
    method: 'get',
    path: '/api/shared/:token',
    summary: 'A shared chat (no login)',
    tag,
    auth: false,
    input: { params: TokenParams },
    responses: { 200: R.SharedChat, 404: R.ErrorBody },
    async handle({ input, deps, res }) {
      res.set('Cache-Control', 'no-store').json(await deps.sharing.read(input.params.token));
    },
  }),
  route({
    method: 'get',
    path: '/api/shared/:token/attachments/:id',
    summary: "A file of a shared chat (no login; the share's own files only)",
    tag,
    auth: false,
    input: { params: TokenParams.extend(AttachmentParams.shape) },
    responses: { 200: undefined, 404: R.ErrorBody },
    async handle({ input, deps, res }) {
      sendAttachment(res, await deps.sharing.attachment(input.params.token, input.params.id), { shared: true });
    },
  }),
];
