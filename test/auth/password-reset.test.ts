import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../helpers/fake-openai.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { PASSWORD, signUp, uniqueEmail } from '../helpers/users.js';
import { eventually } from '../helpers/wait.js';

/** "Forgot password" (issue 29) through a real SMTP server (smtp-server), on two instances. */
interface Received {
  to: string[];
  text: string;
}
const inbox: Received[] = [];
let smtp: SMTPServer;
let smtpPort: number;
let fake: FakeOpenAI;
let a: TestApp;
let b: TestApp;

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, done) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      stream.on('end', () => {
        // The body of a plain-text mail, its quoted-printable soft line breaks joined.
        const text = raw.split('\r\n\r\n').slice(1).join('\r\n\r\n').replace(/=\r\n/g, '').replace(/=3D/g, '=');
        inbox.push({ to: session.envelope.rcptTo.map((r) => r.address), text });
        done();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpPort = (smtp.server.address() as AddressInfo).port;
  fake = await startFakeOpenAI();
  a = await startTestApp({
    fake,
    env: {
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      MAIL_FROM: 'Chat <no-reply@chat.example>',
      PUBLIC_URL: 'https://chat.example',
      SESSION_CACHE_MS: '10000',
      RATE_LIMITS: 'on',
      MESSAGES_PER_MINUTE: '1000',
    },
  });
  b = await startTestApp({ instanceOf: a });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
  await fake?.close();
  await new Promise<void>((resolve) => smtp?.close(() => resolve()));
});

const mailsTo = (email: string) => inbox.filter((m) => m.to.includes(email));
const tokenIn = (mail: Received) => /https:\/\/chat\.example\/reset-password\?token=([\w-]+)/.exec(mail.text)?.[1];
const ask = (email: string, app = a) => request(app.app).post('/api/auth/password-reset').send({ email });
const confirm = (token: string, newPassword = 'a-fresh-passphrase-31') =>
  request(a.app).post('/api/auth/password-reset/confirm').send({ token, newPassword });

describe('password reset by email', () => {
  it('is offered (passwordReset: true)', async () => {
    expect((await request(a.app).get('/api/auth/providers')).body.passwordReset).toBe(true);
  });

  it('mails a link; the new password works, the old does not, and every session ends on every instance', async () => {
    const { agent, email } = await signUp(a.app);
    const otherDevice = request.agent(b.app);
    await otherDevice.post('/api/auth/login').send({ email, password: PASSWORD }).expect(200);
    expect((await otherDevice.get('/api/chats')).status).toBe(200); // cached on instance B now

    expect((await ask(email)).status).toBe(202);
    const mail = await eventually(() => mailsTo(email)[0], 5000, 'the mail');
    expect(mail.text).toContain('30 minutes');
    const token = tokenIn(mail)!;
    expect(token.length).toBeGreaterThanOrEqual(22); // ≥ 128 bits, base64url
    const stored = await a.db.query<{ token_hash: string }>('SELECT token_hash FROM password_resets');
    expect(JSON.stringify(stored.rows)).not.toContain(token);

    const since = Date.now();
    expect((await confirm(token)).status).toBe(204);
    expect((await agent.get('/api/chats')).status).toBe(401);
    await eventually(async () => (await otherDevice.get('/api/chats')).status === 401, 1000, 'instance B to refuse the session');
    expect(Date.now() - since).toBeLessThan(1500);
    expect((await request(a.app).post('/api/auth/login').send({ email, password: PASSWORD })).status).toBe(401);
    expect((await request(a.app).post('/api/auth/login').send({ email, password: 'a-fresh-passphrase-31' })).status).toBe(200);
  });

  it('a link works once; an expired one, a replaced one and a made-up one are 400 invalid_token', async () => {
    const { email } = await signUp(a.app);
    await ask(email).expect(202);
    const first = tokenIn(await eventually(() => mailsTo(email)[0], 5000, 'the first mail'))!;
    await ask(email).expect(202);
    const second = tokenIn(await eventually(() => mailsTo(email)[1], 5000, 'the second mail'))!;
    for (const token of [first, 'made-up-token']) {
      const res = await confirm(token);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_token');
    }
    expect((await confirm(second)).status).toBe(204);
    expect((await confirm(second, 'yet-another-passphrase-5')).body.error.code).toBe('invalid_token');

    await ask(email).expect(202);
    const third = tokenIn(await eventually(() => mailsTo(email)[2], 5000, 'the third mail'))!;
    await a.db.query(`UPDATE password_resets SET expires_at = now() - interval '1 second'`);
    expect((await confirm(third)).body.error.code).toBe('invalid_token');
    expect((await confirm(third.slice(0, -1))).status).toBe(400);
    expect((await confirm(second, 'password')).status).toBe(400); // the password rules still apply
  });

  it('says nothing about which accounts exist: the same 202 and no body, in about the same time; no mail for a stranger', async () => {
    const { email } = await signUp(a.app);
    const stranger = uniqueEmail('nobody');
    const timed = async (who: string) => {
      const started = process.hrtime.bigint();
      const res = await ask(who);
      return { status: res.status, text: res.text, ms: Number(process.hrtime.bigint() - started) / 1e6 };
    };
    const known = await timed(email);
    const unknown = await timed(stranger);
    expect(known.status).toBe(202);
    expect(unknown).toMatchObject({ status: 202, text: known.text });
    await eventually(() => mailsTo(email).length === 1, 5000, 'the mail');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(mailsTo(stranger)).toEqual([]);
    // The account is looked up after the answer: a generous bound, the real check is that nothing waits on it.
    expect(Math.abs(known.ms - unknown.ms)).toBeLessThan(250);
  });

  it('is limited per email and per address (429 too_many_resets)', async () => {
    const email = uniqueEmail('limited');
    for (let i = 0; i < 3; i++) await ask(email).expect(202);
    const res = await ask(email);
    expect(res.status).toBe(429);
    expect(res.body.error.code).toBe('too_many_resets');
    expect(res.headers['retry-after']).toBeDefined();
  });

  it('answers 202 with the mail server down (the failure is logged and counted)', async () => {
    const down = await startTestApp({
      fake,
      env: { SMTP_URL: 'smtp://127.0.0.1:1', MAIL_FROM: 'no-reply@chat.example', RATE_LIMITS: 'on' },
    });
    try {
      const { email } = await signUp(down.app);
      expect((await ask(email, down)).status).toBe(202);
      await eventually(async () => /mail_failures_total 1/.test((await request(down.app).get('/metrics')).text), 5000, 'the count');
    } finally {
      await down.close();
    }
  });

  it('is off without SMTP_URL and MAIL_FROM: passwordReset false, the routes 404', async () => {
    const off = await startTestApp({ fake });
    try {
      expect((await request(off.app).get('/api/auth/providers')).body.passwordReset).toBe(false);
      expect((await request(off.app).post('/api/auth/password-reset').send({ email: uniqueEmail() })).status).toBe(404);
      expect((await request(off.app).post('/api/auth/password-reset/confirm').send({ token: 'x', newPassword: PASSWORD })).status).toBe(
        404,
      );
    } finally {
      await off.close();
    }
  });
});
