import { Router, type Request, type Response } from 'express';
import type { ChatConfig } from '../config.js';
import { AppError } from '../http/errors.js';
import { currentUser, requireUser } from '../http/require-user.js';
import { wantsEventStream } from '../http/sse.js';
import { withInput } from '../http/validate.js';
import type { Limits } from '../limits/limits.js';
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
} from './chats.schema.js';
import type { ChatsService } from './chats.service.js';
import { resumeOffset, streamTurn, type TurnStreamOptions } from './turn-stream.js';
import { outcomeOf } from './turn-outcome.js';
import type { Turn, TurnsService } from './turns.service.js';

export function createChatsRouter(
  chats: ChatsService,
  turns: TurnsService,
  limits: Limits,
  config: ChatConfig,
  models: readonly string[],
  tracker?: TurnStreamOptions['tracker'],
): Router {
  const router = Router();
  router.use(requireUser);
  const inputLimits = { maxChars: config.messageMaxChars, models };
  const CreateChatBody = createChatBody(inputLimits);
  const UpdateChatBody = updateChatBody(inputLimits);
  const SendMessageBody = sendMessageBody(inputLimits);
  const EditMessageBody = editMessageBody(inputLimits);

  /** A turn answers as SSE when asked to (Accept: text/event-stream), else as JSON once the reply ended. */
  type Outcome = Awaited<ReturnType<typeof outcomeOf>>;
  async function answerTurn(req: Request, res: Response, turn: Turn, body: (result: Outcome) => Promise<object>) {
    if (wantsEventStream(req)) {
      return streamTurn(req, res, turn, { heartbeatMs: config.heartbeatMs, stopOnDisconnect: config.onDisconnect === 'abort', tracker });
    }
    res.status(201).json(await body(await outcomeOf(turn)));
  }

  router.get('/', withInput({ query: ListChatsQuery }, async ({ query }, req, res) => {
    res.json(await chats.listChats(currentUser(req).id, query));
  }));

  router.post('/', withInput({ body: CreateChatBody }, async ({ body }, req, res) => {
    const userId = currentUser(req).id;
    if (body.message !== undefined) await limits.beforeSend(userId);
    const { chat, turn } = await chats.createChat(userId, body);
    if (!turn) return void res.status(201).json({ chat });
    try {
      await answerTurn(req, res, turn, async (result) => ({
        chat: await chats.currentChat(userId, chat.id),
        messages: [result.userMessage, result.assistantMessage].filter(Boolean),
      }));
    } catch (err) {
      // The client must learn the new chat's id even when the model failed, or it could not retry.
      if (err instanceof AppError) throw err.withExtra({ chat: await chats.currentChat(userId, chat.id) });
      throw err;
    }
  }));

  router.get('/:id', withInput({ params: ChatIdParams, query: ChatQuery }, async ({ params, query }, req, res) => {
    res.json(await chats.getChat(currentUser(req).id, params.id, query.limit));
  }));

  router.delete('/:id', withInput({ params: ChatIdParams }, async ({ params }, req, res) => {
    await chats.deleteChat(currentUser(req).id, params.id);
    res.status(204).end();
  }));

  router.get('/:id/messages', withInput({ params: ChatIdParams, query: MessagesQuery }, async ({ params, query }, req, res) => {
    res.json(await chats.listMessages(currentUser(req).id, params.id, { limit: query.limit, beforeId: query.before }));
  }));

  router.patch('/:id/messages/:messageId', withInput({ params: MessageParams, body: EditMessageBody }, async ({ params, body }, req, res) => {
    const userId = currentUser(req).id;
    await limits.beforeSend(userId);
    const turn = await turns.edit(userId, params.id, params.messageId, body.content);
    await answerTurn(req, res, turn, async (result) => result);
  }));

  router.patch('/:id', withInput({ params: ChatIdParams, body: UpdateChatBody }, async ({ params, body }, req, res) => {
    res.json({ chat: await chats.updateChat(currentUser(req).id, params.id, body) });
  }));

  router.post('/:id/message', withInput({ params: ChatIdParams, body: SendMessageBody }, async ({ params, body }, req, res) => {
    const userId = currentUser(req).id;
    await limits.beforeSend(userId);
    const turn = await turns.send(userId, params.id, body.content, body.clientMessageId);
    await answerTurn(req, res, turn, async (result) => result);
  }));

  router.post('/:id/regenerate', withInput({ params: ChatIdParams }, async ({ params }, req, res) => {
    const userId = currentUser(req).id;
    await limits.beforeSend(userId);
    const turn = await turns.regenerate(userId, params.id);
    await answerTurn(req, res, turn, async (result) => result);
  }));

  router.post('/:id/stop', withInput({ params: ChatIdParams }, async ({ params }, req, res) => {
    const stopped = await turns.stop(currentUser(req).id, params.id);
    if (!stopped) return void res.status(204).end();
    res.json(stopped);
  }));

  router.get('/:id/stream', withInput({ params: ChatIdParams }, async ({ params }, req, res) => {
    const turn = await turns.attach(currentUser(req).id, params.id);
    if (!turn) return void res.status(204).end();
    const fromOffset = resumeOffset(req.get('Last-Event-ID'), turn.assistantMessageId);
    streamTurn(req, res, turn, { heartbeatMs: config.heartbeatMs, fromOffset, tracker });
  }));

  return router;
}
