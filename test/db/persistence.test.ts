import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../helpers/fake-openai.js';
import { startTestApp } from '../helpers/test-app.js';
import { createTestDatabaseTarget, type TestDatabaseTarget } from '../helpers/test-db.js';
import { PASSWORD, sessionCookie, uniqueEmail } from '../helpers/users.js';

let fake: FakeOpenAI;
let storage: TestDatabaseTarget;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  // On PGlite this is a data directory on disk; on a real server, a database of its own.
  storage = await createTestDatabaseTarget({ onDisk: true });
});
afterAll(async () => {
  await fake?.close();
  await storage?.dispose();
});

describe('a restart of the app on the same data', () => {
  it('keeps users, chats, messages and sessions', async () => {
    const email = uniqueEmail();
    const first = await startTestApp({ fake, target: storage.target });
    const register = await request(first.app).post('/api/auth/register').send({ email, password: PASSWORD });
    const cookie = sessionCookie(register)!;
    const created = await request(first.app).post('/api/chats').set('Cookie', cookie).send({ message: 'remember me' });
    expect(created.status).toBe(201);
    await first.close({ keepData: true });

    const second = await startTestApp({ fake, target: storage.target });
    try {
      // The old session cookie still works: sessions live in the database, not in memory.
      const me = await request(second.app).get('/api/auth/me').set('Cookie', cookie);
      expect(me.status).toBe(200);
      expect(me.body.user.email).toBe(email);

      const chat = await request(second.app).get(`/api/chats/${created.body.chat.id}`).set('Cookie', cookie);
      expect(chat.status).toBe(200);
      expect(chat.body.messages).toEqual(created.body.messages);

      const login = await request(second.app).post('/api/auth/login').send({ email, password: PASSWORD });
      expect(login.status).toBe(200);
    } finally {
      await second.close({ keepData: true });
    }
  });
});
