import type { Request } from 'express';
import type { Config } from '../config.js';
import { publicOrigin } from '../http/public-origin.js';
import { routeFor, type RouteContext } from '../http/route.js';
import type { InputSchemas } from '../http/validate.js';
import * as R from '../openapi/response.schemas.js';
import { UsageQuery } from '../usage/usage.routes.js';
import { AuditQuery, CreateInviteBody, CreateUserBody, InviteParams, ListUsersQuery, UpdateUserBody, UserParams } from './admin.schema.js';
import type { AdminService } from './admin.service.js';
import type { Actor } from './audit.repo.js';
import type { Invite } from '../auth/user.js';

type Deps = { admin: AdminService; config: Pick<Config, 'publicUrl'> };
const route = routeFor<Deps>();
const tag = 'Admin';
const refused = { 401: R.ErrorBody, 403: R.ErrorBody };

/** Every admin route: logged in (401), an active admin as stored now (403 forbidden), then its input and handler. */
function adminRoute<S extends InputSchemas>(
  definition: Omit<Parameters<typeof route<S>>[0], 'auth' | 'tag' | 'handle'> & {
    handle(ctx: RouteContext<Deps, S>, actor: Actor): Promise<void>;
  },
) {
  return route<S>({
    ...definition,
    tag,
    auth: true,
    guard: 'admin',
    allow: (deps, user) => deps.admin.requireAdmin(user.id),
    responses: { ...refused, ...definition.responses },
    // The session's email is the admin's (emails never change): the audit trail names them by it.
    handle: (ctx) => definition.handle(ctx, { id: ctx.user.id, email: ctx.user.email }),
  });
}

/** The web client's sign-up page with the invite's code in it. */
const withUrl = (invite: Invite, req: Request, publicUrl?: string) => {
  const { createdAt: _created, ...shown } = invite;
  return { ...shown, url: `${publicOrigin(req, publicUrl)}/register?invite=${encodeURIComponent(invite.code)}` };
};

export const adminRoutes = [
  adminRoute({
    method: 'get',
    path: '/api/admin/users',
    summary: 'Users, newest first (q: part of the email)',
    input: { query: ListUsersQuery },
    responses: { 200: R.AdminUserList, 400: R.ErrorBody },
    async handle({ input, deps, res }) {
      const { cursor, ...filter } = input.query;
      res.json(await deps.admin.listUsers({ ...filter, after: cursor }));
    },
  }),
  adminRoute({
    method: 'post',
    path: '/api/admin/users',
    summary: 'Create an account (active)',
    input: { body: CreateUserBody },
    responses: { 201: R.AdminUserBody, 400: R.ErrorBody, 409: R.ErrorBody },
    async handle({ input, deps, res }, actor) {
      res.status(201).json({ user: await deps.admin.createUser(actor, input.body) });
    },
  }),
  adminRoute({
    method: 'patch',
    path: '/api/admin/users/:id',
    summary: 'Change a user’s role, status, daily token limit or models (null: the default)',
    input: { params: UserParams, body: UpdateUserBody },
    responses: { 200: R.AdminUserBody, 400: R.ErrorBody, 404: R.ErrorBody, 409: R.ErrorBody },
    async handle({ input, deps, res }, actor) {
      res.json({ user: await deps.admin.updateUser(actor, input.params.id, input.body) });
    },
  }),
  adminRoute({
    method: 'delete',
    path: '/api/admin/users/:id',
    summary: 'Delete a user and everything of theirs',
    input: { params: UserParams },
    responses: { 204: undefined, 404: R.ErrorBody, 409: R.ErrorBody },
    async handle({ input, deps, res }, actor) {
      await deps.admin.deleteUser(actor, input.params.id);
      res.status(204).end();
    },
  }),
  adminRoute({
    method: 'post',
    path: '/api/admin/invites',
    summary: 'Create an invite (for one email, or anyone)',
    input: { body: CreateInviteBody },
    responses: { 201: R.InviteBody, 400: R.ErrorBody },
    async handle({ input, deps, req, res }, actor) {
      const invite = await deps.admin.createInvite(actor, input.body);
      res.status(201).json({ invite: withUrl(invite, req, deps.config.publicUrl) });
    },
  }),
  adminRoute({
    method: 'get',
    path: '/api/admin/invites',
    summary: 'Invites, newest first',
    responses: { 200: R.InviteList },
    async handle({ deps, req, res }) {
      res.json({ invites: (await deps.admin.listInvites()).map((i) => withUrl(i, req, deps.config.publicUrl)) });
    },
  }),
  adminRoute({
    method: 'delete',
    path: '/api/admin/invites/:code',
    summary: 'Revoke an invite',
    input: { params: InviteParams },
    responses: { 204: undefined, 404: R.ErrorBody },
    async handle({ input, deps, res }, actor) {
      await deps.admin.deleteInvite(actor, input.params.code);
      res.status(204).end();
    },
  }),
  adminRoute({
    method: 'get',
    path: '/api/admin/usage',
    summary: 'Tokens per day, user and model (default: the last 30 days)',
    input: { query: UsageQuery },
    responses: { 200: R.AdminUsage, 400: R.ErrorBody },
    async handle({ input, deps, res }) {
      res.json(await deps.admin.usage(input.query));
    },
  }),
  adminRoute({
    method: 'get',
    path: '/api/admin/audit',
    summary: 'What admins did, newest first',
    input: { query: AuditQuery },
    responses: { 200: R.AuditLog, 400: R.ErrorBody },
    async handle({ input, deps, res }) {
      res.json(await deps.admin.audit(input.query.limit, input.query.cursor));
    },
  }),
];
