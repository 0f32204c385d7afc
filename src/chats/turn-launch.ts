import type { Logger } from 'pino';
import type { ChatConfig } from '../config.js';
import type { ChatModel, ChatTurn } from '../llm/chat-model.js';
import { fitToContext, loadTokenizer } from '../llm/context-window.js';
import type { EarlyCall } from '../llm/early-call.js';
import type { ModelCallReport } from '../observability/metrics.js';
import type { BudgetHold } from '../usage/usage.service.js';
import type { AttachmentsService } from '../attachments/attachments.service.js';
import type { Chat } from './chats.repo.js';
import { modelFor } from './early-start.js';
import { Generation } from './generation.js';
import type { LiveReplies, LocalTurn } from './live-replies.js';
import type { Message, MessagesRepo } from './messages.repo.js';
import type { ProgressSaver } from './progress-saver.js';
import type { RepliesRepo } from './replies.repo.js';

export interface LaunchDeps {
  model: ChatModel;
  config: ChatConfig;
  messages: MessagesRepo;
  replies: RepliesRepo;
  saver: ProgressSaver;
  live: LiveReplies;
  attachments: Pick<AttachmentsService, 'forModel'>;
  logger?: Logger;
  onModelCall?: (report: ModelCallReport) => void;
}

export interface LaunchOptions {
  clientMessageId?: string;
  /** The conversation up to the new message, when the send has it (else it is read). */
  history?: ChatTurn[];
  early?: EarlyCall;
  /** The send's hold on the daily budget: the reply takes it (and releases it when it ends). */
  hold?: BudgetHold;
}

/**
 * Starts generating a reply into `placeholder` (already stored, status streaming): builds the prompt
 * (the conversation with its files, fitted to the model's window), takes the send's hold on the daily
 * budget, and registers the generation as this instance's.
 */
export function createLauncher({ model, config, messages, replies, saver, live, attachments, logger, onModelCall }: LaunchDeps) {
  return (userId: string, chat: Chat, userMessage: Message, placeholder: Message, options: LaunchOptions = {}): LocalTurn => {
    const chatModel = modelFor(model, chat);
    const buildTurns = async () => {
      const stored = options.history ?? (await messages.conversation(chat.id, placeholder.id));
      const [turns] = await Promise.all([attachments.forModel(stored, chatModel, config.context), loadTokenizer()]);
      return fitToContext(chat.systemPrompt ?? config.systemPrompt, turns, chatModel, config.context);
    };
    const { hold } = options;
    const generation = new Generation(
      {
        assistantMessageId: placeholder.id,
        userId,
        model: chatModel,
        report: onModelCall,
        buildTurns,
        early: options.early,
        hold: hold && { id: hold.take(), resize: (promptTokens: number) => hold.resize(promptTokens) },
      },
      model,
      replies,
      saver,
      logger,
    );
    const turn = { chat, userMessage, assistantMessageId: placeholder.id, generation, source: generation };
    live.track({ turn, userId, clientMessageId: options.clientMessageId });
    return turn;
  };
}
