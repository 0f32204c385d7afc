import express, { type Express } from 'express';
import session from 'express-session';
import { SESSION_COOKIE } from './auth/session-helpers.js';
import { isDatabaseOutage } from './db/outage.js';
import { errorHandler, routeNotFound } from './http/error-handler.js';
import { databaseUnavailable } from './http/errors.js';
import { jsonBody } from './http/json-body.js';
import { checkOrigin, corsFor, requireJson, requireWellFormedUrl, securityHeaders } from './http/request-guards.js';
import { requestLog } from './http/request-log.js';
import { routerFor } from './http/route.js';
import { webClient } from './http/web-client.js';
import { swaggerAssets } from './openapi/docs.routes.js';
import { buildOpenApiDocument } from './openapi/document.js';
import { apiRoutes } from './routes.js';
import type { Services } from './services.js';
import { APP_VERSION } from './version.js';
import { useTrustedProtocol } from './http/trusted-protocol.js';

export interface AppOptions {
  /** The built web client to serve at /, if any (dist/client). */
  clientDir?: string;
}

const JSON_BODY_LIMIT = '1mb';

/** Builds the app from the services (src/services.ts) without listening, so every test gets a fresh one. */
export function createApp(services: Services, { clientDir }: AppOptions = {}): Express {
  const { config, logger, metrics, sessionStore, passport, model } = services;
  const routes = apiRoutes({
    maxChars: config.chat.messageMaxChars,
    models: model.models,
    uploadMaxBytes: config.attachments.uploadMaxBytes,
  });
  const deps = { ...services, openApiDocument: buildOpenApiDocument(routes, APP_VERSION) };
  const app = express();
  app.set('trust proxy', config.trustProxy);
  useTrustedProtocol(app);

  // Whether anything runs or streams (the memory release waits for a quiet spell).
  app.use(services.memory.activity);
  // Who made the request is known when it ends; a log line never carries a cookie, a password or a session id.
  app.use(requestLog(app, logger, (req) => req.user?.id));
  app.use(metrics.httpTimer);
  app.use(securityHeaders(config.isProduction));
  app.use(checkOrigin(config.corsOrigins, config.publicUrl));
  if (config.corsOrigins.length > 0) app.use(corsFor(config.corsOrigins));
  app.use(requireWellFormedUrl);
  app.use(requireJson(new Set(routes.filter((r) => r.upload).map((r) => r.path))));
  // Routes with a larger body limit (imports; fixed paths) parse their own body, after the auth check.
  const ownBodyLimit = new Set(routes.filter((r) => r.bodyLimit).map((r) => r.path));
  const json = jsonBody(JSON_BODY_LIMIT);
  app.use((req, res, next) => (ownBodyLimit.has(req.path) ? next() : json(req, res, next)));

  // Health, docs and metrics answer without reading the session (so with the database down, too).
  app.use(
    routerFor(
      routes.filter((r) => r.sessionless),
      deps,
    ),
  );
  app.use(...swaggerAssets());

  app.use(
    session({
      name: SESSION_COOKIE,
      store: sessionStore,
      secret: config.session.secret,
      resave: false,
      saveUninitialized: false,
      // The idle timeout slides with activity; the store throttles the writes this would cause.
      rolling: true,
      cookie: { httpOnly: true, sameSite: 'lax', secure: config.isProduction, maxAge: config.session.idleMs },
    }),
  );
  // compat: false: no `req._passport`, which only strategies written for passport 0.4 read.
  app.use(passport.initialize({ compat: false }));
  app.use(passport.session());
  app.use(
    routerFor(
      routes.filter((r) => !r.sessionless),
      deps,
    ),
  );

  const client = clientDir ? webClient(clientDir) : undefined;
  if (client) app.use(client);

  app.use(routeNotFound);
  app.use(errorHandler([(err) => (isDatabaseOutage(err) ? databaseUnavailable() : undefined)]));
  return app;
}
