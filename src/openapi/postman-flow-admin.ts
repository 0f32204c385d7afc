import type { FlowStep } from './postman-flow.js';

const folder = 'Admin';
/** A fresh random password for an account the run makes (never one anyone knows afterwards). */
const randomPassword = (variable: string) =>
  `pm.collectionVariables.set('${variable}', 'pm-' + Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2));`;

/**
 * The admin API, run by the collection's user: on a fresh server it is the first account, so the admin
 * (or name its email in ADMIN_EMAILS). It leaves one more admin behind, so the user may delete itself last.
 */
export const ADMIN_STEPS: FlowStep[] = [
  {
    folder,
    name: 'Find me among the users',
    method: 'get',
    path: '/api/admin/users',
    query: { q: '{{email}}' },
    status: 200,
    checks: { 'the first account is the admin': "b.users[0].role === 'admin' && b.users[0].status === 'active'" },
  },
  {
    folder,
    name: 'Create an account',
    method: 'post',
    path: '/api/admin/users',
    before: `pm.collectionVariables.set('managedEmail', 'postman-made-' + Date.now() + '@example.com'); ${randomPassword('managedPassword')}`,
    body: { email: '{{managedEmail}}', password: '{{managedPassword}}' },
    status: 201,
    checks: { 'active, a user': "b.user.status === 'active' && b.user.role === 'user'" },
    capture: { managedUserId: 'b.user.id' },
  },
  {
    folder,
    name: 'Give it a daily limit and one model',
    method: 'patch',
    path: '/api/admin/users/:id',
    vars: { id: '{{managedUserId}}' },
    body: { dailyTokenLimit: 50000 },
    status: 200,
    checks: { 'its own limit': 'b.user.dailyTokenLimit === 50000' },
  },
  {
    folder,
    name: 'Disable it',
    method: 'patch',
    path: '/api/admin/users/:id',
    vars: { id: '{{managedUserId}}' },
    body: { status: 'disabled' },
    status: 200,
    checks: { disabled: "b.user.status === 'disabled'" },
  },
  {
    folder,
    name: 'Make an invite',
    method: 'post',
    path: '/api/admin/invites',
    body: { expiresInDays: 1 },
    status: 201,
    checks: { 'a sign-up link with its code': "b.invite.url.endsWith('/register?invite=' + b.invite.code)" },
    capture: { inviteCode: 'b.invite.code' },
  },
  {
    folder,
    name: 'List invites',
    method: 'get',
    path: '/api/admin/invites',
    status: 200,
    checks: { 'lists it': "b.invites.some((i) => i.code === pm.collectionVariables.get('inviteCode'))" },
  },
  {
    folder,
    name: 'Revoke the invite',
    method: 'delete',
    path: '/api/admin/invites/:code',
    vars: { code: '{{inviteCode}}' },
    status: 204,
  },
  {
    folder,
    name: 'Usage of every user',
    method: 'get',
    path: '/api/admin/usage',
    status: 200,
    checks: { 'days and totals': "Array.isArray(b.days) && typeof b.totals.replies === 'number'" },
  },
  {
    folder,
    name: 'Audit log',
    method: 'get',
    path: '/api/admin/audit',
    query: { limit: '10' },
    status: 200,
    checks: { 'what was just done, newest first': "b.events[0].action === 'invite.delete' && b.events.length >= 5" },
  },
  {
    folder,
    name: 'Delete the account',
    method: 'delete',
    path: '/api/admin/users/:id',
    vars: { id: '{{managedUserId}}' },
    status: 204,
  },
  {
    folder,
    name: 'Another admin, so that this account may be deleted at the end',
    method: 'post',
    path: '/api/admin/users',
    before: `pm.collectionVariables.set('successorEmail', 'postman-admin-' + Date.now() + '@example.com'); ${randomPassword('successorPassword')}`,
    body: { email: '{{successorEmail}}', password: '{{successorPassword}}', role: 'admin' },
    status: 201,
    checks: { 'an admin': "b.user.role === 'admin'" },
  },
];
