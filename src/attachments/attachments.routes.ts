import { z } from 'zod';
import { routeFor } from '../http/route.js';
import * as R from '../openapi/response.schemas.js';
import type { Limits } from '../limits/limits.js';
import type { AttachmentsService } from './attachments.service.js';
import { sendAttachment } from './send-file.js';

const route = routeFor<{ attachments: AttachmentsService; limits: Pick<Limits, 'beforeUpload'> }>();
const tag = 'Attachments';
export const AttachmentParams = z.object({ id: z.uuid('Attachment id is malformed.') });

/** Uploading files to send with a message, reading them back, deleting one not sent. */
export const attachmentRoutes = (uploadMaxBytes: number) => [
  route({
    method: 'post',
    path: '/api/uploads',
    summary: 'Upload a file to attach to a message',
    tag,
    auth: true,
    upload: { field: 'file', maxBytes: uploadMaxBytes },
    responses: {
      201: R.AttachmentBody,
      400: R.ErrorBody,
      413: R.ErrorBody,
      415: R.ErrorBody,
      422: R.ErrorBody,
      429: R.ErrorBody,
      503: R.ErrorBody,
    },
    async handle({ deps, user, req, res }) {
      const file = req.file!;
      await deps.limits.beforeUpload(user.id);
      const attachment = await deps.attachments.upload(user.id, { bytes: file.buffer, name: file.originalname });
      res.status(201).json({ attachment });
    },
  }),
  route({
    method: 'get',
    path: '/api/attachments/:id',
    summary: "An attachment's bytes (its owner only)",
    tag,
    auth: true,
    input: { params: AttachmentParams },
    responses: { 200: undefined, 404: R.ErrorBody },
    async handle({ input, deps, user, res }) {
      sendAttachment(res, await deps.attachments.read(user.id, input.params.id));
    },
  }),
  route({
    method: 'delete',
    path: '/api/attachments/:id',
    summary: 'Delete an upload not sent yet',
    tag,
    auth: true,
    input: { params: AttachmentParams },
    responses: { 204: undefined, 404: R.ErrorBody, 409: R.ErrorBody },
    async handle({ input, deps, user, res }) {
      await deps.attachments.remove(user.id, input.params.id);
      res.status(204).end();
    },
  }),
];
