import type { AttachmentsService } from '../attachments/attachments.service.js';
import type { Database, Queryable } from '../db/database.js';
import { NotFoundError } from '../http/errors.js';
import type { BudgetHold } from '../usage/usage.service.js';
import { createBranchesRepo } from './branches.repo.js';
import type { Chat } from './chats.repo.js';
import type { EarlyStart } from './early-start.js';
import { inProgress, type LiveReplies, type Turn } from './live-replies.js';
import { createMessagesRepo, type Message } from './messages.repo.js';
import type { RepliesRepo } from './replies.repo.js';
import { createTurnsRepo } from './turns.repo.js';

interface BranchingDeps {
  db: Database;
  live: LiveReplies;
  early: EarlyStart;
  replies: RepliesRepo;
  attachments: Pick<AttachmentsService, 'copyFiles'>;
  modelFor: (chat: Chat) => string;
  launch: (userId: string, chat: Chat, userMessage: Message, placeholder: Message, options: LaunchOptions) => Turn;
}

interface LaunchOptions {
  clientMessageId?: string;
  hold?: BudgetHold;
}

const messageNotFound = () => new NotFoundError('Message not found.', 'message_not_found');

/**
 * What moves a chat's active path (issue 31), each in one transaction under the chat's row lock, never
 * while a reply is being written in it (here or on a live instance: 409; one whose instance died is
 * ended first): an edit (a new user message beside the edited one), a regeneration (a new reply beside
 * the last one) and a switch. Nothing is ever deleted: every earlier version stays, one switch away.
 */
export function createBranching({ db, live, early, replies, attachments, modelFor, launch }: BranchingDeps) {
  const branches = createBranchesRepo(db);
  const turnsRepo = createTurnsRepo(db);
  const messages = createMessagesRepo(db);

  /** Runs `change` on the user's idle chat, in a transaction holding its row lock. */
  async function onIdleChat<T>(userId: string, chatId: string, change: (tx: Queryable) => Promise<T>): Promise<T> {
    if (live.has(chatId)) throw inProgress();
    early.forget(chatId); // what this instance knows of the conversation is about to change
    return db.withTransaction(async (tx) => {
      if (!(await turnsRepo.lockChat(userId, chatId, tx))) throw new NotFoundError('Chat not found.', 'chat_not_found');
      await live.takeOver(chatId, tx);
      if (await replies.findStreaming(chatId, tx)) throw inProgress();
      return change(tx);
    });
  }

  return {
    /**
     * Answers `userMessage` anew: a new reply beside its earlier ones (regenerate, or a send whose reply
     * never came); with `edit`, first a new user message beside it with that text (and its files), which
     * is then answered. The new messages end the active path.
     */
    reanswer: async (userId: string, chat: Chat, userMessage: Message, options: LaunchOptions & { edit?: string } = {}): Promise<Turn> => {
      const { asked, placeholder } = await onIdleChat(userId, chat.id, async (tx) => {
        let asked = userMessage;
        if (options.edit === undefined) await branches.setPath(chat.id, userMessage.id, tx);
        else {
          await branches.setPath(chat.id, userMessage.parentId, tx);
          asked = await branches.insertUserMessage(chat.id, userMessage.parentId, options.edit, tx);
          if (userMessage.attachments.length > 0) {
            await attachments.copyFiles([[userMessage.id, asked.id]], tx);
            asked = (await messages.findById(asked.id, tx))!;
          }
        }
        const placeholder = await replies.insertStreamingReply(chat.id, asked.id, modelFor(chat), live.owner(), tx);
        if (!placeholder) throw inProgress();
        return { asked, placeholder };
      });
      return launch(userId, chat, asked, placeholder, options);
    },

    /** Makes the active path run through `messageId` and on to the newest leaf beneath it. */
    switchTo: async (userId: string, chatId: string, messageId: string): Promise<void> => {
      await onIdleChat(userId, chatId, async (tx) => {
        const leaf = await branches.newestLeafUnder(chatId, messageId, tx);
        if (!leaf) throw messageNotFound();
        await branches.setPath(chatId, leaf, tx);
      });
    },
  };
}

export type Branching = ReturnType<typeof createBranching>;
