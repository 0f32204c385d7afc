import { routeFor } from '../http/route.js';
import * as R from '../openapi/response.schemas.js';
import { responder, turnErrors, type ChatRouteDeps } from './route-deps.js';
import {
  ChatIdParams,
  ChatQuery,
  FeedbackBody,
  MessageParams,
  editMessageBody,
  messageIdBody,
  sendMessageBody,
  type ChatSchemaLimits,
} from './chats.schema.js';
import { answerTurn } from './turn-response.js';
import { resumeOffset, streamTurn } from './turn-stream.js';

const route = routeFor<ChatRouteDeps>();

/** Messages: sending, editing, regenerating, stopping and following a reply. */
export function messageRoutes(limits: ChatSchemaLimits) {
  const tag = 'Messages';
  return [
    route({
      method: 'post',
      path: '/api/chats/:id/message',
      summary: 'Send a message and get the reply',
      tag,
      auth: true,
      streams: true,
      input: { params: ChatIdParams, body: sendMessageBody(limits) },
      responses: { 201: R.Turn, ...turnErrors },
      async handle({ input, deps, user, req, res }) {
        const { content, clientMessageId, attachments } = input.body;
        const turn = await deps.turns.send(user.id, input.params.id, content, clientMessageId, { attachments });
        await answerTurn(req, res, turn, responder(deps));
      },
    }),
    route({
      method: 'put',
      path: '/api/chats/:id/messages/:messageId/feedback',
      summary: 'Rate a reply 👍 / 👎 (null takes it back), with an optional comment',
      tag,
      auth: true,
      input: { params: MessageParams, body: FeedbackBody },
      responses: { 200: R.MessageBody, 400: R.ErrorBody, 404: R.ErrorBody },
      async handle({ input, deps, user, res }) {
        const { rating, comment } = input.body;
        const feedback = rating ? { rating, comment: comment || null } : null;
        res.json({ message: await deps.feedback.set(user.id, input.params.id, input.params.messageId, feedback) });
      },
    }),
    route({
      method: 'patch',
      path: '/api/chats/:id/messages/:messageId',
      summary: 'Edit a message: a new version beside it, answered (the old one stays)',
      tag,
      auth: true,
      streams: true,
      input: { params: MessageParams, body: editMessageBody(limits) },
      responses: { 201: R.Turn, ...turnErrors },
      async handle({ input, deps, user, req, res }) {
        const turn = await deps.turns.edit(user.id, input.params.id, input.params.messageId, input.body.content);
        await answerTurn(req, res, turn, responder(deps));
      },
    }),
    route({
      method: 'post',
      path: '/api/chats/:id/regenerate',
      summary: 'A new version of the last reply (the old one stays)',
      tag,
      auth: true,
      streams: true,
      input: { params: ChatIdParams },
      responses: { 201: R.Turn, ...turnErrors },
      async handle({ input, deps, user, req, res }) {
        await answerTurn(req, res, await deps.turns.regenerate(user.id, input.params.id), responder(deps));
      },
    }),
    route({
      method: 'post',
      path: '/api/chats/:id/branch',
      summary: 'Switch the active path to run through a message (and on to its newest leaf)',
      tag,
      auth: true,
      input: { params: ChatIdParams, query: ChatQuery, body: messageIdBody },
      responses: { 200: R.ChatWithMessages, 400: R.ErrorBody, 404: R.ErrorBody, 409: R.ErrorBody },
      async handle({ input, deps, user, res }) {
        res.json(await deps.chats.switchBranch(user.id, input.params.id, input.body.messageId, input.query.limit));
      },
    }),
    route({
      method: 'post',
      path: '/api/chats/:id/fork',
      summary: 'A new chat from the conversation up to a message',
      tag,
      auth: true,
      input: { params: ChatIdParams, body: messageIdBody },
      responses: { 201: R.ForkedChat, 400: R.ErrorBody, 404: R.ErrorBody, 409: R.ErrorBody, 429: R.ErrorBody },
      async handle({ input, deps, user, res }) {
        res.status(201).json(await deps.chats.fork(user.id, input.params.id, input.body.messageId));
      },
    }),
    route({
      method: 'post',
      path: '/api/chats/:id/stop',
      summary: 'Stop the reply being generated',
      tag,
      auth: true,
      input: { params: ChatIdParams },
      responses: { 200: R.Stopped, 204: undefined, 404: R.ErrorBody },
      async handle({ input, deps, user, res }) {
        const stopped = await deps.turns.stop(user.id, input.params.id);
        if (!stopped) return void res.status(204).end();
        res.json(stopped);
      },
    }),
    route({
      method: 'get',
      path: '/api/chats/:id/stream',
      summary: 'Re-attach to the reply in progress (SSE, Last-Event-ID)',
      tag,
      auth: true,
      streams: true,
      input: { params: ChatIdParams },
      responses: { 204: undefined, 404: R.ErrorBody },
      async handle({ input, deps, user, req, res }) {
        const turn = await deps.turns.attach(user.id, input.params.id);
        if (!turn) return void res.status(204).end();
        const fromOffset = resumeOffset(req.get('Last-Event-ID'), turn.assistantMessageId);
        streamTurn(req, res, turn, { heartbeatMs: deps.config.chat.heartbeatMs, fromOffset, tracker: deps.metrics });
      },
    }),
  ];
}
