/**
 * The order the Postman collection runs the API in, as a new user would: every operation of the OpenAPI
 * document once or more, each with tests on its status and key fields, ids and tokens captured into
 * collection variables for later steps. `checks` and `capture` are JavaScript run by Postman on `b`,
 * the parsed JSON body.
 */
import { ADMIN_STEPS } from './postman-flow-admin.js';
import { CHAT_STEPS } from './postman-flow-chats.js';

export interface FlowStep {
  name: string;
  /** Consecutive steps of one folder are grouped under it. */
  folder?: string;
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express style; `:id` → {{chatId}}, `:messageId` → {{messageId}}, `:token` → {{shareToken}} unless `vars` says else. */
  path: string;
  query?: Record<string, string>;
  /** JSON body (strings may hold {{variables}}); `raw` sends a variable as the whole body. */
  body?: unknown;
  raw?: string;
  vars?: Record<string, string>;
  status: number;
  checks?: Record<string, string>;
  capture?: Record<string, string>;
  /** Runs before the request (Postman pre-request script). */
  before?: string;
  /** Sends this file (a path from the repository's root) as multipart/form-data, in the part `file`. */
  file?: string;
}

export const FLOW: FlowStep[] = [
  { name: 'Health', method: 'get', path: '/api/health', status: 200, checks: { 'database is ok': "b.db === 'ok'" } },
  { name: 'Liveness', method: 'get', path: '/api/health/live', status: 200, checks: { 'says ok': "b.status === 'ok'" } },
  {
    name: 'Readiness',
    method: 'get',
    path: '/api/health/ready',
    status: 200,
    checks: { 'migrations applied': "b.migrations === 'applied'" },
  },
  {
    name: 'OpenAPI document',
    method: 'get',
    path: '/api/openapi.json',
    status: 200,
    checks: { 'is OpenAPI 3.1': "b.openapi === '3.1.0'" },
  },
  { name: 'Interactive docs', method: 'get', path: '/api/docs', status: 200 },
  { name: 'Script of the docs page', method: 'get', path: '/api/docs/init.js', status: 200 },
  { name: 'Metrics', method: 'get', path: '/metrics', status: 200 },
  {
    name: 'How to sign up here',
    method: 'get',
    path: '/api/auth/providers',
    status: 200,
    checks: { 'a registration mode': "['open', 'approval', 'invite', 'closed'].includes(b.registration)" },
  },
  // A fresh server has neither single sign-on nor mail configured: these say so (docs/api.md has them working).
  {
    name: 'Single sign-on (not configured here)',
    method: 'get',
    path: '/api/auth/oidc/login',
    query: { returnTo: '/' },
    status: 404,
    checks: { 'says it is off': "b.error.code === 'route_not_found'" },
  },
  { name: 'Single sign-on callback (not configured here)', method: 'get', path: '/api/auth/oidc/callback', status: 404 },
  {
    name: 'Forgot password (no mail configured here)',
    method: 'post',
    path: '/api/auth/password-reset',
    body: { email: 'someone@example.com' },
    status: 404,
  },
  {
    name: 'Reset a password (no mail configured here)',
    method: 'post',
    path: '/api/auth/password-reset/confirm',
    body: { token: 'a-token-from-the-mail', newPassword: 'a-long-passphrase-42' },
    status: 404,
  },
  {
    name: 'Register',
    method: 'post',
    path: '/api/auth/register',
    before:
      "pm.collectionVariables.set('email', 'postman-' + Date.now() + '-' + Math.floor(Math.random() * 1e6) + '@example.com'); pm.collectionVariables.set('password', 'a-long-passphrase-42');",
    body: { email: '{{email}}', password: '{{password}}' },
    status: 201,
    checks: {
      'the user is returned': "b.user.email === pm.collectionVariables.get('email')",
      'no password hash': "!('passwordHash' in b.user)",
    },
  },
  {
    name: 'Log in',
    method: 'post',
    path: '/api/auth/login',
    body: { email: '{{email}}', password: '{{password}}' },
    status: 200,
    checks: { 'logged in as the user': "b.user.email === pm.collectionVariables.get('email')" },
  },
  {
    name: 'Who am I',
    method: 'get',
    path: '/api/auth/me',
    status: 200,
    checks: {
      'the same user': "b.user.email === pm.collectionVariables.get('email')",
      'signs in with a password': 'b.user.hasPassword === true && b.user.sso === null',
    },
    capture: { userId: 'b.user.id' },
  },
  {
    name: 'Models',
    method: 'get',
    path: '/api/models',
    status: 200,
    checks: { 'a default model': "typeof b.default === 'string' && b.models.length > 0" },
  },
  ...ADMIN_STEPS,
  ...CHAT_STEPS,
  { name: 'Log out', method: 'post', path: '/api/auth/logout', status: 204 },
  {
    name: 'Logged out',
    method: 'get',
    path: '/api/auth/me',
    status: 401,
    checks: { unauthenticated: "b.error.code === 'unauthenticated'" },
  },
  { name: 'Log back in', method: 'post', path: '/api/auth/login', body: { email: '{{email}}', password: '{{password}}' }, status: 200 },
  { name: 'Log out (GET, the original spec)', method: 'get', path: '/api/auth/logout', status: 204 },
  { name: 'Log in again', method: 'post', path: '/api/auth/login', body: { email: '{{email}}', password: '{{password}}' }, status: 200 },
  {
    name: 'Change my password',
    method: 'post',
    path: '/api/auth/password',
    body: { currentPassword: '{{password}}', newPassword: 'an-even-longer-passphrase-43' },
    status: 204,
    capture: { password: "'an-even-longer-passphrase-43'" },
  },
  { name: 'Log out everywhere', method: 'post', path: '/api/auth/logout-all', status: 204 },
  {
    name: 'Log in with the new password',
    method: 'post',
    path: '/api/auth/login',
    body: { email: '{{email}}', password: '{{password}}' },
    status: 200,
  },
  { name: 'Delete my account', method: 'delete', path: '/api/auth/me', body: { password: '{{password}}' }, status: 204 },
  {
    name: 'The account is gone',
    method: 'post',
    path: '/api/auth/login',
    body: { email: '{{email}}', password: '{{password}}' },
    status: 401,
  },
];
