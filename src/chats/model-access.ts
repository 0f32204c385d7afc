import type { UserPlan } from '../auth/user.js';
import { AppError } from '../http/errors.js';
import type { ChatModel } from '../llm/chat-model.js';
import type { BudgetHold } from '../usage/usage.service.js';
import type { Chat, ChatsRepo } from './chats.repo.js';

/** A send let through the limits: its hold on the daily budget, and the models its user may use (null: all). */
export interface Admission {
  hold?: BudgetHold;
  allowedModels: string[] | null;
}

export const modelNotAllowed = (allowed: readonly string[]) =>
  new AppError(
    403,
    'model_not_allowed',
    allowed.length > 0
      ? `Your account may use only these models: ${allowed.join(', ')}.`
      : 'No model is available to your account: ask an admin.',
  );

/**
 * Which models each user may use (an admin's `allowedModels`, within the server's allow-list). A chat
 * whose model its user may no longer use is moved to the user's first allowed model when it next
 * answers, so what the chat says and what answered agree.
 */
export function createModelAccess({
  model,
  chats,
  plan,
  modelFor,
  changed,
}: {
  model: ChatModel;
  chats: Pick<ChatsRepo, 'update'>;
  plan: (userId: string) => Promise<UserPlan>;
  modelFor: (chat: Chat) => string;
  /** A chat's model was moved: forgotten by the early start. */
  changed: (chatId: string) => void;
}) {
  /** The user's models still offered by the server; null when the user may use them all. */
  const offered = (allowed: string[] | null) => allowed && allowed.filter((m) => model.models.includes(m));

  return {
    /** The models GET /api/models shows this user, and its default. */
    async listFor(userId: string): Promise<{ models: string[]; default: string | null }> {
      const allowed = offered((await plan(userId)).allowedModels);
      if (!allowed) return { models: [...model.models], default: model.defaultModel };
      return { models: allowed, default: allowed.includes(model.defaultModel) ? model.defaultModel : (allowed[0] ?? null) };
    },

    /**
     * The model a chat created or changed by the user is stored with: 403 model_not_allowed for one the
     * user may not use; a new chat with no model of its own gets the user's first when the default is not theirs.
     */
    async choose(userId: string, wanted: string | null | undefined, creating: boolean): Promise<string | null | undefined> {
      const allowed = offered((await plan(userId)).allowedModels);
      if (!allowed) return wanted;
      if (wanted) {
        if (!allowed.includes(wanted)) throw modelNotAllowed(allowed);
        return wanted;
      }
      if (wanted === undefined && !creating) return undefined;
      if (allowed.length === 0) throw modelNotAllowed(allowed);
      return allowed.includes(model.defaultModel) ? wanted : allowed[0];
    },

    /** Before a send, regenerate or edit of a user with a model list: the chat moved to an allowed model if need be. */
    async beforeAnswer(userId: string, chat: Chat, admission: Admission | undefined): Promise<Chat> {
      const allowed = offered(admission?.allowedModels ?? null);
      if (!allowed || allowed.includes(modelFor(chat))) return chat;
      if (allowed.length === 0) throw modelNotAllowed(allowed);
      const moved = await chats.update(userId, chat.id, { model: allowed[0] });
      changed(chat.id);
      return moved ?? chat;
    },
  };
}

export type ModelAccess = ReturnType<typeof createModelAccess>;
