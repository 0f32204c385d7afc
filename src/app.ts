import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import session from 'express-session';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { createAccountRouter } from './auth/account.routes.js';
import { createAuthRouter } from './auth/auth.routes.js';
import { createAuthService } from './auth/auth.service.js';
import { createPassport } from './auth/passport.js';
import type { PasswordHasher } from './auth/password.js';
import { SESSION_COOKIE } from './auth/session-helpers.js';
import type { SessionStore } from './auth/session-store.js';
import { createUsersRepo } from './auth/users.repo.js';
import { createChatsRouter } from './chats/chats.routes.js';
import { createChatsService } from './chats/chats.service.js';
import type { TurnsService } from './chats/turns.service.js';
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import { errorHandler, routeNotFound } from './http/error-handler.js';
import { createHealthRouter } from './http/health.routes.js';
import { webClient } from './http/web-client.js';
import { metricsEndpoint } from './observability/metrics.routes.js';
import type { Metrics } from './observability/metrics.js';
import { createDocsRouter } from './openapi/docs.routes.js';
import { buildOpenApiDocument } from './openapi/document.js';
import { checkOrigin, corsFor, requireJson, securityHeaders } from './http/request-guards.js';
import type { Limits } from './limits/limits.js';
import { IMPORT_PATH, createPortabilityRouter } from './portability/portability.routes.js';
import { createSearchRouter } from './search/search.routes.js';
import { createSharingRouters } from './sharing/sharing.routes.js';
import { createUsageRouter } from './usage/usage.routes.js';
import type { ChatModel } from './llm/chat-model.js';
import { createModelsRouter } from './llm/models.routes.js';

export interface AppDeps {
  config: Config;
  db: Database;
  model: ChatModel;
  /** Owns the replies being generated; built by the composition root so it can drain them on shutdown. */
  turns: TurnsService;
  sessionStore: SessionStore;
  limits: Limits;
  hasher: PasswordHasher;
  logger: Logger;
  metrics: Metrics;
  /** The built web client to serve at /, if any (dist/client). */
  clientDir?: string;
}

const JSON_BODY_LIMIT = '1mb';
const APP_VERSION = '0.1.0';
const REQUEST_ID = /^[\w.-]{1,64}$/;

/** Builds the app without listening, so every test gets a fresh one. */
export function createApp(deps: AppDeps): Express {
  const { config, db, model, turns, sessionStore, limits, hasher, logger, metrics, clientDir } = deps;
  const app = express();
  // Every API router is mounted through here, so the OpenAPI test can list the app's routes.
  const mounts: [string, express.Router][] = (app.locals.mounts = []);
  const mount = (prefix: string, router: express.Router) => {
    mounts.push([prefix, router]);
    app.use(prefix, router);
  };
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
      // Who made the request; a log line never carries a cookie, a password or a session id.
      customProps: (req) => ({ userId: (req as express.Request).user?.id }),
    }),
  );
  app.use(metrics.httpTimer);
  app.use(securityHeaders(config.isProduction));
  app.use(checkOrigin(config.corsOrigins));
  if (config.corsOrigins.length > 0) app.use(corsFor(config.corsOrigins));
  app.use(requireJson);
  const json = express.json({ limit: JSON_BODY_LIMIT });
  app.use((req, res, next) => (req.path === IMPORT_PATH ? next() : json(req, res, next)));

  mount('/api/health', createHealthRouter(db, model));
  const operations = express.Router();
  operations.get('/metrics', metricsEndpoint(metrics, config.metricsToken));
  mount('/', operations);
  mount('/api', createDocsRouter(buildOpenApiDocument({ maxChars: config.chat.messageMaxChars, models: model.models }, APP_VERSION)));

  const users = createUsersRepo(db);
  const passport = createPassport(users, hasher);
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
  app.use(passport.initialize());
  app.use(passport.session());

  const auth = createAuthService(users, hasher);
  mount('/api/auth', createAuthRouter(auth, passport, limits));
  mount('/api/auth', createAccountRouter(auth, sessionStore));
  const chats = createChatsService(db, turns);
  mount('/api/chats', createChatsRouter(chats, turns, limits, config.chat, model.models, metrics));
  mount('/api/models', createModelsRouter(model));
  mount('/api/search', createSearchRouter(db));
  mount('/api/usage', createUsageRouter(db, config.limits.enabled ? config.limits.dailyTokenLimit : 0));
  mount('/api', createPortabilityRouter(db));
  const sharing = createSharingRouters(db, chats);
  mount('/api/chats', sharing.owner);
  mount('/api/shared', sharing.shared);

  const client = clientDir ? webClient(clientDir) : undefined;
  if (client) app.use(client);

  app.use(routeNotFound);
  app.use(errorHandler);
  return app;
}
