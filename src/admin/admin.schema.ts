import { z } from 'zod';
import { Email, NewPassword } from '../auth/auth.schema.js';

const Role = z.enum(['user', 'admin']);
const Status = z.enum(['active', 'pending', 'disabled']);
const PAGE_MAX = 200;

/** Cursors are opaque to clients: base64url JSON of the last user's sort key. */
const UserCursor = z
  .string()
  .max(300)
  .transform((c, ctx) => {
    try {
      const parsed = z
        .tuple([z.string().regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/), z.uuid()])
        .parse(JSON.parse(Buffer.from(c, 'base64url').toString('utf8')));
      return { createdAt: parsed[0], id: parsed[1] };
    } catch {
      ctx.addIssue({ code: 'custom', message: 'cursor is not valid.' });
      return z.NEVER;
    }
  });

export const encodeUserCursor = (key: { createdAt: string; id: string }) =>
  Buffer.from(JSON.stringify([key.createdAt, key.id])).toString('base64url');

export const ListUsersQuery = z.object({
  q: z.string().trim().max(254).optional(),
  status: Status.optional(),
  role: Role.optional(),
  limit: z.coerce.number().int().min(1).max(PAGE_MAX).default(50),
  cursor: UserCursor.optional(),
});

export const CreateUserBody = z.strictObject({ email: Email, password: NewPassword, role: Role.optional() });

export const UserParams = z.object({ id: z.uuid('User id is malformed.') });

/** A model list from the server's allow-list (checked against it by the service: it may change at run time). */
const ModelNames = z.array(z.string().min(1).max(200)).min(1, 'Give at least one model (or null for all).').max(100);

export const UpdateUserBody = z
  .strictObject({
    role: Role.optional(),
    status: Status.optional(),
    dailyTokenLimit: z.number().int().min(0).max(1_000_000_000).nullable().optional(),
    allowedModels: ModelNames.nullable().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'Give at least one of role, status, dailyTokenLimit, allowedModels.');

export const CreateInviteBody = z.strictObject({
  email: Email.optional(),
  expiresInDays: z.number().int().min(1).max(365).default(7),
});

export const InviteParams = z.object({ code: z.string().min(1).max(200) });

export const AuditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(PAGE_MAX).default(50),
  cursor: z
    .string()
    .regex(/^\d{1,18}$/, 'cursor is not valid.')
    .optional(),
});
