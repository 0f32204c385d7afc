import type { Logger } from 'pino';
import type { ChatConfig } from '../config.js';
import type { Database } from '../db/database.js';
import { AppError, ConflictError, NotFoundError } from '../http/errors.js';
import type { ChatModel, ChatTurn } from '../llm/chat-model.js';
import type { AttachmentsService } from '../attachments/attachments.service.js';
import type { Bus } from '../bus/bus.js';
import type { Limits } from '../limits/limits.js';
import type { ModelCallReport } from '../observability/metrics.js';
import type { UserPlan } from '../auth/user.js';
import type { BudgetHold, UsageService } from '../usage/usage.service.js';
import { createModelAccess, type Admission } from './model-access.js';
import { createChatsRepo, type Chat } from './chats.repo.js';
import { createEarlyStart, modelFor as modelOf, type ChatRead } from './early-start.js';
import { ProgressSaver } from './progress-saver.js';
import { createMessagesRepo, type Message } from './messages.repo.js';
import { createBranching } from './branching.js';
import { createLiveReplies, inProgress, type Turn } from './live-replies.js';
import { createRepliesRepo } from './replies.repo.js';
import { repeatOfSend } from './repeat-send.js';
import { sendFiles } from './send-files.js';
import { storeTurnAndLaunch } from './send-turn.js';
import { createLauncher } from './turn-launch.js';
import { waitUntilEnded } from './stop-wait.js';
import { createTitleWriter } from './title-writer.js';

export type { Turn } from './live-replies.js';

export interface TurnsServiceDeps {
  db: Database;
  model: ChatModel;
  /** How instances reach each other (followers, stops) and who vouches for a reply's owner. */
  bus: Bus;
  config: ChatConfig;
  /** The per-minute rate and the daily budget, checked before anything that calls the model. */
  limits: Pick<Limits, 'beforeSend'>;
  /** The user's own token limit and models (an admin's choice), read at each send. */
  plan: (userId: string) => Promise<UserPlan>;
  /** Charges calls that are not replies (titles, early calls thrown away). */
  budget: Pick<UsageService, 'charge'>;
  /** Files sent with messages: claimed by a send, loaded for the model. */
  attachments: Pick<AttachmentsService, 'claim' | 'link' | 'seesImages' | 'forModel' | 'copyFiles'>;
  logger?: Logger;
  onModelCall?: (report: ModelCallReport) => void;
}

const STOP_WAIT_MS = 5000;

/** Sending, regenerating, editing, stopping and following replies: everything that runs the model for a chat. */
export function createTurnsService({ db, model, bus, config, limits, plan, budget, attachments, logger, onModelCall }: TurnsServiceDeps) {
  const chats = createChatsRepo(db);
  const messages = createMessagesRepo(db);
  const replies = createRepliesRepo(db);
  const live = createLiveReplies({ bus, replies, messages, logger });
  const saver = new ProgressSaver(replies, logger); // one statement a tick saves all the replies streaming here
  const titles = createTitleWriter({ chats, model, titleModel: config.titleModel, charge: budget.charge, logger });
  const early = createEarlyStart({ model, config, bus, charge: budget.charge });

  async function requireChat(userId: string, chatId: string): Promise<Chat> {
    const chat = await chats.findForUser(userId, chatId);
    if (!chat) throw new NotFoundError('Chat not found.', 'chat_not_found');
    return chat;
  }

  const modelFor = (chat: Chat) => modelOf(model, chat);

  const launch = createLauncher({ model, config, messages, replies, saver, live, attachments, logger, onModelCall });

  const branching = createBranching({ db, live, early, replies, attachments, modelFor, launch });
  const { reanswer } = branching;

  const repeat = repeatOfSend({ requireChat, messages, reanswer });
  const access = createModelAccess({ model, chats, plan, modelFor, changed: (chatId) => early.forget(chatId) });
  /** The rate, the budget (the user's own limit, read while the rate is counted) and the user's models. */
  const admit = async (userId: string): Promise<Admission> => {
    const userPlan = plan(userId);
    // (A function: with the limits off it is never called, so no promise of it is left unheard.)
    const hold = await limits.beforeSend(userId, () => userPlan.then((p) => p.dailyTokenLimit));
    return { hold, allowedModels: (await userPlan).allowedModels };
  };
  /** Runs a send with its hold on the budget; once it returned, the hold is kept by the reply that took it, else released. */
  const holding = (admission: Admission, send: (hold?: BudgetHold) => Promise<Turn>): Promise<Turn> =>
    send(admission.hold).finally(() => admission.hold?.settle());
  /** The user's chat, with no reply being written here. */
  const idleChat = async (userId: string, chatId: string): Promise<Chat> => {
    const chat = await requireChat(userId, chatId);
    if (live.has(chatId)) throw inProgress();
    return chat;
  };

  /** Stores a new user message and its streaming reply in one statement, and starts the reply. */
  const sendStored = storeTurnAndLaunch({
    db,
    model,
    live,
    early,
    repeat,
    attach: sendFiles(attachments, chats, modelFor),
    launch(userId, stored, content, autoTitle, clientMessageId, startedEarly, hold) {
      const { chat, userMessage, placeholder, history, titled } = stored;
      const files = userMessage.attachments.length > 0 ? { attachments: userMessage.attachments } : {};
      const asked: ChatTurn[] = [...history, { role: 'user', content, ...files }];
      const started = early.confirm(startedEarly, chat, asked);
      const turn = launch(userId, chat, userMessage, placeholder, { clientMessageId, history: asked, early: started, hold });
      early.stored(userId, chat, [...asked], userMessage, placeholder.id, turn.generation.finished, clientMessageId);
      if (titled) titles.improve(userId, chat.id, autoTitle, content, turn.generation);
      return turn;
    },
  });

  return {
    requireChat,

    /** Checks the user may call the model now (rate and daily budget): 429 otherwise; the send's hold and models. */
    admit,

    /** Which models the user may use (GET /api/models; a chat's model when made or changed). */
    models: access,

    /** Sends a message; with `admission` when the caller already checked the limits for it. */
    async send(
      userId: string,
      chatId: string,
      content: string,
      clientMessageId?: string,
      options: { admission?: Admission; attachments?: readonly string[] } = {},
    ): Promise<Turn> {
      const admission = options.admission ?? (await admit(userId));
      return holding(admission, async (hold) => {
        if (admission.allowedModels) await access.beforeAnswer(userId, await requireChat(userId, chatId), admission);
        return sendStored(userId, chatId, content, clientMessageId, options.attachments, hold);
      });
    },

    async regenerate(userId: string, chatId: string): Promise<Turn> {
      const admission = await admit(userId);
      return holding(admission, async (hold) => {
        const chat = await access.beforeAnswer(userId, await idleChat(userId, chatId), admission);
        const userMessage = await messages.findLastUserMessage(chatId);
        if (!userMessage) throw new ConflictError('nothing_to_regenerate', 'This chat has no message to answer yet.');
        return reanswer(userId, chat, userMessage, { hold });
      });
    },

    /** Edit: a new version of a user message beside it (same parent, same files), answered; the old one stays. */
    async edit(userId: string, chatId: string, messageId: string, content: string): Promise<Turn> {
      const admission = await admit(userId);
      return holding(admission, async (hold) => {
        const chat = await access.beforeAnswer(userId, await idleChat(userId, chatId), admission);
        const target = await messages.findById(messageId);
        if (!target || target.chatId !== chatId) throw new NotFoundError('Message not found.', 'message_not_found');
        if (target.role !== 'user') throw new AppError(400, 'not_a_user_message', 'Only your own messages can be edited.');
        return reanswer(userId, chat, target, { edit: content, hold });
      });
    },

    /** Makes the active path run through `messageId` (a message of this chat) and on to the newest leaf under it. */
    switchBranch: (userId: string, chatId: string, messageId: string): Promise<void> => branching.switchTo(userId, chatId, messageId),

    /** Before a chat is deleted: ends its generation, here or elsewhere. */
    abandon: (chatId: string): Promise<void> => (early.forget(chatId), live.abandon(chatId)),

    /** A new chat (sent to early from its first message) / one opened (read whole: early too) / one whose settings changed. */
    learn: (userId: string, chat: Chat): void => early.learn(userId, chat),
    open: (userId: string, chatId: string, read: ChatRead) => early.open(userId, chatId, read, () => live.has(chatId)),
    forget: (chatId: string): void => early.forget(chatId),

    /** Stops the generation in progress, here or on another instance. Undefined: nothing was running. */
    async stop(userId: string, chatId: string): Promise<{ assistantMessage: Message | null } | undefined> {
      await requireChat(userId, chatId);
      const local = live.get(chatId)?.turn.generation;
      if (local) return (local.stop(), { assistantMessage: (await local.finished).assistantMessage });
      // Flagged on the row (read at the owner's next save) and sent on the bus (its owner stops at once).
      const id = await replies.requestStop(chatId);
      if (!id) return undefined;
      live.requestStop(id);
      return { assistantMessage: await waitUntilEnded(messages, id, { waitMs: STOP_WAIT_MS, takeOver: () => live.takeOver(chatId) }) };
    },

    /** The generation in progress in a chat, wherever it runs; undefined when there is none. */
    attach: async (userId: string, chatId: string): Promise<Turn | undefined> => live.attach(await requireChat(userId, chatId)),

    /** Ends replies left `streaming` by instances that are gone (see live-replies.ts); how many. */
    endAbandonedReplies: (): Promise<number> => live.takeOver(),

    /** Lets replies in progress finish (up to `graceMs`), then stops the rest. */
    drain: (graceMs: number): Promise<void> => live.drain(graceMs),
  };
}

export type TurnsService = ReturnType<typeof createTurnsService>;
