/**
 * A Postman (v2.1) collection made from the OpenAPI document: one folder per tag, one request per
 * operation, with example bodies. `npm run postman` writes it to docs/; a test keeps that file current.
 */
type Schema = { type?: string | string[]; properties?: Record<string, Schema>; required?: string[]; format?: string; enum?: unknown[] };
interface Operation {
  summary: string;
  tags: string[];
  parameters?: { name: string; in: string }[];
  requestBody?: { content: { 'application/json': { schema: Schema } } };
}

const EXAMPLES: Record<string, unknown> = {
  email: 'ada@example.com',
  password: 'a-long-passphrase-42',
  currentPassword: 'a-long-passphrase-42',
  newPassword: 'an-even-longer-passphrase-43',
  content: 'Hello! What can you do?',
  message: 'Hello! What can you do?',
  title: 'My chat',
  systemPrompt: 'You are a helpful assistant.',
};

function example(name: string, schema: Schema): unknown {
  if (name in EXAMPLES) return EXAMPLES[name];
  if (schema.enum) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  if (type === 'object') {
    return Object.fromEntries((schema.required ?? []).map((key) => [key, example(key, schema.properties?.[key] ?? {})]));
  }
  if (type === 'boolean') return true;
  if (type === 'integer' || type === 'number') return 1;
  if (type === 'array') return [];
  if (schema.format === 'uuid') return '00000000-0000-4000-8000-000000000000';
  return '';
}

export function toPostmanCollection(document: { info: { title: string }; paths: Record<string, Record<string, Operation>> }) {
  const folders = new Map<string, object[]>();
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(operations)) {
      const segments = path.replace(/^\//, '').split('/').map((s) => s.replace(/^\{(\w+)\}$/, ':$1'));
      const pathVariables = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => ({ key: p.name, value: '' }));
      const schema = op.requestBody?.content['application/json'].schema;
      const request = {
        method: method.toUpperCase(),
        header: schema ? [{ key: 'Content-Type', value: 'application/json' }] : [],
        url: { raw: `{{baseUrl}}/${segments.join('/')}`, host: ['{{baseUrl}}'], path: segments, variable: pathVariables },
        ...(schema ? { body: { mode: 'raw', raw: JSON.stringify(example('', schema), null, 2), options: { raw: { language: 'json' } } } } : {}),
      };
      const tag = op.tags[0] ?? 'API';
      folders.set(tag, [...(folders.get(tag) ?? []), { name: op.summary, request }]);
    }
  }
  return {
    info: {
      name: document.info.title,
      description: 'Generated from /api/openapi.json by `npm run postman`. Run "Log in" first: Postman keeps the session cookie.',
      schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json',
    },
    variable: [{ key: 'baseUrl', value: 'http://localhost:3000' }],
    item: [...folders].map(([name, item]) => ({ name, item })),
  };
}
