import type { Logger } from 'pino';
import { createAdminService, type AdminService } from './admin/admin.service.js';
import { createAdminRules, type AdminRules } from './auth/admin-rules.js';
import { createAuthService, type AuthService } from './auth/auth.service.js';
import { createOidcClient, type OidcClient } from './auth/oidc-client.js';
import { createPasswordReset, type PasswordReset } from './auth/password-reset.js';
import { createSsoAccounts, type SsoSignIn } from './auth/sso-accounts.js';
import { createMailer } from './mail/mailer.js';
import { createPassport, type PassportInstance } from './auth/passport.js';
import { createPasswordHasher, type PasswordHasher } from './auth/password.js';
import { SessionCache } from './auth/session-cache.js';
import { SessionStore } from './auth/session-store.js';
import { createAttachmentsService, type AttachmentsService } from './attachments/attachments.service.js';
import type { Bus } from './bus/bus.js';
import { openBus } from './bus/open-bus.js';
import { createChatsService, type ChatsService } from './chats/chats.service.js';
import { createFeedbackService, type FeedbackService } from './chats/feedback.js';
import { createTurnsService, type TurnsService } from './chats/turns.service.js';
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import { createHealthService, type HealthService } from './health/health.service.js';
import { openLimits, type Limits } from './limits/limits.js';
import type { ChatModel } from './llm/chat-model.js';
import { createChatModel } from './llm/create-model.js';
import { createModelStatus, type ModelStatus } from './llm/model-status.js';
import { createMemoryRelease, type MemoryRelease, type MemoryReleaseOptions } from './observability/memory-release.js';
import { createMetrics, type Metrics, type ModelCallReport } from './observability/metrics.js';
import { createPortabilityService, type PortabilityService } from './portability/portability.service.js';
import { createSearchService, type SearchService } from './search/search.service.js';
import { createSharingService, type SharingService } from './sharing/sharing.service.js';
import { createUsageService, type UsageService } from './usage/usage.service.js';

/** Everything the app is made of, built once from config and a database. */
export interface Services {
  config: Config;
  db: Database;
  logger: Logger;
  model: ChatModel;
  /** Whether the model server answers (probed at start and by a job). */
  modelStatus: ModelStatus;
  /** Connects the instances (followers, stops) and vouches for each one's liveness. */
  bus: Bus;
  metrics: Metrics;
  /** Gives the heap grown under load back once the process is idle (a job runs it). */
  memory: MemoryRelease;
  sessionStore: SessionStore;
  passport: PassportInstance;
  auth: AuthService;
  /** Who is an admin (ADMIN_EMAILS, the first account) and the last-admin rule. */
  admins: AdminRules;
  admin: AdminService;
  /** Single sign-on (OIDC_ISSUER…), when configured. */
  oidc?: OidcClient;
  ssoSignIn: SsoSignIn;
  /** "Forgot password" by email (SMTP_URL, MAIL_FROM), when configured and passwords are used. */
  passwordReset?: PasswordReset;
  limits: Limits;
  usage: UsageService;
  attachments: AttachmentsService;
  turns: TurnsService;
  chats: ChatsService;
  feedback: FeedbackService;
  search: SearchService;
  sharing: SharingService;
  portability: PortabilityService;
  health: HealthService;
  /** Ends replies in progress (stored as they are, after `graceMs`), closes the bus, limit store and file workers. Not the database. */
  close(graceMs?: number): Promise<void>;
}

export interface ServiceOptions {
  logger: Logger;
  /** Tests wrap the real hasher to watch or slow it. */
  wrapHasher?: (hasher: PasswordHasher) => PasswordHasher;
  /** Tests read the resident size and collect their own way. */
  memory?: Omit<MemoryReleaseOptions, 'idleMs'>;
}

/**
 * THE composition of the app: main and every test build it here, and `createApp` takes what it returns.
 * Nothing here listens or starts a timer (background jobs: src/jobs.ts).
 */
export async function buildServices(config: Config, db: Database, { logger, wrapHasher, memory }: ServiceOptions): Promise<Services> {
  const model = createChatModel(config.model, logger);
  const modelStatus = createModelStatus(model, logger);
  const bus = await openBus(
    db.kind === 'pglite'
      ? { kind: 'local', database: db }
      : {
          kind: 'postgres',
          sessionUrl: config.database.kind === 'postgres' ? config.database.sessionUrl : db.url!,
          redisUrl: config.limits.redisUrl,
        },
    logger,
  );
  const metrics = createMetrics(db);
  const realHasher = await createPasswordHasher(config.bcryptRounds);
  const hasher = wrapHasher ? wrapHasher(realHasher) : realHasher;
  const usage = createUsageService(db, config.limits, config.chat.context.replyReserveTokens);
  const limits = await openLimits(config.limits, db, usage);
  const sessionStore = new SessionStore(db, config.session, new SessionCache(config.session.cacheMs, bus));
  const admins = createAdminRules(db, config.access);
  const { oidc, mail, passwordLogin } = config.access;
  const mailer = mail && passwordLogin ? createMailer(mail) : undefined;
  const auth = createAuthService({ db, access: config.access, admins, hasher, limits, sessions: sessionStore });
  const attachments = createAttachmentsService(db, config.attachments);
  const onModelCall = (report: ModelCallReport) => {
    metrics.modelCall(report);
    modelStatus.recordCall(report);
  };
  const turns = createTurnsService({
    db,
    model,
    bus,
    config: config.chat,
    limits,
    plan: (userId) => auth.plan(userId),
    budget: usage,
    attachments,
    logger,
    onModelCall,
  });
  const chats = createChatsService(db, turns, limits, attachments);

  return {
    config,
    db,
    logger,
    model,
    modelStatus,
    bus,
    metrics,
    memory: createMemoryRelease({ idleMs: config.jobs.memoryReleaseIdleMs, ...memory }),
    sessionStore,
    passport: createPassport(auth),
    auth,
    admins,
    admin: createAdminService({ db, auth, admins, sessions: sessionStore, turns, model }),
    oidc: oidc && createOidcClient(oidc, logger),
    ssoSignIn: createSsoAccounts({ db, access: config.access, admins }),
    passwordReset:
      mailer &&
      createPasswordReset({ db, hasher, limits, sessions: sessionStore, mailer, logger, onMailFailed: () => metrics.mailFailed() }),
    limits,
    usage,
    attachments,
    turns,
    chats,
    feedback: createFeedbackService(db),
    search: createSearchService(db, limits, config.limits.searchTimeoutMs),
    sharing: createSharingService(db, chats, attachments),
    portability: createPortabilityService(chats, limits, model.models, attachments),
    health: createHealthService(db, model, modelStatus, logger),
    async close(graceMs = 0) {
      await turns.drain(graceMs);
      await limits.close();
      await bus.close();
      await attachments.close();
      mailer?.close();
    },
  };
}
