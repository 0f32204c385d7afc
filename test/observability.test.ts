import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { captureLogs } from './helpers/log-lines.js';
import { TEST_API_KEY, TEST_SESSION_SECRET, useTestApp } from './helpers/test-app.js';
import { PASSWORD, sessionCookie, sessionIdOf, uniqueEmail } from './helpers/users.js';

const { logger, lines, logs } = captureLogs();

const ctx = useTestApp({ logger, env: { METRICS_TOKEN: 'metrics-token-0123456789' } });

/** A new chat with a first message, sent with a request id of our choosing. */
const sendAs = (cookie: string, requestId: string, message: string) =>
  request(ctx.t.app).post('/api/chats').set('Cookie', cookie).set('X-Request-Id', requestId).send({ message });

describe('logs', () => {
  it('write one JSON line per request (request id, user id, status, duration) and one per model call, and never a secret', async () => {
    const email = uniqueEmail();
    const register = await request(ctx.t.app)
      .post('/api/auth/register')
      .set('X-Request-Id', 'req-register-1')
      .send({ email, password: PASSWORD });
    const cookie = sessionCookie(register)!;
    const login = await request(ctx.t.app).post('/api/auth/login').send({ email, password: PASSWORD });
    const loginCookie = sessionCookie(login)!;
    const sent = await sendAs(loginCookie, 'req-send-1', 'log me');
    expect(sent.status).toBe(201);
    expect(register.headers['x-request-id']).toBe('req-register-1');

    const requestLine = logs().find((l) => l.req?.id === 'req-send-1' && l.res)!;
    expect(requestLine).toBeDefined();
    expect(requestLine.res.statusCode).toBe(201);
    expect(requestLine).toMatchObject({ reqId: 'req-send-1', req: { method: 'POST', url: '/api/chats' } });
    expect(requestLine.responseTime).toEqual(expect.any(Number));
    expect(requestLine.userId).toBe(
      sent.body.chat && (await request(ctx.t.app).get('/api/auth/me').set('Cookie', loginCookie)).body.user.id,
    );

    const modelLine = logs().find((l) => l.msg === 'model call' && l.messageId === sent.body.messages[1].id)!;
    expect(modelLine).toMatchObject({ model: 'test-model', outcome: 'complete', usage: { promptTokens: 11, completionTokens: 7 } });
    expect(modelLine.durationMs).toEqual(expect.any(Number));
    expect(modelLine.firstTokenMs).toEqual(expect.any(Number));

    const text = lines.join('\n');
    for (const secret of [PASSWORD, TEST_API_KEY, TEST_SESSION_SECRET, sessionIdOf(cookie), sessionIdOf(loginCookie)]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[redacted]');
  });

  it('bind every line logged for a request to its id: a failed send logs its failure, then the request as errored', async () => {
    const email = uniqueEmail();
    const cookie = sessionCookie(await request(ctx.t.app).post('/api/auth/register').send({ email, password: PASSWORD }))!;
    ctx.fake.enqueue({ kind: 'fail', status: 500 });
    const sent = await sendAs(cookie, 'req-failing-1', 'fail me');
    expect(sent.status).toBe(502);
    const forRequest = logs().filter((l) => l.reqId === 'req-failing-1');
    expect(forRequest.find((l) => l.msg === 'request failed')).toMatchObject({ level: 40, code: 'model_unavailable' });
    expect(forRequest.find((l) => l.msg === 'request errored')).toMatchObject({
      res: { statusCode: 502 },
      req: { id: 'req-failing-1', method: 'POST' },
      err: { message: 'failed with status code 502' },
    });
  });
});

describe('GET /metrics', () => {
  it('needs the bearer token when METRICS_TOKEN is set', async () => {
    expect((await request(ctx.t.app).get('/metrics')).status).toBe(401);
    expect((await request(ctx.t.app).get('/metrics').set('Authorization', 'Bearer wrong-token-000000000')).status).toBe(401);
  });

  it('exposes request durations, model latency and time to first token, tokens, streams and pool usage', async () => {
    const res = await request(ctx.t.app).get('/metrics').set('Authorization', 'Bearer metrics-token-0123456789');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.text).toMatch(/http_request_duration_seconds_bucket\{[^}]*route="\/api\/chats"[^}]*\}/);
    expect(res.text).toMatch(/model_request_duration_seconds_count\{model="test-model",outcome="complete"\} [1-9]/);
    expect(res.text).toMatch(/model_time_to_first_token_seconds_count\{model="test-model"\} [1-9]/);
    expect(res.text).toMatch(/model_tokens_total\{model="test-model",kind="completion"\} [1-9]/);
    expect(res.text).toContain('sse_active_streams 0');
    expect(res.text).toMatch(/db_pool_connections\{state="total"\} \d/);
    expect(res.text).toContain('process_resident_memory_bytes');
  });
});

describe('health probes', () => {
  it('live is always ok; ready needs the database and every migration', async () => {
    expect((await request(ctx.t.app).get('/api/health/live')).body).toEqual({ status: 'ok' });
    expect((await request(ctx.t.app).get('/api/health/ready')).body).toEqual({ status: 'ok', db: 'ok', migrations: 'applied' });
    const { rows } = await ctx.t.db.query<{ version: string; name: string; checksum: string }>(
      "DELETE FROM schema_migrations WHERE version = '004' RETURNING version, name, checksum",
    );
    try {
      const notReady = await request(ctx.t.app).get('/api/health/ready');
      expect(notReady.status).toBe(503);
      expect(notReady.body.migrations).toBe('1 pending');
    } finally {
      await ctx.t.db.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        rows[0]!.version,
        rows[0]!.name,
        rows[0]!.checksum,
      ]);
    }
  });
});
