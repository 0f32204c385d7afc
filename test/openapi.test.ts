import fs from 'node:fs';
import type { Router } from 'express';
import request, { type Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postmanCollectionJson } from '../src/openapi/postman-file.js';
import { routeSpecs, type RouteSpec } from '../src/openapi/route-specs.js';
import { startFakeOpenAI, type FakeOpenAI } from './helpers/fake-openai.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';
import { PASSWORD, signUp, uniqueEmail } from './helpers/users.js';

let fake: FakeOpenAI;
let t: TestApp;
let specs: RouteSpec[];

beforeAll(async () => {
  fake = await startFakeOpenAI();
  t = await startTestApp({ fake });
  specs = routeSpecs({ maxChars: t.config.chat.messageMaxChars, models: t.model.models });
});
afterAll(async () => {
  await t?.close();
  await fake?.close();
});

/** Every method + path the app registers, read from its routers. */
function registeredRoutes(): string[] {
  const mounts = t.app.locals.mounts as [string, Router][];
  const routes = new Set<string>();
  for (const [prefix, router] of mounts) {
    for (const layer of router.stack) {
      const route = layer.route as { path: string; methods: Record<string, boolean> } | undefined;
      if (!route || typeof route.path !== 'string') continue;
      const path = `${prefix}${route.path}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
      for (const method of Object.keys(route.methods)) routes.add(`${method} ${path}`);
    }
  }
  return [...routes].sort();
}

/** The response must have a documented status, and a body matching its documented schema. */
function conforms(method: RouteSpec['method'], path: string, res: Response): void {
  const spec = specs.find((s) => s.method === method && s.path === path);
  expect(spec, `${method} ${path} is documented`).toBeDefined();
  expect(Object.keys(spec!.responses), `${method} ${path} documents ${res.status}`).toContain(String(res.status));
  const schema = spec!.responses[res.status];
  if (schema) {
    const result = schema.safeParse(res.body);
    expect(result.success, `${method} ${path} ${res.status}: ${JSON.stringify(result.error?.issues ?? [])}`).toBe(true);
  }
}

describe('the OpenAPI document', () => {
  it('is served as OpenAPI 3.1 at /api/openapi.json, with interactive docs at /api/docs', async () => {
    const doc = await request(t.app).get('/api/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    expect(doc.body.paths['/api/chats/{id}/message'].post.requestBody.content['application/json'].schema.properties.content).toBeDefined();
    const docs = await request(t.app).get('/api/docs');
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('swagger-ui-bundle.js');
    expect((await request(t.app).get('/api/docs/assets/swagger-ui-bundle.js')).status).toBe(200);
    expect((await request(t.app).get('/api/docs/init.js')).text).toContain('/api/openapi.json');
  });

  it('lists exactly the routes the app registers', () => {
    const documented = specs.map((s) => `${s.method} ${s.path}`).sort();
    expect(documented).toEqual(registeredRoutes());
    expect(documented.length).toBeGreaterThan(30);
  });

  it('describes request bodies with the very schemas that validate them', async () => {
    const doc = (await request(t.app).get('/api/openapi.json')).body;
    const register = doc.paths['/api/auth/register'].post.requestBody.content['application/json'].schema;
    expect(register.required).toEqual(['email', 'password']);
    expect(register.additionalProperties).toBe(false);
    const model = doc.paths['/api/chats'].post.requestBody.content['application/json'].schema.properties.model;
    expect(JSON.stringify(model)).toContain('string');
  });

  it('matches real responses of every kind', async () => {
    const anon = request(t.app);
    conforms('get', '/api/health', await anon.get('/api/health'));
    conforms('get', '/api/health/live', await anon.get('/api/health/live'));
    conforms('get', '/api/health/ready', await anon.get('/api/health/ready'));
    const email = uniqueEmail();
    conforms('post', '/api/auth/register', await anon.post('/api/auth/register').send({ email, password: PASSWORD }));
    conforms('post', '/api/auth/register', await anon.post('/api/auth/register').send({ email, password: PASSWORD }));
    conforms('post', '/api/auth/login', await anon.post('/api/auth/login').send({ email, password: 'wrong-password' }));
    conforms('get', '/api/auth/me', await anon.get('/api/auth/me'));

    const { agent } = await signUp(t.app);
    conforms('get', '/api/auth/me', await agent.get('/api/auth/me'));
    conforms('get', '/api/auth/sessions', await agent.get('/api/auth/sessions'));
    conforms('get', '/api/models', await agent.get('/api/models'));
    const created = await agent.post('/api/chats').send({ message: 'hello' });
    conforms('post', '/api/chats', created);
    conforms('post', '/api/chats', await agent.post('/api/chats').send({ title: 'x'.repeat(300) }));
    const id = created.body.chat.id;
    conforms('get', '/api/chats', await agent.get('/api/chats'));
    conforms('get', '/api/chats/:id', await agent.get(`/api/chats/${id}`));
    conforms('patch', '/api/chats/:id', await agent.patch(`/api/chats/${id}`).send({ pinned: true }));
    conforms('post', '/api/chats/:id/message', await agent.post(`/api/chats/${id}/message`).send({ content: 'more' }));
    fake.enqueue({ kind: 'fail', status: 500 });
    conforms('post', '/api/chats/:id/message', await agent.post(`/api/chats/${id}/message`).send({ content: 'fails' }));
    conforms('post', '/api/chats/:id/regenerate', await agent.post(`/api/chats/${id}/regenerate`));
    const messages = (await agent.get(`/api/chats/${id}`)).body.messages;
    conforms('get', '/api/chats/:id/messages', await agent.get(`/api/chats/${id}/messages?before=${messages.at(-1).id}`));
    conforms('patch', '/api/chats/:id/messages/:messageId', await agent.patch(`/api/chats/${id}/messages/${messages[0].id}`).send({ content: 'edited' }));
    conforms('post', '/api/chats/:id/stop', await agent.post(`/api/chats/${id}/stop`));
    conforms('get', '/api/chats/:id/stream', await agent.get(`/api/chats/${id}/stream`));
    conforms('get', '/api/search', await agent.get('/api/search?q=hello'));
    conforms('get', '/api/usage', await agent.get('/api/usage'));
    conforms('get', '/api/chats/:id/export', await agent.get(`/api/chats/${id}/export`));
    const exported = await agent.get('/api/export');
    conforms('get', '/api/export', exported);
    conforms('post', '/api/import', await agent.post('/api/import').send(exported.body));
    const share = await agent.post(`/api/chats/${id}/share`);
    conforms('post', '/api/chats/:id/share', share);
    conforms('get', '/api/shared/:token', await anon.get(share.body.url));
    conforms('delete', '/api/chats/:id/share', await agent.delete(`/api/chats/${id}/share`));
    conforms('delete', '/api/chats/:id', await agent.delete(`/api/chats/${id}`));
    conforms('get', '/api/chats/:id', await agent.get(`/api/chats/${id}`));
    conforms('post', '/api/auth/logout-all', await agent.post('/api/auth/logout-all'));
  });
});

describe('the Postman collection', () => {
  it('in docs/ is the one `npm run postman` makes from the document', () => {
    const shipped = fs.readFileSync(new URL('../docs/gpt-backend.postman_collection.json', import.meta.url), 'utf8');
    expect(shipped).toBe(postmanCollectionJson());
    const collection = JSON.parse(shipped);
    const names = collection.item.flatMap((folder: { item: { name: string }[] }) => folder.item.map((i) => i.name));
    expect(names).toContain('Log in');
    expect(names.length).toBe(specs.length);
  });
});
