import { z } from 'zod';
import type { RouteSpec } from '../http/route.js';

type JsonSchema = Record<string, unknown>;

const toSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  return rest;
};

/** `/api/chats/:id` → `/api/chats/{id}` */
export const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

function parameters(spec: RouteSpec): object[] {
  const list: object[] = [];
  for (const [location, schema] of [
    ['path', spec.input.params],
    ['query', spec.input.query],
  ] as const) {
    if (!schema) continue;
    const json = toSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, property] of Object.entries(json.properties ?? {})) {
      list.push({ name, in: location, required: location === 'path' || (json.required ?? []).includes(name), schema: property });
    }
  }
  return list;
}

const EVENT_STREAM = {
  'text/event-stream': {
    schema: { type: 'string' },
    description: 'With Accept: text/event-stream: events start, delta, title, done, error (docs/turn-engine.md).',
  },
};

function operation(spec: RouteSpec): object {
  const responses: Record<string, object> = {};
  for (const [status, schema] of Object.entries(spec.responses)) {
    responses[status] = {
      description: Number(status) < 400 ? 'Success' : 'Error (see the error codes in docs/api.md)',
      ...(schema ? { content: { 'application/json': { schema: toSchema(schema, 'output') } } } : {}),
    };
  }
  if (spec.streams) responses['200'] = { description: 'The reply as Server-Sent Events', content: EVENT_STREAM };
  return {
    summary: spec.summary,
    ...(spec.guard ? { description: `Only for: ${spec.guard} (403 forbidden otherwise).` } : {}),
    tags: [spec.tag],
    operationId: `${spec.method}${spec.path.replace(/[/:{}.-]+(\w)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
    security: spec.auth ? [{ sessionCookie: [] }] : [],
    parameters: parameters(spec),
    ...(spec.input.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: toSchema(spec.input.body, 'input') } } } }
      : {}),
    ...(spec.upload ? { requestBody: uploadBody(spec.upload.field, spec.upload.maxBytes) } : {}),
    responses,
  };
}

/** One file, as multipart/form-data. */
const uploadBody = (field: string, maxBytes: number) => ({
  required: true,
  content: {
    'multipart/form-data': {
      schema: {
        type: 'object',
        required: [field],
        properties: { [field]: { type: 'string', format: 'binary', description: `The file, at most ${maxBytes} bytes.` } },
      },
    },
  },
});

/** The OpenAPI 3.1 document of the route table: the very zod schemas that validate the requests. */
export function buildOpenApiDocument(routes: readonly RouteSpec[], version: string): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const spec of routes) {
    (paths[openApiPath(spec.path)] ??= {})[spec.method] = operation(spec);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'gpt-backend',
      version,
      description: 'A multi-user ChatGPT-style API. Errors are { error: { code, message, details? } }. Log in to get the session cookie.',
    },
    servers: [{ url: '/' }],
    components: { securitySchemes: { sessionCookie: { type: 'apiKey', in: 'cookie', name: 'sid' } } },
    paths,
  };
}
