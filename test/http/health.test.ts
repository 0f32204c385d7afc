import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { createPasswordHasher } from '../../src/auth/password.js';
import { SessionStore } from '../../src/auth/session-store.js';
import { openDatabase } from '../../src/db/database.js';
import { createLogger } from '../../src/logger.js';
import { testConfig, useTestApp } from '../helpers/test-app.js';

const ctx = useTestApp();

describe('GET /api/health', () => {
  it('reports the database and the configured model', async () => {
    const res = await request(ctx.t.app).get('/api/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', db: 'ok', model: 'openai-compatible/test-model' });
  });

  it('answers 503 when the database is unreachable', async () => {
    const config = testConfig(ctx.fake);
    // Nothing listens on port 1: every connection attempt is refused.
    const db = await openDatabase({ kind: 'postgres', url: 'postgres://postgres@127.0.0.1:1/none' });
    const store = new SessionStore(db, config.session);
    const app = createApp({
      config,
      db,
      model: ctx.t.model,
      turns: ctx.t.turns,
      limits: ctx.t.limits,
      metrics: ctx.t.metrics,
      sessionStore: store,
      hasher: await createPasswordHasher(4),
      logger: createLogger('silent'),
    });
    const res = await request(app).get('/api/health');
    store.close();
    await db.close();

    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ status: 'error', db: 'unreachable', error: { code: 'database_unreachable' } });
  });
});
