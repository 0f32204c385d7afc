import fs from 'node:fs';
import request, { type Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteSpec } from '../src/http/route.js';
import { postmanCollectionJson } from '../src/openapi/postman-file.js';
import { apiRoutes } from '../src/routes.js';
import { startFakeOpenAI, type FakeOpenAI } from './helpers/fake-openai.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';
import { PASSWORD, signUp, uniqueEmail } from './helpers/users.js';

let fake: FakeOpenAI;
let t: TestApp;
let specs: RouteSpec[];

beforeAll(async () => {
  fake = await startFakeOpenAI();
  t = await startTestApp({ fake });
  specs = apiRoutes({
    maxChars: t.config.chat.messageMaxChars,
    models: t.model.models,
    uploadMaxBytes: t.config.attachments.uploadMaxBytes,
  });
});
afterAll(async () => {
  await t?.close();
  await fake?.close();
});

interface Layer {
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every method + path the app really serves, read from its router (and the routers mounted in it). */
function registeredRoutes(): string[] {
  const routes = new Set<string>();
  const visit = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route && typeof layer.route.path === 'string') {
        for (const method of Object.keys(layer.route.methods)) routes.add(`${method} ${layer.route.path}`);
      } else if (layer.handle?.stack) {
        visit(layer.handle.stack);
      }
    }
  };
  visit((t.app as unknown as { router: { stack: Layer[] } }).router.stack);
  return [...routes].sort();
}

/** The response has exactly the status this request should get, and a body matching its documented schema. */
function conforms(method: RouteSpec['method'], path: string, res: Response, status: number): void {
  const spec = specs.find((s) => s.method === method && s.path === path);
  expect(spec, `${method} ${path} is documented`).toBeDefined();
  expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(status);
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
    conforms('get', '/api/health', await anon.get('/api/health'), 200);
    conforms('get', '/api/health/live', await anon.get('/api/health/live'), 200);
    conforms('get', '/api/health/ready', await anon.get('/api/health/ready'), 200);
    const email = uniqueEmail();
    conforms('post', '/api/auth/register', await anon.post('/api/auth/register').send({ email, password: PASSWORD }), 201);
    conforms('post', '/api/auth/register', await anon.post('/api/auth/register').send({ email, password: PASSWORD }), 409);
    conforms('post', '/api/auth/login', await anon.post('/api/auth/login').send({ email, password: 'wrong-password' }), 401);
    conforms('get', '/api/auth/me', await anon.get('/api/auth/me'), 401);

    const { agent } = await signUp(t.app);
    conforms('get', '/api/auth/me', await agent.get('/api/auth/me'), 200);
    conforms('get', '/api/auth/sessions', await agent.get('/api/auth/sessions'), 200);
    conforms('get', '/api/models', await agent.get('/api/models'), 200);
    const created = await agent.post('/api/chats').send({ message: 'hello' });
    conforms('post', '/api/chats', created, 201);
    conforms('post', '/api/chats', await agent.post('/api/chats').send({ title: 'x'.repeat(300) }), 400);
    const id = created.body.chat.id;
    conforms('get', '/api/chats', await agent.get('/api/chats'), 200);
    conforms('get', '/api/chats/:id', await agent.get(`/api/chats/${id}`), 200);
    conforms('patch', '/api/chats/:id', await agent.patch(`/api/chats/${id}`).send({ pinned: true }), 200);
    conforms('post', '/api/chats/:id/message', await agent.post(`/api/chats/${id}/message`).send({ content: 'more' }), 201);
    fake.enqueue({ kind: 'fail', status: 500 });
    conforms('post', '/api/chats/:id/message', await agent.post(`/api/chats/${id}/message`).send({ content: 'fails' }), 502);
    conforms('post', '/api/chats/:id/regenerate', await agent.post(`/api/chats/${id}/regenerate`), 201);
    const messages = (await agent.get(`/api/chats/${id}`)).body.messages;
    conforms('get', '/api/chats/:id/messages', await agent.get(`/api/chats/${id}/messages?before=${messages.at(-1).id}`), 200);
    conforms(
      'patch',
      '/api/chats/:id/messages/:messageId',
      await agent.patch(`/api/chats/${id}/messages/${messages[0].id}`).send({ content: 'edited' }),
      201,
    );
    conforms('post', '/api/chats/:id/stop', await agent.post(`/api/chats/${id}/stop`), 204);
    conforms('get', '/api/chats/:id/stream', await agent.get(`/api/chats/${id}/stream`), 204);
    conforms('get', '/api/search', await agent.get('/api/search?q=hello'), 200);
    conforms('get', '/api/usage', await agent.get('/api/usage'), 200);
    conforms('get', '/api/chats/:id/export', await agent.get(`/api/chats/${id}/export`), 200);
    const exported = await agent.get('/api/export');
    conforms('get', '/api/export', exported, 200);
    conforms('post', '/api/import', await agent.post('/api/import').send(exported.body), 201);
    const share = await agent.post(`/api/chats/${id}/share`);
    conforms('post', '/api/chats/:id/share', share, 201);
    conforms('get', '/api/shared/:token', await anon.get(share.body.url), 200);
    conforms('delete', '/api/chats/:id/share', await agent.delete(`/api/chats/${id}/share`), 204);
    conforms('delete', '/api/chats/:id', await agent.delete(`/api/chats/${id}`), 204);
    conforms('get', '/api/chats/:id', await agent.get(`/api/chats/${id}`), 404);
    conforms('post', '/api/auth/logout-all', await agent.post('/api/auth/logout-all'), 204);
  });
});

describe('the Postman collection', () => {
  it('in docs/ is the one `npm run postman` makes from the document', () => {
    const shipped = fs.readFileSync(new URL('../docs/gpt-backend.postman_collection.json', import.meta.url), 'utf8');
    expect(shipped).toBe(postmanCollectionJson());
    const collection = JSON.parse(shipped);
    type Item = {
      name: string;
      request: { method: string; url: { path: string[] } };
      event: { listen: string; script: { exec: string[] } }[];
    };
    const top = collection.item as (Item | { name: string; item: Item[] })[];
    expect(top.find((i) => i.name === 'Admin')).toMatchObject({ item: expect.any(Array) });
    const items = top.flatMap((i) => ('item' in i ? i.item : [i]));
    expect(items.map((i) => i.name)).toContain('Log in');
    // Every operation of the document runs at least once, and every request tests its answer.
    const covered = new Set(items.map((i) => `${i.request.method.toLowerCase()} /${i.request.url.path.join('/')}`));
    for (const spec of specs) expect(covered, `${spec.method} ${spec.path}`).toContain(`${spec.method} ${spec.path}`);
    expect(items.every((i) => i.event.some((e) => e.listen === 'test' && e.script.exec.some((line) => line.includes('pm.test'))))).toBe(
      true,
    );
  });
});
