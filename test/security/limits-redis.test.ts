import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PasswordHasher } from '../../src/auth/password.js';
import { startFakeOpenAI, type FakeOpenAI } from '../helpers/fake-openai.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { PASSWORD, signUp } from '../helpers/users.js';

/** The atomic reservation of password checks, with the counters in Redis (REDIS_URL). */
describe.runIf(process.env.TEST_REDIS_URL)('password guessing with the limits in Redis', () => {
  let fake: FakeOpenAI;
  let t: TestApp;
  let checks = 0;
  const counting = (hasher: PasswordHasher): PasswordHasher => ({
    ...hasher,
    verify: (password, hash) => {
      checks++;
      return hasher.verify(password, hash);
    },
  });
  beforeAll(async () => {
    fake = await startFakeOpenAI();
    t = await startTestApp({
      fake,
      wrapHasher: counting,
      // Its own client address (behind a trusted proxy) and a short window: the counters in Redis are
      // shared by every test run on this machine, and another file's limits must not see this burst.
      env: {
        RATE_LIMITS: 'on',
        REDIS_URL: process.env.TEST_REDIS_URL!,
        TRUST_PROXY: '1',
        LOGIN_WINDOW_SECONDS: '20',
        LOGIN_MAX_FAILURES_PER_ACCOUNT: '4',
        LOGIN_MAX_FAILURES_PER_IP: '1000',
        LOGIN_SLOWDOWN_MS: '0',
        REGISTER_PER_IP_PER_HOUR: '1000',
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  it('a burst of 40 parallel wrong logins runs at most the limit of checks, and the right password waits for the window', async () => {
    const { email } = await signUp(t.app);
    checks = 0;
    const ip = `198.18.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
    const login = (password: string) => request(t.app).post('/api/auth/login').set('X-Forwarded-For', ip).send({ email, password });
    const burst = await Promise.all(Array.from({ length: 40 }, (_, i) => login(`nope-${i}`)));
    expect(checks).toBeLessThanOrEqual(4);
    expect(burst.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(36);
    expect((await login(PASSWORD)).status).toBe(429);
  });
});
