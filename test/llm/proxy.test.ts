import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createProxy, type ProxyServer } from 'proxy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../helpers/fake-openai.js';
import { startServer, useScratchSpace } from '../helpers/processes.js';
import { TEST_API_KEY, TEST_SESSION_SECRET } from '../helpers/test-app.js';
import { PASSWORD, uniqueEmail } from '../helpers/users.js';

/**
 * Model calls through a corporate forward proxy (issue 26): HTTPS_PROXY (a CONNECT tunnel to an HTTPS
 * model server whose certificate the app trusts through NODE_EXTRA_CA_CERTS), HTTP_PROXY, and NO_PROXY,
 * against a real proxy server (the `proxy` package) and the app started as its own process.
 */
const scratch = useScratchSpace('gptb-proxy-');
let certDir: string;
let tls: { key: string; cert: string };
let proxy: ProxyServer;
let proxyUrl: string;
/** What went through the proxy: `CONNECT host:port` tunnels and `GET http://…` requests. */
const proxied: string[] = [];

beforeAll(async () => {
  certDir = await mkdtemp(path.join(os.tmpdir(), 'gptb-proxy-cert-'));
  // A self-signed certificate for localhost, as a model server behind TLS would have (trusted by the app
  // through NODE_EXTRA_CA_CERTS). By name, as real servers are: https-proxy-agent checks an IP address
  // given as the host against the name `localhost`.
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost',
    '-keyout', path.join(certDir, 'key.pem'), '-out', path.join(certDir, 'cert.pem'),
  ], { stdio: 'ignore' }); // prettier-ignore
  tls = { key: await readFile(path.join(certDir, 'key.pem'), 'utf8'), cert: await readFile(path.join(certDir, 'cert.pem'), 'utf8') };
  proxy = createProxy(http.createServer());
  proxy.on('connect', (req: http.IncomingMessage) => proxied.push(`CONNECT ${req.url}`));
  proxy.on('request', (req: http.IncomingMessage) => proxied.push(`${req.method} ${req.url}`));
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  proxy?.closeAllConnections();
  await new Promise((resolve) => proxy?.close(resolve));
  if (certDir) await rm(certDir, { recursive: true, force: true });
});

/** Starts the app with `env` against `fake`, sends one message and answers the reply's text. */
async function sendThrough(fake: FakeOpenAI, env: Record<string, string>, baseURL = fake.url): Promise<string> {
  const { server, url } = await startServer(
    {
      ...scratch.databaseEnv(),
      SESSION_SECRET: TEST_SESSION_SECRET,
      OPENAI_BASE_URL: baseURL,
      OPENAI_API_KEY: TEST_API_KEY,
      OPENAI_MODEL: 'test-model',
      OPENAI_MAX_RETRIES: '0',
      ...env,
    },
    scratch.workDir,
  );
  try {
    const registered = await fetch(`${url}/api/auth/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: uniqueEmail(), password: PASSWORD }),
    });
    const cookie = registered.headers.getSetCookie()[0]!.split(';')[0]!;
    const res = await fetch(`${url}/api/chats`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Cookie: cookie },
      body: JSON.stringify({ message: 'hello through the proxy' }),
    });
    const body = (await res.json()) as { messages?: { content: string }[]; error?: unknown };
    expect(res.status, JSON.stringify(body)).toBe(201);
    return body.messages!.at(-1)!.content;
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
  }
}

describe('model calls through a forward proxy', () => {
  it('HTTPS_PROXY: an HTTPS model server is reached through a CONNECT tunnel', async () => {
    const fake = await startFakeOpenAI({ tls });
    try {
      proxied.length = 0;
      const baseURL = fake.url.replace('127.0.0.1', 'localhost');
      const reply = await sendThrough(fake, { HTTPS_PROXY: proxyUrl, NODE_EXTRA_CA_CERTS: path.join(certDir, 'cert.pem') }, baseURL);
      expect(reply).toBe('Echo: hello through the proxy');
      expect(proxied).toContain(`CONNECT ${new URL(baseURL).host}`);
      expect(fake.completions()).toHaveLength(1);
    } finally {
      await fake.close();
    }
  });

  it('HTTP_PROXY: an http model server through the proxy; NO_PROXY: directly', async () => {
    const fake = await startFakeOpenAI();
    try {
      proxied.length = 0;
      expect(await sendThrough(fake, { HTTP_PROXY: proxyUrl })).toBe('Echo: hello through the proxy');
      expect(proxied).toContain(`POST ${fake.url}/chat/completions`);

      proxied.length = 0;
      expect(await sendThrough(fake, { HTTP_PROXY: proxyUrl, NO_PROXY: '127.0.0.1' })).toBe('Echo: hello through the proxy');
      expect(proxied).toEqual([]);
      expect(fake.completions()).toHaveLength(2);
    } finally {
      await fake.close();
    }
  });
});
