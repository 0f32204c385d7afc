import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { openDatabase } from '../../src/db/database.js';
import { createLogger } from '../../src/logger.js';
import { buildServices } from '../../src/services.js';
import { captureLogs } from '../helpers/log-lines.js';
import { TEST_API_KEY, startTestApp, testConfig, useTestApp } from '../helpers/test-app.js';
import { signUp } from '../helpers/users.js';

const ctx = useTestApp();

describe('GET /api/health', () => {
  it('reports the database and the configured model', async () => {
    const res = await request(ctx.t.app).get('/api/health');
    expect(res.status).toBe(200);
    // The model server has not been probed in this test app: its status is unknown until it is.
    expect(res.body).toEqual({ status: 'ok', db: 'ok', model: { label: 'openai-compatible/test-model', status: 'unknown' } });
  });

  it('answers 503 when the database is unreachable', async () => {
    const config = testConfig(ctx.fake);
    // Nothing listens on port 1: every connection attempt is refused.
    const db = await openDatabase({ kind: 'postgres', url: 'postgres://postgres@127.0.0.1:1/none' });
    const services = await buildServices(config, db, { logger: createLogger('silent') });
    const app = createApp(services);
    const res = await request(app).get('/api/health');
    const ready = await request(app).get('/api/health/ready');
    const live = await request(app).get('/api/health/live');
    await services.close();
    await db.close();

    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      status: 'error',
      db: 'unreachable',
      model: { label: 'openai-compatible/test-model', status: 'unknown' },
      error: { code: 'database_unreachable', message: 'The database is unreachable.' },
    });
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({
      status: 'error',
      db: 'unreachable',
      migrations: 'unknown',
      error: { code: 'database_unreachable' },
    });
    expect(live.status).toBe(200);
  });

  it('says the model server is unreachable when the probe finds nothing at OPENAI_BASE_URL, and ok once it answers', async () => {
    const dead = await startTestApp({ env: { OPENAI_BASE_URL: 'http://127.0.0.1:1/v1', OPENAI_API_KEY: undefined } });
    try {
      expect(await dead.modelStatus.refresh()).toBe('unreachable');
      const res = await request(dead.app).get('/api/health');
      expect(res.status).toBe(200);
      expect(res.body.model).toEqual({ label: 'openai-compatible/test-model', status: 'unreachable' });
    } finally {
      await dead.close();
    }
    expect(await ctx.t.modelStatus.refresh()).toBe('ok');
    expect((await request(ctx.t.app).get('/api/health')).body.model.status).toBe('ok');
  });

  it('OPENAI_MODELS=auto with no OPENAI_MODEL: the models and the default come from the server’s /models', async () => {
    const auto = await startTestApp({ fake: ctx.fake, env: { OPENAI_MODELS: 'auto', OPENAI_MODEL: undefined } });
    try {
      await auto.modelStatus.refresh();
      const { agent } = await signUp(auto.app);
      expect((await agent.get('/api/models')).body).toEqual({ models: [{ id: 'fake-model' }], default: 'fake-model' });
      // A chat may pick it, and a send uses it.
      const chat = (await agent.post('/api/chats').send({ model: 'fake-model' }).expect(201)).body.chat;
      await agent.post(`/api/chats/${chat.id}/message`).send({ content: 'hi' }).expect(201);
      expect(ctx.fake.completions().at(-1)!.body.model).toBe('fake-model');
    } finally {
      await auto.close();
    }
  });

  it('a call that cannot reach the model server marks it unreachable at once, naming the URL tried (never the key); an answered call marks it ok', async () => {
    const { logger, lines, logs } = captureLogs();
    const t = await startTestApp({ fake: ctx.fake, logger });
    try {
      const { agent } = await signUp(t.app);
      expect(await t.modelStatus.refresh()).toBe('ok');
      ctx.fake.enqueue({ kind: 'fail', status: 503 });
      expect((await agent.post('/api/chats').send({ message: 'is anyone there?' })).body.error.code).toBe('model_unavailable');
      // No probe ran: the failed call itself told health.
      expect((await request(t.app).get('/api/health')).body.model.status).toBe('unreachable');
      const failed = logs().find((l) => l.msg === 'model call' && l.errorCode === 'model_unavailable');
      expect(failed).toMatchObject({ outcome: 'error', modelServer: ctx.fake.url });
      expect(
        logs().find((l) => l.level === 40 && String(l.msg).includes(`the model server at ${ctx.fake.url} does not answer`)),
      ).toBeDefined();

      await agent.post('/api/chats').send({ message: 'and now?' }).expect(201);
      expect((await request(t.app).get('/api/health')).body.model.status).toBe('ok');
      expect(logs().find((l) => l.msg === 'the model server answers again')).toMatchObject({ modelServer: ctx.fake.url });
      expect(lines.join('\n')).not.toContain(TEST_API_KEY);
    } finally {
      await t.close();
    }

    // A base URL carrying credentials or a query is logged without them.
    lines.length = 0;
    const nowhere = await startTestApp({
      logger,
      env: { OPENAI_BASE_URL: 'http://someone:url-secret@127.0.0.1:1/v1?api-key=query-secret', OPENAI_API_KEY: 'sk-key-secret' },
    });
    try {
      const { agent } = await signUp(nowhere.app);
      expect((await agent.post('/api/chats').send({ message: 'hello?' })).status).toBe(502);
      expect((await request(nowhere.app).get('/api/health')).body.model.status).toBe('unreachable');
      expect(logs().find((l) => l.msg === 'model call')).toMatchObject({
        errorCode: 'model_unavailable',
        modelServer: 'http://127.0.0.1:1/v1',
      });
      expect(lines.join('\n')).not.toMatch(/url-secret|query-secret|sk-key-secret/);
    } finally {
      await nowhere.close();
    }
  });
});
