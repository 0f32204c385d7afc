import { NotFoundError } from '../http/errors.js';
import type { Database } from '../db/database.js';
import type { Queryable } from '../db/database.js';
import type { ChatModel, TurnAttachment } from '../llm/chat-model.js';
import type { EarlyCall } from '../llm/early-call.js';
import { titleFromMessage } from './chat-title.js';
import type { BudgetHold } from '../usage/usage.service.js';
import type { EarlyStart } from './early-start.js';
import { inProgress, type LiveReplies, type Turn } from './live-replies.js';
import { createMessagesRepo } from './messages.repo.js';
import { createTurnsRepo, type StoredTurn } from './turns.repo.js';

interface SendRequest {
  userId: string;
  chatId: string;
  content: string;
  clientMessageId?: string;
  attachmentIds?: readonly string[];
  hold?: BudgetHold;
}

type Send = (
  userId: string,
  chatId: string,
  content: string,
  clientMessageId?: string,
  attachmentIds?: readonly string[],
  hold?: BudgetHold,
) => Promise<Turn>;

export interface SendDeps {
  db: Database;
  model: ChatModel;
  live: LiveReplies;
  early: EarlyStart;
  /** A send whose clientMessageId is already stored: the first result, or an answer if it had none. */
  repeat: (userId: string, chatId: string, content: string, clientMessageId: string) => Promise<Turn>;
  /** Starts the reply of a freshly stored turn (with the model call started early, if any). */
  launch: (
    userId: string,
    stored: StoredTurn,
    content: string,
    autoTitle: string,
    clientMessageId?: string,
    early?: EarlyCall,
    hold?: BudgetHold,
  ) => Turn;
  /** A send's files: checked and locked in its transaction (404/400 otherwise), then linked to its message. */
  attach: {
    claim(userId: string, chatId: string, ids: readonly string[], tx: Queryable): Promise<TurnAttachment[]>;
    link(ids: readonly string[], messageId: string, tx: Queryable): Promise<void>;
  };
}

/**
 * The send path: the common case in one round trip (one statement stores the user message and the
 * streaming reply), the rare ones falling back to reading more: a repeat, a race, or a reply left
 * streaming by an instance that died (taken over, then the send is tried once more). Sends between their
 * first await and their launch are remembered, so a double click with one clientMessageId shares one turn.
 */
export function storeTurnAndLaunch({ db, model, live, early: earlyStart, repeat, launch, attach }: SendDeps): Send {
  const messages = createMessagesRepo(db);
  const turnsRepo = createTurnsRepo(db);
  /** Stores a turn; with an early call, one turn of the event loop later (its request written first). */
  const storeTurn = async (afterEarlyCall: boolean, turn: Parameters<typeof turnsRepo.storeTurn>[0]) => {
    if (afterEarlyCall) await new Promise<void>((resolve) => setImmediate(resolve));
    return turnsRepo.storeTurn(turn);
  };
  const starting = new Map<string, { userId: string; clientMessageId?: string; turn: Promise<Turn> }>();

  const sendNow = async (send: SendRequest, retried = false, alone = false): Promise<Turn> => {
    const { userId, chatId, content, clientMessageId, attachmentIds = [] } = send;
    const current = live.get(chatId);
    const mine = current?.userId === userId ? current : undefined;
    if (mine && clientMessageId && mine.clientMessageId === clientMessageId) return mine.turn;
    if (mine && !clientMessageId) throw inProgress();
    // A retry of a send with files: its files are taken by the first one, which answers it.
    if (attachmentIds.length > 0 && clientMessageId && (await messages.findByClientId(chatId, clientMessageId))) {
      return repeat(userId, chatId, content, clientMessageId);
    }

    const autoTitle = titleFromMessage(content);
    const input = {
      userId,
      chatId,
      content,
      clientMessageId: clientMessageId ?? null,
      autoTitle,
      defaultModel: model.defaultModel,
      models: model.models,
      owner: live.owner(),
    };
    // The model call starts now, while the turn is stored (only when no other send of this chat is
    // starting), and the store need not read back a conversation this instance holds. Its request is
    // written first (the store waits one turn of the event loop): a model's first token takes longer
    // than the commit, and on a busy host the first write costs the second up to a millisecond.
    const quick = alone && !current && attachmentIds.length === 0;
    const early = quick ? earlyStart.start(userId, chatId, content, clientMessageId) : undefined;
    const storing =
      attachmentIds.length === 0
        ? storeTurn(early !== undefined, { ...input, knownHistory: quick ? earlyStart.history(userId, chatId) : undefined })
        : db.withTransaction(async (tx) => {
            const attachments = await attach.claim(userId, chatId, attachmentIds, tx);
            const stored = await turnsRepo.storeTurn({ ...input, attachments }, tx);
            if ('stored' in stored) await attach.link(attachmentIds, stored.stored.userMessage.id, tx);
            return stored;
          });
    const result = await storing.catch((err: unknown) => {
      early?.abort();
      throw err;
    });
    if ('stored' in result) return launch(userId, result.stored, content, autoTitle, clientMessageId, early, send.hold);
    early?.abort();
    if (result.refused === 'chat_not_found') throw new NotFoundError('Chat not found.', 'chat_not_found');
    if (result.refused === 'reply_in_progress') {
      if (!retried && !live.has(chatId) && (await live.takeOver(chatId)) > 0) return sendNow(send, true);
      throw inProgress();
    }
    if (!clientMessageId) throw inProgress();
    return repeat(userId, chatId, content, clientMessageId);
  };

  return (userId, chatId, content, clientMessageId, attachmentIds, hold) => {
    const pending = starting.get(chatId);
    if (pending && clientMessageId && pending.userId === userId && pending.clientMessageId === clientMessageId) {
      return pending.turn;
    }
    const turn = sendNow({ userId, chatId, content, clientMessageId, attachmentIds, hold }, false, !pending);
    if (!pending) {
      starting.set(chatId, { userId, clientMessageId, turn });
      const forget = () => void starting.delete(chatId);
      turn.then(forget, forget);
    }
    return turn;
  };
}
