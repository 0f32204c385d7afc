import type { Config } from '../config.js';
import { AppError } from '../http/errors.js';
import { routeFor } from '../http/route.js';
import type { Metrics } from '../observability/metrics.js';
import * as R from '../openapi/response.schemas.js';
import {
  ChatIdParams,
  ChatQuery,
  ListChatsQuery,
  MessageParams,
  MessagesQuery,
  createChatBody,
  editMessageBody,
  sendMessageBody,
  updateChatBody,
  type ChatSchemaLimits,
} from './chats.schema.js';
import type { ChatsService } from './chats.service.js';
import { answerTurn } from './turn-response.js';
import { resumeOffset, streamTurn } from './turn-stream.js';
import type { TurnsService } from './turns.service.js';

export interface ChatRouteDeps {
  chats: ChatsService;
  turns: TurnsService;
  config: Pick<Config, 'chat'>;
  metrics?: Pick<Metrics, 'streamOpened' | 'streamClosed'>;
}

const route = routeFor<ChatRouteDeps>();
const responder = (deps: ChatRouteDeps) => ({ config: deps.config.chat, tracker: deps.metrics });
const tag = 'Chats';
const turnErrors = { 400: R.ErrorBody, 404: R.ErrorBody, 409: R.ErrorBody, 429: R.ErrorBody, 502: R.ErrorBody };

/** Chats and their settings (the body schemas follow MESSAGE_MAX_CHARS and the offered models). */
export function chatRoutes(limits: ChatSchemaLimits) {
  return [
    route({
      method: 'get', path: '/api/chats', summary: 'My chats, pinned first then most recent, in pages', tag, auth: true,
      input: { query: ListChatsQuery },
      responses: { 200: R.ChatList, 400: R.ErrorBody },
      async handle({ input, deps, user, res }) {
        res.json(await deps.chats.listChats(user.id, input.query));
      },
    }),
    route({
      method: 'post', path: '/api/chats', summary: 'Create a chat (and send its first message)', tag, auth: true, streams: true,
      input: { body: createChatBody(limits) },
      responses: { 201: R.CreatedChat, ...turnErrors },
      async handle({ input, deps, user, req, res }) {
        const { chat, turn } = await deps.chats.createChat(user.id, input.body);
        if (!turn) return void res.status(201).json({ chat });
        const current = () => deps.chats.currentChat(user.id, chat.id);
        try {
          await answerTurn(req, res, turn, responder(deps), async (result) => ({
            chat: await current(),
            messages: [result.userMessage, result.assistantMessage].filter(Boolean),
          }));
        } catch (err) {
          // The client must learn the new chat's id even when the model failed, or it could not retry.
          throw err instanceof AppError ? err.withExtra({ chat: await current() }) : err;
        }
      },
    }),
    route({
      method: 'get', path: '/api/chats/:id', summary: 'A chat with its newest messages', tag, auth: true,
      input: { params: ChatIdParams, query: ChatQuery },
      responses: { 200: R.ChatWithMessages, 404: R.ErrorBody },
      async handle({ input, deps, user, res }) {
        res.json(await deps.chats.getChat(user.id, input.params.id, input.query.limit));
      },
    }),
    route({
      method: 'patch', path: '/api/chats/:id', summary: 'Rename, pin, archive, or change the system prompt or model', tag, auth: true,
      input: { params: ChatIdParams, body: updateChatBody(limits) },
      responses: { 200: R.ChatBody, 400: R.ErrorBody, 404: R.ErrorBody },
      async handle({ input, deps, user, res }) {
        res.json({ chat: await deps.chats.updateChat(user.id, input.params.id, input.body) });
      },
    }),
    route({
      method: 'delete', path: '/api/chats/:id', summary: 'Delete a chat and its messages', tag, auth: true,
      input: { params: ChatIdParams },
      responses: { 204: undefined, 404: R.ErrorBody },
      async handle({ input, deps, user, res }) {
        await deps.chats.deleteChat(user.id, input.params.id);
        res.status(204).end();
      },
    }),
    route({
      method: 'get', path: '/api/chats/:id/messages', summary: 'Older messages, a page at a time', tag, auth: true,
      input: { params: ChatIdParams, query: MessagesQuery },
      responses: { 200: R.MessagePage, 404: R.ErrorBody },
      async handle({ input, deps, user, res }) {
        res.json(await deps.chats.listMessages(user.id, input.params.id, { limit: input.query.limit, beforeId: input.query.before }));
      },
    }),
    ...messageRoutes(limits),
  ];
}

/** Messages: sending, editing, regenerating, stopping and following a reply. */
function messageRoutes(limits: ChatSchemaLimits) {
  const tag = 'Messages';
  return [
    route({
      method: 'post', path: '/api/chats/:id/message', summary: 'Send a message and get the reply', tag, auth: true, streams: true,
      input: { params: ChatIdParams, body: sendMessageBody(limits) },
      responses: { 201: R.Turn, ...turnErrors },
      async handle({ input, deps, user, req, res }) {
        const turn = await deps.turns.send(user.id, input.params.id, input.body.content, input.body.clientMessageId);
        await answerTurn(req, res, turn, responder(deps));
      },
    }),
    route({
      method: 'patch', path: '/api/chats/:id/messages/:messageId', summary: 'Edit a message and answer anew', tag, auth: true, streams: true,
      input: { params: MessageParams, body: editMessageBody(limits) },
      responses: { 201: R.Turn, ...turnErrors },
      async handle({ input, deps, user, req, res }) {
        const turn = await deps.turns.edit(user.id, input.params.id, input.params.messageId, input.body.content);
        await answerTurn(req, res, turn, responder(deps));
      },
    }),
    route({
      method: 'post', path: '/api/chats/:id/regenerate', summary: 'Replace the last reply', tag, auth: true, streams: true,
      input: { params: ChatIdParams },
      responses: { 201: R.Turn, ...turnErrors },
      async handle({ input, deps, user, req, res }) {
        await answerTurn(req, res, await deps.turns.regenerate(user.id, input.params.id), responder(deps));
      },
    }),
    route({
      method: 'post', path: '/api/chats/:id/stop', summary: 'Stop the reply being generated', tag, auth: true,
      input: { params: ChatIdParams },
      responses: { 200: R.Stopped, 204: undefined, 404: R.ErrorBody },
      async handle({ input, deps, user, res }) {
        const stopped = await deps.turns.stop(user.id, input.params.id);
        if (!stopped) return void res.status(204).end();
        res.json(stopped);
      },
    }),
    route({
      method: 'get', path: '/api/chats/:id/stream', summary: 'Re-attach to the reply in progress (SSE, Last-Event-ID)', tag, auth: true, streams: true,
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
