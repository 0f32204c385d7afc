import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { signUp } from '../helpers/users.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const errorShape = (code: string) => ({ error: { code, message: expect.any(String) } });

describe('errors everywhere share one JSON shape', () => {
  it('answers an unknown route with 404 route_not_found', async () => {
    const res = await request(t.app).get('/api/nope');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body).toEqual(errorShape('route_not_found'));
  });

  it('answers malformed JSON with 400 invalid_json', async () => {
    const res = await request(t.app).post('/api/auth/login').set('Content-Type', 'application/json').send('{"email":');
    expect(res.status).toBe(400);
    expect(res.body).toEqual(errorShape('invalid_json'));
  });

  it('answers a body over 1 MB with 413 payload_too_large', async () => {
    const { agent } = await signUp(t.app);
    const res = await agent
      .post('/api/chats')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ message: 'x'.repeat(1024 * 1024 + 10) }));
    expect(res.status).toBe(413);
    expect(res.body).toEqual(errorShape('payload_too_large'));
  });

  it('answers a validation failure with 400, a readable message and details', async () => {
    const res = await request(t.app).post('/api/auth/register').send({ email: 'nope', password: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ location: 'body', path: 'email' }),
        expect.objectContaining({ location: 'body', path: 'password' }),
      ]),
    );
  });

  it('sets security headers (helmet) and a request id', async () => {
    const res = await request(t.app).get('/api/health');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-request-id']).toMatch(/^[\w.-]+$/);
  });
});

describe('a server failure', () => {
  it('answers 500 internal_error without leaking internals', async () => {
    const broken = await startTestApp();
    const { agent } = await signUp(broken.app);
    await broken.db.query('DROP TABLE messages CASCADE');
    const chat = (await agent.post('/api/chats').send({})).body.chat;
    const res = await agent.get(`/api/chats/${chat.id}`);
    await broken.close();

    expect(res.status).toBe(500);
    expect(res.body).toEqual(errorShape('internal_error'));
    expect(JSON.stringify(res.body)).not.toMatch(/messages|relation|stack|at /i);
  });
});
