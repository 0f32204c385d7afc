import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { openDatabase } from '../../src/db/database.js';
import { createLogger } from '../../src/logger.js';
import { buildServices } from '../../src/services.js';
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
      model: 'openai-compatible/test-model',
      error: { code: 'database_unreachable', message: 'The database is unreachable.' },
    });
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: 'error', db: 'unreachable', migrations: 'unknown', error: { code: 'database_unreachable' } });
    expect(live.status).toBe(200);
  });
});
