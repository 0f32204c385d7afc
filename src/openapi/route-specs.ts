import type { z } from 'zod';
import { ChangePasswordBody, DeleteAccountBody, LoginBody, RegisterBody, SessionIdParams } from '../auth/auth.schema.js';
import {
  ChatIdParams,
  ChatQuery,
  ListChatsQuery,
  MessageParams,
  MessagesQuery,
  createChatBody,
  editMessageBody,
  sendMessageBody,
  updateChatBody,
  type ChatSchemaLimits,
} from '../chats/chats.schema.js';
import { ExportQuery, ImportBody } from '../portability/portability.schema.js';
import { SearchQuery } from '../search/search.routes.js';
import { TokenParams } from '../sharing/sharing.routes.js';
import { UsageQuery } from '../usage/usage.routes.js';
import * as R from './response.schemas.js';

export interface RouteSpec {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** Express style (`/api/chats/:id`). */
  path: string;
  summary: string;
  tag: string;
  auth: boolean;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Status → response schema (undefined: no body). */
  responses: Record<number, z.ZodType | undefined>;
  /** Answers as Server-Sent Events with Accept: text/event-stream. */
  streams?: boolean;
}

/**
 * Every route of the API, with the very schemas that validate its input (built from the same config)
 * and the schemas of its answers. A test checks that this list and the app's routes are the same set.
 */
export function routeSpecs(limits: ChatSchemaLimits): RouteSpec[] {
  const turn = { 201: R.Turn, 400: R.ErrorBody, 404: R.ErrorBody, 409: R.ErrorBody, 429: R.ErrorBody, 502: R.ErrorBody };
  const chatParams = { params: ChatIdParams };
  return [
    { method: 'get', path: '/api/health', summary: 'Health: database and model', tag: 'Operations', auth: false, responses: { 200: R.Health, 503: R.Health } },
    { method: 'get', path: '/api/health/live', summary: 'Liveness: the process answers', tag: 'Operations', auth: false, responses: { 200: R.Readiness.pick({ status: true }) } },
    { method: 'get', path: '/api/health/ready', summary: 'Readiness: database reachable, migrations applied', tag: 'Operations', auth: false, responses: { 200: R.Readiness, 503: R.Readiness } },
    { method: 'post', path: '/api/auth/register', summary: 'Create an account and log in', tag: 'Auth', auth: false, body: RegisterBody, responses: { 201: R.UserBody, 400: R.ErrorBody, 409: R.ErrorBody, 429: R.ErrorBody } },
    { method: 'post', path: '/api/auth/login', summary: 'Log in', tag: 'Auth', auth: false, body: LoginBody, responses: { 200: R.UserBody, 400: R.ErrorBody, 401: R.ErrorBody, 429: R.ErrorBody } },
    { method: 'post', path: '/api/auth/logout', summary: 'Log out (ends the session)', tag: 'Auth', auth: false, responses: { 204: undefined } },
    { method: 'get', path: '/api/auth/logout', summary: 'Log out (the original spec’s GET form)', tag: 'Auth', auth: false, responses: { 204: undefined } },
    { method: 'get', path: '/api/auth/me', summary: 'The logged-in user', tag: 'Auth', auth: true, responses: { 200: R.UserBody, 401: R.ErrorBody } },
    { method: 'post', path: '/api/auth/logout-all', summary: 'End every session of the user', tag: 'Account', auth: true, responses: { 204: undefined, 401: R.ErrorBody } },
    { method: 'get', path: '/api/auth/sessions', summary: 'My active sessions', tag: 'Account', auth: true, responses: { 200: R.Sessions, 401: R.ErrorBody } },
    { method: 'delete', path: '/api/auth/sessions/:id', summary: 'End one of my sessions', tag: 'Account', auth: true, params: SessionIdParams, responses: { 204: undefined, 404: R.ErrorBody } },
    { method: 'post', path: '/api/auth/password', summary: 'Change my password', tag: 'Account', auth: true, body: ChangePasswordBody, responses: { 204: undefined, 400: R.ErrorBody, 403: R.ErrorBody } },
    { method: 'delete', path: '/api/auth/me', summary: 'Delete my account and all its data', tag: 'Account', auth: true, body: DeleteAccountBody, responses: { 204: undefined, 403: R.ErrorBody } },
    { method: 'get', path: '/api/chats', summary: 'My chats, pinned first then most recent, in pages', tag: 'Chats', auth: true, query: ListChatsQuery, responses: { 200: R.ChatList, 400: R.ErrorBody } },
    { method: 'post', path: '/api/chats', summary: 'Create a chat (and send its first message)', tag: 'Chats', auth: true, body: createChatBody(limits), streams: true, responses: { 201: R.CreatedChat, 400: R.ErrorBody, 429: R.ErrorBody, 502: R.ErrorBody } },
    { method: 'get', path: '/api/chats/:id', summary: 'A chat with its newest messages', tag: 'Chats', auth: true, ...chatParams, query: ChatQuery, responses: { 200: R.ChatWithMessages, 404: R.ErrorBody } },
    { method: 'patch', path: '/api/chats/:id', summary: 'Rename, pin, archive, or change the system prompt or model', tag: 'Chats', auth: true, ...chatParams, body: updateChatBody(limits), responses: { 200: R.ChatBody, 400: R.ErrorBody, 404: R.ErrorBody } },
    { method: 'delete', path: '/api/chats/:id', summary: 'Delete a chat and its messages', tag: 'Chats', auth: true, ...chatParams, responses: { 204: undefined, 404: R.ErrorBody } },
    { method: 'get', path: '/api/chats/:id/messages', summary: 'Older messages, a page at a time', tag: 'Chats', auth: true, ...chatParams, query: MessagesQuery, responses: { 200: R.MessagePage, 404: R.ErrorBody } },
    { method: 'post', path: '/api/chats/:id/message', summary: 'Send a message and get the reply', tag: 'Messages', auth: true, ...chatParams, body: sendMessageBody(limits), streams: true, responses: turn },
    { method: 'patch', path: '/api/chats/:id/messages/:messageId', summary: 'Edit a message and answer anew', tag: 'Messages', auth: true, params: MessageParams, body: editMessageBody(limits), streams: true, responses: turn },
    { method: 'post', path: '/api/chats/:id/regenerate', summary: 'Replace the last reply', tag: 'Messages', auth: true, ...chatParams, streams: true, responses: turn },
    { method: 'post', path: '/api/chats/:id/stop', summary: 'Stop the reply being generated', tag: 'Messages', auth: true, ...chatParams, responses: { 200: R.Stopped, 204: undefined, 404: R.ErrorBody } },
    { method: 'get', path: '/api/chats/:id/stream', summary: 'Re-attach to the reply in progress (SSE, Last-Event-ID)', tag: 'Messages', auth: true, ...chatParams, streams: true, responses: { 204: undefined, 404: R.ErrorBody } },
    { method: 'get', path: '/api/models', summary: 'Models a chat may use', tag: 'Chats', auth: true, responses: { 200: R.Models } },
    { method: 'get', path: '/api/search', summary: 'Full-text search over my titles and messages', tag: 'Chats', auth: true, query: SearchQuery, responses: { 200: R.SearchResults, 400: R.ErrorBody } },
    { method: 'get', path: '/api/chats/:id/export', summary: 'Export a chat as JSON or Markdown', tag: 'Data', auth: true, ...chatParams, query: ExportQuery, responses: { 200: R.Export, 404: R.ErrorBody } },
    { method: 'get', path: '/api/export', summary: 'Export all my data', tag: 'Data', auth: true, responses: { 200: R.Export } },
    { method: 'post', path: '/api/import', summary: 'Import an export', tag: 'Data', auth: true, body: ImportBody, responses: { 201: R.Imported, 400: R.ErrorBody } },
    { method: 'post', path: '/api/chats/:id/share', summary: 'Share a read-only snapshot', tag: 'Sharing', auth: true, ...chatParams, responses: { 201: R.Share, 404: R.ErrorBody } },
    { method: 'delete', path: '/api/chats/:id/share', summary: 'Stop sharing', tag: 'Sharing', auth: true, ...chatParams, responses: { 204: undefined, 404: R.ErrorBody } },
    { method: 'get', path: '/api/shared/:token', summary: 'A shared chat (no login)', tag: 'Sharing', auth: false, params: TokenParams, responses: { 200: R.SharedChat, 404: R.ErrorBody } },
    { method: 'get', path: '/api/usage', summary: 'Tokens per day and model, and today’s budget', tag: 'Data', auth: true, query: UsageQuery, responses: { 200: R.UsageReport, 400: R.ErrorBody } },
    { method: 'get', path: '/api/openapi.json', summary: 'This document', tag: 'Operations', auth: false, responses: { 200: undefined } },
    { method: 'get', path: '/api/docs', summary: 'Interactive API docs', tag: 'Operations', auth: false, responses: { 200: undefined } },
    { method: 'get', path: '/api/docs/init.js', summary: 'Script of the docs page', tag: 'Operations', auth: false, responses: { 200: undefined } },
    { method: 'get', path: '/metrics', summary: 'Prometheus metrics (bearer METRICS_TOKEN when set)', tag: 'Operations', auth: false, responses: { 200: undefined, 401: R.ErrorBody } },
  ];
}
