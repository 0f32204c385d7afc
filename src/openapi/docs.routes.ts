import { createRequire } from 'node:module';
import path from 'node:path';
import express, { type RequestHandler } from 'express';
import { routeFor } from '../http/route.js';

const require = createRequire(import.meta.url);
const SWAGGER_UI_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>gpt-backend API</title>
    <link rel="stylesheet" href="/api/docs/assets/swagger-ui.css" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/api/docs/assets/swagger-ui-bundle.js"></script>
    <script src="/api/docs/init.js"></script>
  </body>
</html>`;

const INIT = `window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#swagger-ui', withCredentials: true, tryItOutEnabled: true });`;

// Swagger UI styles some elements inline; everything else keeps the app's strict policy.
const DOCS_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

const route = routeFor<{ openApiDocument: object }>();
const docs = { tag: 'Operations', auth: false, sessionless: true, responses: { 200: undefined } } as const;

/** GET /api/openapi.json and the interactive docs (Swagger UI) at /api/docs. */
export const docsRoutes = [
  route({
    ...docs,
    method: 'get',
    path: '/api/openapi.json',
    summary: 'This document',
    handle: ({ deps, res }) => void res.json(deps.openApiDocument),
  }),
  route({
    ...docs,
    method: 'get',
    path: '/api/docs',
    summary: 'Interactive API docs',
    handle: ({ res }) => void res.set('Content-Security-Policy', DOCS_CSP).type('html').send(PAGE),
  }),
  route({
    ...docs,
    method: 'get',
    path: '/api/docs/init.js',
    summary: 'Script of the docs page',
    handle: ({ res }) => void res.type('application/javascript').send(INIT),
  }),
];

/** Swagger UI's own files (static assets, not API routes). */
export const swaggerAssets = (): [string, RequestHandler] => [
  '/api/docs/assets',
  express.static(SWAGGER_UI_DIR, { maxAge: '1d', fallthrough: false }),
];
