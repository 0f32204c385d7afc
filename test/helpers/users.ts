import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import { expect } from 'vitest';

export const PASSWORD = 'plum-voyage-42-quietly';

export const uniqueEmail = (prefix = 'user') => `${prefix}-${randomUUID()}@example.com`;

/** Registers a fresh user through the real route and returns an agent carrying its session cookie. */
export async function signUp(app: Express, email = uniqueEmail()) {
  const agent = request.agent(app);
  const res = await agent.post('/api/auth/register').send({ email, password: PASSWORD });
  expect(res.status).toBe(201);
  return { agent, user: res.body.user as { id: string; email: string; createdAt: string; role: 'user' | 'admin'; status: string }, email };
}

/** The value of the session cookie a response set, if any. */
export function sessionCookie(res: request.Response): string | undefined {
  const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  return cookies.find((c) => c.startsWith('sid='))?.split(';')[0];
}

/** The store's session id inside a signed `sid=s%3A<id>.<signature>` cookie. */
export function sessionIdOf(cookie: string): string {
  return decodeURIComponent(cookie.slice('sid='.length)).slice('s:'.length).split('.')[0]!;
}
