import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { openDatabase } from '../../src/db/database.js';
import { createLogger } from '../../src/logger.js';
import { buildServices } from '../../src/services.js';
import { startTestApp, testConfig, useTestApp } from '../helpers/test-app.js';
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
});
