import { Router } from 'express';
import { currentUser, requireUser } from '../http/require-user.js';
import { withInput } from '../http/validate.js';
import { ChatIdParams, createChatBody, sendMessageBody } from './chats.schema.js';
import type { ChatsService } from './chats.service.js';

export function createChatsRouter(chats: ChatsService, messageMaxChars: number): Router {
  const router = Router();
  router.use(requireUser);
  const CreateChatBody = createChatBody(messageMaxChars);
  const SendMessageBody = sendMessageBody(messageMaxChars);

  router.get('/', async (req, res) => {
    res.json({ chats: await chats.listChats(currentUser(req).id) });
  });

  router.post('/', withInput({ body: CreateChatBody }, async ({ body }, req, res) => {
    res.status(201).json(await chats.createChat(currentUser(req).id, body));
  }));

  router.get('/:id', withInput({ params: ChatIdParams }, async ({ params }, req, res) => {
    res.json(await chats.getChat(currentUser(req).id, params.id));
  }));

  router.post('/:id/message', withInput({ params: ChatIdParams, body: SendMessageBody }, async ({ params, body }, req, res) => {
    const result = await chats.sendMessage(currentUser(req).id, params.id, body.content, body.clientMessageId);
    res.status(201).json(result);
  }));

  return router;
}
