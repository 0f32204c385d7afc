import type { Response } from 'express';
import { ChatIdParams } from '../chats/chats.schema.js';
import { routeFor } from '../http/route.js';
import * as R from '../openapi/response.schemas.js';
import { ExportAllQuery, ExportQuery, ImportBody } from './portability.schema.js';
import type { Download, PortabilityService } from './portability.service.js';

const route = routeFor<{ portability: PortabilityService }>();
const tag = 'Data';
/** Imports carry whole histories, so their route alone takes bodies larger than the 1 MB default. */
const IMPORT_BODY_LIMIT = '25mb';

function sendDownload(res: Response, download: Download): void {
  res.attachment(download.filename);
  if ('json' in download.body) res.json(download.body.json);
  else res.type(download.body.type).send(download.body.text);
}

export const portabilityRoutes = [
  route({
    method: 'get',
    path: '/api/chats/:id/export',
    summary: 'Export a chat as JSON or Markdown',
    tag,
    auth: true,
    input: { params: ChatIdParams, query: ExportQuery },
    responses: { 200: R.Export, 404: R.ErrorBody },
    async handle({ input, deps, user, res }) {
      sendDownload(res, await deps.portability.exportChat(user.id, input.params.id, input.query.format, input.query.files));
    },
  }),
  route({
    method: 'get',
    path: '/api/export',
    summary: 'Export all my data',
    tag,
    auth: true,
    input: { query: ExportAllQuery },
    responses: { 200: R.Export },
    async handle({ input, deps, user, res }) {
      sendDownload(res, await deps.portability.exportAll(user, input.query.files));
    },
  }),
  route({
    method: 'post',
    path: '/api/import',
    summary: 'Import an export',
    tag,
    auth: true,
    bodyLimit: IMPORT_BODY_LIMIT,
    input: { body: ImportBody },
    responses: { 201: R.Imported, 400: R.ErrorBody, 413: R.ErrorBody, 429: R.ErrorBody },
    async handle({ input, deps, user, res }) {
      res.status(201).json(await deps.portability.importData(user.id, input.body));
    },
  }),
];
