import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import session from 'express-session';
import { pinoHttp } from 'pino-http';
import { SESSION_COOKIE } from './auth/session-helpers.js';
import { isDatabaseOutage } from './db/outage.js';
import { errorHandler, routeNotFound } from './http/error-handler.js';
import { databaseUnavailable } from './http/errors.js';
import { jsonBody } from './http/json-body.js';
import { checkOrigin, corsFor, requireJson, requireWellFormedUrl, securityHeaders } from './http/request-guards.js';
import { routerFor } from './http/route.js';
import { webClient } from './http/web-client.js';
import { swaggerAssets } from './openapi/docs.routes.js';
import { buildOpenApiDocument } from './openapi/document.js';
import { apiRoutes } from './routes.js';
import type { Services } from './services.js';
import { APP_VERSION } from './version.js';

export interface AppOptions {
  /** The built web client to serve at /, if any (dist/client). */
  clientDir?: string;
}

const JSON_BODY_LIMIT = '1mb';
const REQUEST_ID = /^[\w.-]{1,64}$/;

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

  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      // A request's logger binds its id only; the request itself is serialised into its one line when it
      // ends. Binding the request to the logger (pino-http's default) builds two child loggers and a
      // serialised copy of the headers per request, held as long as the response: an open stream's.
      quietReqLogger: true,
      quietResLogger: true,
      customSuccessObject: (req, _res, fields: object) => ({ req, ...fields }),
      customErrorObject: (req, _res, _err, fields: object) => ({ req, ...fields }),
      // Who made the request (known when it ends); a log line never carries a cookie, a password or a
      // session id.
      customProps: (req) => {
        const userId = (req as express.Request).user?.id;
        return userId ? { userId } : {};
      },
    }),
  );
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
