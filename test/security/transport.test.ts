import { execFileSync } from 'node:child_process';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { startServer, useScratchSpace } from '../helpers/processes.js';
import { startTestApp } from '../helpers/test-app.js';
import { PASSWORD, uniqueEmail } from '../helpers/users.js';

/** The server as deployed (the real entry point in a child process): timeouts, HTTPS, production rules. */
const scratch = useScratchSpace('gptb-transport-');

describe('a slow-body attack (slowloris on the body)', () => {
  it('is cut within REQUEST_TIMEOUT_MS while other requests are served', async () => {
    const { server, url } = await startServer({ ...scratch.databaseEnv(), REQUEST_TIMEOUT_MS: '2000' }, scratch.workDir);
    try {
      const { port } = new URL(url);
      const socket = net.connect(Number(port), '127.0.0.1');
      const startedAt = Date.now();
      let answer = '';
      socket.on('data', (d: Buffer) => (answer += d.toString()));
      // The server may reset the connection once it answered 408 (the drip still writing): that is its end too.
      socket.on('error', () => undefined);
      const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now() - startedAt)));
      socket.write('POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n');
      const drip = setInterval(() => socket.writable && socket.write('{'), 300);
      // Meanwhile the server answers others at once.
      const live = await fetch(`${url}/api/health/live`);
      expect(live.status).toBe(200);
      const lasted = await closed;
      clearInterval(drip);
      expect(lasted).toBeLessThan(4500);
      expect(answer).toMatch(/^HTTP\/1.1 408/);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });
});

describe('HTTPS without a proxy (TLS_CERT_FILE, TLS_KEY_FILE)', () => {
  it('serves the API over TLS with the given certificate', async () => {
    const cert = path.join(scratch.workDir, 'cert.pem');
    const key = path.join(scratch.workDir, 'key.pem');
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-subj', '/CN=localhost', '-days', '1'],
      { stdio: 'ignore' },
    );
    const { server, url } = await startServer({ ...scratch.databaseEnv(), TLS_CERT_FILE: cert, TLS_KEY_FILE: key }, scratch.workDir);
    try {
      expect(server.output().stdout).toContain('listening on https://');
      const { port } = new URL(url);
      const body = await new Promise<{ status: number; text: string; subject: string }>((resolve, reject) => {
        const req = https.get({ host: '127.0.0.1', port, path: '/api/health/live', rejectUnauthorized: false }, (res) => {
          const subject = (res.socket as import('node:tls').TLSSocket).getPeerCertificate().subject.CN as string;
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, text, subject }));
        });
        req.on('error', reject);
      });
      expect(body).toEqual({ status: 200, text: '{"status":"ok"}', subject: 'localhost' });
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });
});

describe('production over plain HTTP', () => {
  const prodEnv = {
    NODE_ENV: 'production',
    SESSION_SECRET: 'Kx9-prod-like-secret-with-entropy-2QwZ7vB',
    OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
  };

  it('refuses a login or a registration (400 https_required) and writes no session', async () => {
    const prod = await startTestApp({ env: prodEnv });
    try {
      const email = uniqueEmail();
      const registered = await request(prod.app).post('/api/auth/register').send({ email, password: PASSWORD });
      expect(registered.status).toBe(400);
      expect(registered.body.error.code).toBe('https_required');
      const login = await request(prod.app).post('/api/auth/login').send({ email, password: PASSWORD });
      expect(login.body.error.code).toBe('https_required');
      expect(login.headers['set-cookie']).toBeUndefined();
      const { rowCount } = await prod.db.query('SELECT 1 FROM sessions');
      expect(rowCount).toBe(0);
      const users = await prod.db.query('SELECT 1 FROM users WHERE email = $1', [email]);
      expect(users.rowCount).toBe(0);
    } finally {
      await prod.close();
    }
  });

  it('keeps /metrics closed (404) unless METRICS_TOKEN is set', async () => {
    const prod = await startTestApp({ env: prodEnv });
    try {
      expect((await request(prod.app).get('/metrics')).status).toBe(404);
    } finally {
      await prod.close();
    }
  });
});

describe('X-Forwarded-Proto behind a trusted proxy (TRUST_PROXY=1)', () => {
  it('is read at the hop the proxy wrote (the rightmost value), not the client’s own leftmost one', async () => {
    const prod = await startTestApp({
      env: {
        NODE_ENV: 'production',
        SESSION_SECRET: 'Kx9-prod-like-secret-with-entropy-2QwZ7vB',
        OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
        TRUST_PROXY: '1',
      },
    });
    try {
      const register = (proto: string) =>
        request(prod.app)
          .post('/api/auth/register')
          .set('X-Forwarded-For', '203.0.113.7')
          .set('X-Forwarded-Proto', proto)
          .send({ email: uniqueEmail(), password: PASSWORD });
      // The client sent "https" itself over plain HTTP; the proxy appended what it saw, "http".
      expect((await register('https, http')).body.error?.code).toBe('https_required');
      expect((await register('http')).body.error?.code).toBe('https_required');
      // The proxy saw HTTPS (whatever the client claimed before it).
      const secure = await register('http, https');
      expect(secure.status).toBe(201);
      expect(secure.headers['set-cookie']?.[0]).toMatch(/; Secure/);
      expect((await register('https')).status).toBe(201);
    } finally {
      await prod.close();
    }
  });
});
