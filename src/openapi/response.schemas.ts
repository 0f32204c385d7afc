import { z } from 'zod';

/**
 * The shapes the API answers with. They are documented in the OpenAPI document, and the tests check
 * real responses against them (strict objects: an undocumented field is a failure).
 */
const Id = z.string();
const Timestamp = z.iso.datetime({ offset: true });

export const ErrorBody = z
  .object({
    error: z.strictObject({ code: z.string(), message: z.string(), details: z.array(z.unknown()).optional() }),
  })
  .catchall(z.unknown())
  .meta({ description: 'Every error: a snake_case code, a sentence, and sometimes details (plus top-level extras such as userMessage).' });

export const User = z.strictObject({
  id: Id,
  email: z.string(),
  createdAt: Timestamp,
  role: z.enum(['user', 'admin']),
  status: z.enum(['active', 'pending', 'disabled']),
});

export const Chat = z.strictObject({
  id: Id,
  title: z.string().nullable(),
  systemPrompt: z.string().nullable(),
  model: z.string().nullable(),
  pinned: z.boolean(),
  archived: z.boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const Attachment = z.strictObject({
  id: Id,
  name: z.string(),
  mimeType: z.string(),
  size: z.number().int(),
  kind: z.enum(['image', 'document']),
});
export const AttachmentBody = z.strictObject({ attachment: Attachment });

export const Message = z.strictObject({
  id: Id,
  chatId: Id,
  role: z.enum(['user', 'assistant']),
  content: z.string(),
  status: z.enum(['streaming', 'complete', 'stopped', 'error']),
  model: z.string().nullable(),
  promptTokens: z.number().int().nullable(),
  completionTokens: z.number().int().nullable(),
  createdAt: Timestamp,
  /** Files sent with a user message (empty otherwise). */
  attachments: z.array(Attachment),
  /** The message this one answers or follows; null for a chat's first message. */
  parentId: Id.nullable(),
  /** The messages with the same parent (the versions at this point), oldest first, this one included. */
  siblingIds: z.array(Id),
  /** A reply's 👍 / 👎 from its user (null: none). */
  feedback: z.strictObject({ rating: z.enum(['up', 'down']), comment: z.string().nullable() }).nullable(),
  /** Why a reply ended in error: model_unavailable, model_timeout, model_stream_interrupted, reply_interrupted… */
  errorCode: z.string().nullable(),
});

export const MessageBody = z.strictObject({ message: Message });

export const Usage = z.strictObject({ promptTokens: z.number().int(), completionTokens: z.number().int() });

export const UserBody = z.strictObject({ user: User });
export const MeBody = z.strictObject({
  user: User.extend({ hasPassword: z.boolean(), sso: z.strictObject({ name: z.string() }).nullable() }),
});
export const Providers = z.strictObject({
  registration: z.enum(['open', 'approval', 'invite', 'closed']),
  password: z.boolean(),
  oidc: z.strictObject({ name: z.string(), loginUrl: z.string() }).nullable(),
  passwordReset: z.boolean(),
});
export const ChatBody = z.strictObject({ chat: Chat });
export const ChatList = z.strictObject({ chats: z.array(Chat), nextCursor: z.string().nullable() });
export const ChatWithMessages = z.strictObject({ chat: Chat, messages: z.array(Message), hasMore: z.boolean() });
export const CreatedChat = z.strictObject({ chat: Chat, messages: z.array(Message).optional() });
export const ForkedChat = z.strictObject({ chat: Chat, messages: z.array(Message) });
export const MessagePage = z.strictObject({ messages: z.array(Message), hasMore: z.boolean() });
export const Turn = z.strictObject({ userMessage: Message, assistantMessage: Message.nullable() });
export const Stopped = z.strictObject({ assistantMessage: Message.nullable() });
export const Health = z.strictObject({
  status: z.enum(['ok', 'error']),
  db: z.enum(['ok', 'unreachable']),
  model: z.strictObject({ label: z.string(), status: z.enum(['unknown', 'ok', 'unreachable']) }),
  error: z.unknown().optional(),
});
export const Readiness = z.strictObject({
  status: z.enum(['ok', 'error']),
  db: z.string(),
  migrations: z.string(),
  error: z.unknown().optional(),
});
export const Liveness = z.strictObject({ status: z.literal('ok') });
export const Models = z.strictObject({ models: z.array(z.strictObject({ id: z.string() })), default: z.string().nullable() });
export const Sessions = z.strictObject({
  sessions: z.array(
    z.strictObject({ id: Id, createdAt: Timestamp, lastSeenAt: Timestamp, userAgent: z.string().nullable(), current: z.boolean() }),
  ),
});
export const SearchResults = z.strictObject({
  results: z.array(
    z.strictObject({
      chat: z.strictObject({ id: Id, title: z.string().nullable() }),
      messageId: Id.nullable(),
      onActivePath: z.boolean(),
      kind: z.enum(['title', 'message']),
      snippet: z.string(),
      rank: z.number(),
      at: Timestamp,
    }),
  ),
  nextCursor: z.string().nullable(),
});
export const Share = z.strictObject({ token: z.string(), url: z.string(), sharedAt: Timestamp });
export const SharedChat = z.strictObject({
  title: z.string().nullable(),
  messages: z.array(
    z.strictObject({ role: z.enum(['user', 'assistant']), content: z.string(), createdAt: Timestamp, attachments: z.array(Attachment) }),
  ),
  sharedAt: Timestamp,
});
export const Export = z
  .object({ format: z.literal('gpt-backend-export'), version: z.literal(2), exportedAt: Timestamp, chats: z.array(z.unknown()) })
  .catchall(z.unknown());
export const Imported = z.strictObject({
  imported: z.strictObject({ chats: z.number().int(), messages: z.number().int(), attachments: z.number().int() }),
  chatIds: z.array(Id),
});
export const UsageReport = z.strictObject({
  from: z.string(),
  to: z.string(),
  days: z.array(
    z.strictObject({ day: z.string(), model: z.string(), promptTokens: z.number(), completionTokens: z.number(), replies: z.number() }),
  ),
  totals: Usage,
  today: z.strictObject({ used: z.number(), limit: z.number().nullable(), remaining: z.number().nullable(), resetsAt: Timestamp }),
});

export const AdminUser = z.strictObject({
  id: Id,
  email: z.string(),
  role: z.enum(['user', 'admin']),
  status: z.enum(['active', 'pending', 'disabled']),
  createdAt: Timestamp,
  lastSeenAt: Timestamp.nullable(),
  tokensToday: z.number(),
  dailyTokenLimit: z.number().nullable(),
  allowedModels: z.array(z.string()).nullable(),
  chats: z.number(),
});
export const AdminUserBody = z.strictObject({ user: AdminUser });
export const AdminUserList = z.strictObject({ users: z.array(AdminUser), nextCursor: z.string().nullable() });
const Invite = z.strictObject({
  code: z.string(),
  url: z.string(),
  email: z.string().nullable(),
  expiresAt: Timestamp,
  usedAt: Timestamp.nullable(),
});
export const InviteBody = z.strictObject({ invite: Invite });
export const InviteList = z.strictObject({ invites: z.array(Invite) });
export const AdminUsage = z.strictObject({
  from: z.string(),
  to: z.string(),
  days: z.array(
    z.strictObject({
      day: z.string(),
      userId: Id,
      email: z.string(),
      model: z.string(),
      promptTokens: z.number(),
      completionTokens: z.number(),
      replies: z.number(),
    }),
  ),
  totals: z.strictObject({ promptTokens: z.number(), completionTokens: z.number(), replies: z.number() }),
});
export const AuditLog = z.strictObject({
  events: z.array(
    z.strictObject({
      id: Id,
      at: Timestamp,
      actorId: Id.nullable(),
      actorEmail: z.string().nullable(),
      action: z.string(),
      targetId: Id.nullable(),
      details: z.record(z.string(), z.unknown()),
    }),
  ),
  nextCursor: z.string().nullable(),
});
