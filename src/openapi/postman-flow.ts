/**
 * The order the Postman collection runs the API in, as a new user would: every operation of the OpenAPI
 * document once or more, each with tests on its status and key fields, ids and tokens captured into
 * collection variables for later steps. `checks` and `capture` are JavaScript run by Postman on `b`,
 * the parsed JSON body.
 */
export interface FlowStep {
  name: string;
  method: 'get' | 'post' | 'patch' | 'delete';
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
}

const json = (b: string) => b;

export const FLOW: FlowStep[] = [
  { name: 'Health', method: 'get', path: '/api/health', status: 200, checks: { 'database is ok': json("b.db === 'ok'") } },
  { name: 'Liveness', method: 'get', path: '/api/health/live', status: 200, checks: { 'says ok': "b.status === 'ok'" } },
  { name: 'Readiness', method: 'get', path: '/api/health/ready', status: 200, checks: { 'migrations applied': "b.migrations === 'applied'" } },
  { name: 'OpenAPI document', method: 'get', path: '/api/openapi.json', status: 200, checks: { 'is OpenAPI 3.1': "b.openapi === '3.1.0'" } },
  { name: 'Interactive docs', method: 'get', path: '/api/docs', status: 200 },
  { name: 'Script of the docs page', method: 'get', path: '/api/docs/init.js', status: 200 },
  { name: 'Metrics', method: 'get', path: '/metrics', status: 200 },
  {
    name: 'Register',
    method: 'post',
    path: '/api/auth/register',
    before: "pm.collectionVariables.set('email', 'postman-' + Date.now() + '-' + Math.floor(Math.random() * 1e6) + '@example.com'); pm.collectionVariables.set('password', 'a-long-passphrase-42');",
    body: { email: '{{email}}', password: '{{password}}' },
    status: 201,
    checks: { 'the user is returned': "b.user.email === pm.collectionVariables.get('email')", 'no password hash': "!('passwordHash' in b.user)" },
  },
  { name: 'Log in', method: 'post', path: '/api/auth/login', body: { email: '{{email}}', password: '{{password}}' }, status: 200, checks: { 'logged in as the user': "b.user.email === pm.collectionVariables.get('email')" } },
  { name: 'Who am I', method: 'get', path: '/api/auth/me', status: 200, checks: { 'the same user': "b.user.email === pm.collectionVariables.get('email')" }, capture: { userId: 'b.user.id' } },
  { name: 'Models', method: 'get', path: '/api/models', status: 200, checks: { 'a default model': "typeof b.default === 'string' && b.models.length > 0" } },
  { name: 'Create a chat', method: 'post', path: '/api/chats', body: { title: 'Postman chat' }, status: 201, checks: { 'titled': "b.chat.title === 'Postman chat'" }, capture: { chatId: 'b.chat.id' } },
  { name: 'My chats', method: 'get', path: '/api/chats', query: { limit: '20' }, status: 200, checks: { 'lists the chat': "b.chats.some((c) => c.id === pm.collectionVariables.get('chatId'))" } },
  {
    name: 'Send a message',
    method: 'post',
    path: '/api/chats/:id/message',
    body: { content: 'Hello from Postman' },
    status: 201,
    checks: { 'the message is stored': "b.userMessage.content === 'Hello from Postman'", 'a complete reply': "b.assistantMessage.status === 'complete' && b.assistantMessage.content.length > 0" },
    capture: { messageId: 'b.userMessage.id' },
  },
  { name: 'Open the chat', method: 'get', path: '/api/chats/:id', status: 200, checks: { 'two messages': 'b.messages.length === 2', 'in order': "b.messages[0].role === 'user' && b.messages[1].role === 'assistant'" } },
  { name: 'Messages, a page at a time', method: 'get', path: '/api/chats/:id/messages', query: { limit: '1' }, status: 200, checks: { 'one message': 'b.messages.length === 1', 'more before it': 'b.hasMore === true' } },
  { name: 'Rename and pin', method: 'patch', path: '/api/chats/:id', body: { title: 'Renamed in Postman', pinned: true }, status: 200, checks: { 'renamed': "b.chat.title === 'Renamed in Postman'", 'pinned': 'b.chat.pinned === true' } },
  { name: 'Archive', method: 'patch', path: '/api/chats/:id', body: { archived: true }, status: 200, checks: { 'archived': 'b.chat.archived === true' } },
  { name: 'Archived chats', method: 'get', path: '/api/chats', query: { archived: 'true' }, status: 200, checks: { 'lists it': "b.chats.some((c) => c.id === pm.collectionVariables.get('chatId'))" } },
  { name: 'Edit the message', method: 'patch', path: '/api/chats/:id/messages/:messageId', body: { content: 'Hello again from Postman' }, status: 201, checks: { 'edited': "b.userMessage.content === 'Hello again from Postman'", 'answered anew': "b.assistantMessage.status === 'complete'" } },
  { name: 'Regenerate the reply', method: 'post', path: '/api/chats/:id/regenerate', status: 201, checks: { 'a new reply': "b.assistantMessage.status === 'complete'" } },
  { name: 'Stop (nothing running)', method: 'post', path: '/api/chats/:id/stop', status: 204 },
  { name: 'Re-attach (nothing running)', method: 'get', path: '/api/chats/:id/stream', status: 204 },
  { name: 'Search', method: 'get', path: '/api/search', query: { q: 'Postman' }, status: 200, checks: { 'finds the chat': "b.results.some((r) => r.chat.id === pm.collectionVariables.get('chatId'))" } },
  { name: 'Share', method: 'post', path: '/api/chats/:id/share', status: 201, checks: { 'a token and a link': "b.token.length === 32 && b.url.endsWith(b.token)" }, capture: { shareToken: 'b.token' } },
  { name: 'Open the shared link', method: 'get', path: '/api/shared/:token', status: 200, checks: { 'the snapshot': "b.title === 'Renamed in Postman' && b.messages.length === 2" } },
  { name: 'Stop sharing', method: 'delete', path: '/api/chats/:id/share', status: 204 },
  { name: 'Export the chat (Markdown)', method: 'get', path: '/api/chats/:id/export', query: { format: 'markdown' }, status: 200 },
  { name: 'Export all my data', method: 'get', path: '/api/export', status: 200, checks: { 'an export': "b.format === 'gpt-backend-export' && b.chats.length >= 1" }, capture: { exportBody: 'JSON.stringify(b)' } },
  { name: 'Import it back', method: 'post', path: '/api/import', raw: '{{exportBody}}', status: 201, checks: { 'imported': 'b.imported.chats >= 1 && b.chatIds.length === b.imported.chats' } },
  { name: 'Usage', method: 'get', path: '/api/usage', status: 200, checks: { 'today is counted': 'b.today.used >= 0 && Array.isArray(b.days)' } },
  { name: 'My sessions', method: 'get', path: '/api/auth/sessions', status: 200, checks: { 'this one is current': 'b.sessions.some((s) => s.current)' } },
  { name: 'End an unknown session', method: 'delete', path: '/api/auth/sessions/:id', vars: { id: '00000000-0000-4000-8000-000000000000' }, status: 404, checks: { 'says so': "b.error.code === 'session_not_found'" } },
  { name: 'Create a chat with its first message', method: 'post', path: '/api/chats', body: { message: 'A second chat' }, status: 201, checks: { 'named by its message': "b.chat.title === 'A second chat'", 'answered': 'b.messages.length === 2' }, capture: { secondChatId: 'b.chat.id' } },
  { name: 'Delete a chat', method: 'delete', path: '/api/chats/:id', vars: { id: '{{secondChatId}}' }, status: 204 },
  { name: 'Log out', method: 'post', path: '/api/auth/logout', status: 204 },
  { name: 'Logged out', method: 'get', path: '/api/auth/me', status: 401, checks: { 'unauthenticated': "b.error.code === 'unauthenticated'" } },
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
  { name: 'Log in with the new password', method: 'post', path: '/api/auth/login', body: { email: '{{email}}', password: '{{password}}' }, status: 200 },
  { name: 'Delete my account', method: 'delete', path: '/api/auth/me', body: { password: '{{password}}' }, status: 204 },
  { name: 'The account is gone', method: 'post', path: '/api/auth/login', body: { email: '{{email}}', password: '{{password}}' }, status: 401 },
];
