import { NotFoundError } from '../http/errors.js';
import type { Database } from '../db/database.js';
import type { ChatModel } from '../llm/chat-model.js';
import type { EarlyCall } from '../llm/early-call.js';
import { titleFromMessage } from './chat-title.js';
import type { EarlyStart } from './early-start.js';
import { inProgress, type LiveReplies, type Turn } from './live-replies.js';
import { createTurnsRepo, type StoredTurn } from './turns.repo.js';

type Send = (userId: string, chatId: string, content: string, clientMessageId?: string) => Promise<Turn>;

export interface SendDeps {
  db: Database;
  model: ChatModel;
  live: LiveReplies;
  early: EarlyStart;
  /** A send whose clientMessageId is already stored: the first result, or an answer if it had none. */
  repeat: (userId: string, chatId: string, content: string, clientMessageId: string) => Promise<Turn>;
  /** Starts the reply of a freshly stored turn (with the model call started early, if any). */
  launch: (userId: string, stored: StoredTurn, content: string, autoTitle: string, clientMessageId?: string, early?: EarlyCall) => Turn;
}

/**
 * The send path: the common case in one round trip (one statement stores the user message and the
 * streaming reply), the rare ones falling back to reading more: a repeat, a race, or a reply left
 * streaming by an instance that died (taken over, then the send is tried once more). Sends between their
 * first await and their launch are remembered, so a double click with one clientMessageId shares one turn.
 */
export function storeTurnAndLaunch({ db, model, live, early: earlyStart, repeat, launch }: SendDeps): Send {
  const turnsRepo = createTurnsRepo(db);
  const starting = new Map<string, { userId: string; clientMessageId?: string; turn: Promise<Turn> }>();

  const sendNow = async (userId: string, chatId: string, content: string, clientMessageId?: string, retried = false, alone = false): Promise<Turn> => {
    const current = live.get(chatId);
    const mine = current?.userId === userId ? current : undefined;
    if (mine && clientMessageId && mine.clientMessageId === clientMessageId) return mine.turn;
    if (mine && !clientMessageId) throw inProgress();

    const autoTitle = titleFromMessage(content);
    // The model call starts now, while the turn is stored (only when no other send of this chat is starting).
    const early = alone && !current ? earlyStart.start(userId, chatId, content, clientMessageId) : undefined;
    const storing = turnsRepo.storeTurn({
      userId,
      chatId,
      content,
      clientMessageId: clientMessageId ?? null,
      autoTitle,
      defaultModel: model.defaultModel,
      models: model.models,
      owner: live.owner(),
    });
    const result = await storing.catch((err: unknown) => {
      early?.abort();
      throw err;
    });
    if ('stored' in result) return launch(userId, result.stored, content, autoTitle, clientMessageId, early);
    early?.abort();
    if (result.refused === 'chat_not_found') throw new NotFoundError('Chat not found.', 'chat_not_found');
    if (result.refused === 'reply_in_progress') {
      if (!retried && !live.has(chatId) && (await live.takeOver(chatId)) > 0)
        return sendNow(userId, chatId, content, clientMessageId, true);
      throw inProgress();
    }
    if (!clientMessageId) throw inProgress();
    return repeat(userId, chatId, content, clientMessageId);
  };

  return (userId, chatId, content, clientMessageId) => {
    const pending = starting.get(chatId);
    if (pending && clientMessageId && pending.userId === userId && pending.clientMessageId === clientMessageId) {
      return pending.turn;
    }
    const turn = sendNow(userId, chatId, content, clientMessageId, false, !pending);
    if (!pending) {
      starting.set(chatId, { userId, clientMessageId, turn });
      const forget = () => void starting.delete(chatId);
      turn.then(forget, forget);
    }
    return turn;
  };
}
