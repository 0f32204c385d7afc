import { AppError } from '../http/errors.js';
import { routeFor } from '../http/route.js';
import * as R from '../openapi/response.schemas.js';
import {
  ChatIdParams,
  ChatQuery,
  ListChatsQuery,
  MessagesQuery,
  createChatBody,
  updateChatBody,
  type ChatSchemaLimits,
} from './chats.schema.js';
import { messageRoutes } from './messages.routes.js';
import { responder, turnErrors, type ChatRouteDeps } from './route-deps.js';
import { answerTurn } from './turn-response.js';

const route = routeFor<ChatRouteDeps>();
const tag = 'Chats';

/** Chats and their settings (the body schemas follow MESSAGE_MAX_CHARS and the offered models). */
export function chatRoutes(limits: ChatSchemaLimits) {
  return [
    route({
      method: 'get',
      path: '/api/chats',
      summary: 'My chats, pinned first then most recent, in pages',
      tag,
      auth: true,
      input: { query: ListChatsQuery },
      responses: { 200: R.ChatList, 400: R.ErrorBody },
      async handle({ input, deps, user, res }) {
        res.json(await deps.chats.listChats(user.id, input.query));
      },
    }),
    route({
      method: 'post',
      path: '/api/chats',
      summary: 'Create a chat (and send its first message)',
      tag,
      auth: true,
      streams: true,
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
      method: 'get',
      path: '/api/chats/:id',
      summary: 'A chat with its newest messages',
      tag,
      auth: true,
      input: { params: ChatIdParams, query: ChatQuery },
      responses: { 200: R.ChatWithMessages, 404: R.ErrorBody },
      async handle({ input, deps, user, res }) {
        res.json(await deps.chats.getChat(user.id, input.params.id, input.query.limit));
      },
    }),
    route({
      method: 'patch',
      path: '/api/chats/:id',
      summary: 'Rename, pin, archive, or change the system prompt or model',
      tag,
      auth: true,
      input: { params: ChatIdParams, body: updateChatBody(limits) },
      responses: { 200: R.ChatBody, 400: R.ErrorBody, 404: R.ErrorBody },
      async handle({ input, deps, user, res }) {
        res.json({ chat: await deps.chats.updateChat(user.id, input.params.id, input.body) });
      },
    }),
    route({
      method: 'delete',
      path: '/api/chats/:id',
      summary: 'Delete a chat and its messages',
      tag,
      auth: true,
      input: { params: ChatIdParams },
      responses: { 204: undefined, 404: R.ErrorBody },
      async handle({ input, deps, user, res }) {
        await deps.chats.deleteChat(user.id, input.params.id);
        res.status(204).end();
      },
    }),
    route({
      method: 'get',
      path: '/api/chats/:id/messages',
      summary: 'Older messages, a page at a time',
      tag,
      auth: true,
      input: { params: ChatIdParams, query: MessagesQuery },
      responses: { 200: R.MessagePage, 404: R.ErrorBody },
      async handle({ input, deps, user, res }) {
        res.json(await deps.chats.listMessages(user.id, input.params.id, { limit: input.query.limit, beforeId: input.query.before }));
      },
    }),
    ...messageRoutes(limits),
  ];
}
