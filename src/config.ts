import * as parse from './config.parsers.js';
import type { AccessConfig, AttachmentsConfig, JobsConfig } from './config.parsers.js';
import { EnvSchema } from './config.schema.js';

/** The only reader of the environment. `loadConfig` is pure (the env is an argument): tests build any config. */

export type ModelConfig =
  | {
      kind: 'openai';
      apiKey?: string;
      baseURL?: string;
      models: string[];
      /** OPENAI_MODELS=auto: the allow-list is the server's own list (GET /models), refreshed. */
      discover: boolean;
      /** OPENAI_BASE_URL without OPENAI_MODEL: the first model the server lists becomes the default. */
      defaultFromServer: boolean;
      timeoutMs: number;
      maxRetries: number;
      idleTimeoutMs: number;
    }
  | { kind: 'demo' };

export interface ChatConfig {
  messageMaxChars: number;
  /** Used when a chat has no system prompt of its own. */
  systemPrompt?: string;
  /** When set, a short title is asked of this model in the background after a chat's first message. */
  titleModel?: string;
  onDisconnect: 'continue' | 'abort';
  heartbeatMs: number;
  context: { defaultTokens: number; perModel: Record<string, number>; replyReserveTokens: number };
}

export interface Config {
  env: 'development' | 'production' | 'test';
  isProduction: boolean;
  port: number;
  /** The HTTP(S) server's own limits, and TLS when the app serves HTTPS itself. */
  server: { requestTimeoutMs: number; keepAliveTimeoutMs: number; tls?: { certFile: string; keyFile: string } };
  /** `sessionUrl`: a session-mode connection (past a transaction pooler) for the bus and liveness. */
  database: { kind: 'postgres'; url: string; sessionUrl: string } | { kind: 'pglite'; dataDir: string; optimize: 'memory' | 'speed' };
  /** `cacheMs`: how long a session read is trusted in process (revocations reach every instance at once anyway). */
  session: { secret: string; secretIsEphemeral: boolean; idleMs: number; absoluteMs: number; cacheMs: number };
  /** Extra origins allowed to call the API from a browser (CORS, with credentials). */
  corsOrigins: string[];
  /** Where the app is served from (scheme, host, port), for the origin checks; unset: each request's own. */
  publicUrl?: string;
  limits: LimitsConfig;
  /** REGISTRATION and ADMIN_EMAILS. */
  access: AccessConfig;
  /** When set, GET /metrics needs `Authorization: Bearer <token>`. */
  metricsToken?: string;
  shutdownGraceMs: number;
  /** How often each background job runs (src/jobs.ts). */
  jobs: JobsConfig;
  /** Worker processes (node:cluster); more than 1 needs DATABASE_URL. */
  workers: number;
  bcryptRounds: number;
  model: ModelConfig;
  chat: ChatConfig;
  /** Uploads (UPLOAD_MAX_MB, USER_STORAGE_MB) and which models see images (VISION_MODELS). */
  attachments: AttachmentsConfig;
  logLevel: string;
  /** Express "trust proxy": false, a hop count, or a list of trusted proxy addresses/subnets. */
  trustProxy: false | number | string[];
}

export interface LimitsConfig {
  enabled: boolean;
  redisUrl?: string;
  login: { maxFailuresPerAccount: number; maxFailuresPerIp: number; windowMs: number; slowdownMs: number };
  registerPerIpPerHour: number;
  messagesPerMinute: number;
  searchesPerMinute: number;
  searchTimeoutMs: number; // SEARCH_TIMEOUT_MS, its wait for a turn included
  uploadsPerHour: number;
  dailyTokenLimit: number; // 0: no daily budget
  /** What one user may store: chats made per hour, imports per day (count and megabytes), message text kept. */
  storage: { chatsPerHour: number; importsPerDay: number; importMbPerDay: number; importChatsPerDay: number; userMessagesMb: number };
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;
/** OpenAI's default when nothing names a model (and the server cannot be asked). */
const DEFAULT_MODEL = 'gpt-4o-mini';
const DAY_MS = 24 * 60 * 60 * 1000;

export function loadConfig(env: Env, randomSecret: () => string): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const e = parsed.data;
  const isProduction = e.NODE_ENV === 'production';
  const problems: string[] = [];

  const secretProblem = parse.describeWeakSecret(e.SESSION_SECRET);
  if (isProduction && secretProblem) problems.push(`SESSION_SECRET: ${secretProblem}`);

  const hasModelServer = e.OPENAI_API_KEY !== undefined || e.OPENAI_BASE_URL !== undefined;
  if (isProduction && !hasModelServer) {
    problems.push('OPENAI_API_KEY or OPENAI_BASE_URL: one is required in production (the offline demo model is for development only)');
  }
  if (e.WEB_CONCURRENCY > 1 && !e.DATABASE_URL) {
    problems.push('WEB_CONCURRENCY: several workers need DATABASE_URL (the embedded database belongs to one process)');
  }
  if (e.WEB_CONCURRENCY > 1 && !e.SESSION_SECRET) {
    problems.push('WEB_CONCURRENCY: several workers need one SESSION_SECRET (each would otherwise make up its own)');
  }
  if ((e.TLS_CERT_FILE === undefined) !== (e.TLS_KEY_FILE === undefined))
    problems.push('TLS_CERT_FILE and TLS_KEY_FILE: set both or neither');
  problems.push(...parse.accessProblems(e));
  if (problems.length > 0) throw new ConfigError(problems);

  return Object.freeze({
    env: e.NODE_ENV,
    isProduction,
    port: e.PORT,
    server: {
      requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: e.KEEP_ALIVE_TIMEOUT_MS,
      tls: e.TLS_CERT_FILE && e.TLS_KEY_FILE ? { certFile: e.TLS_CERT_FILE, keyFile: e.TLS_KEY_FILE } : undefined,
    },
    database: e.DATABASE_URL
      ? { kind: 'postgres' as const, url: e.DATABASE_URL, sessionUrl: e.DATABASE_SESSION_URL ?? e.DATABASE_URL }
      : { kind: 'pglite' as const, dataDir: e.DATA_DIR, optimize: e.PGLITE_OPTIMIZE },
    session: {
      secret: e.SESSION_SECRET ?? randomSecret(),
      secretIsEphemeral: e.SESSION_SECRET === undefined,
      idleMs: e.SESSION_IDLE_DAYS * DAY_MS,
      absoluteMs: e.SESSION_ABSOLUTE_DAYS * DAY_MS,
      cacheMs: e.SESSION_CACHE_MS,
    },
    metricsToken: e.METRICS_TOKEN,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    jobs: parse.jobsConfig(e),
    workers: e.WEB_CONCURRENCY,
    publicUrl: e.PUBLIC_URL,
    access: parse.accessConfig(e),
    corsOrigins: parse.commaList(e.CORS_ORIGINS),
    limits: {
      enabled: e.RATE_LIMITS === 'on',
      redisUrl: e.REDIS_URL,
      login: {
        maxFailuresPerAccount: e.LOGIN_MAX_FAILURES_PER_ACCOUNT,
        maxFailuresPerIp: e.LOGIN_MAX_FAILURES_PER_IP,
        windowMs: e.LOGIN_WINDOW_SECONDS * 1000,
        slowdownMs: e.LOGIN_SLOWDOWN_MS,
      },
      registerPerIpPerHour: e.REGISTER_PER_IP_PER_HOUR,
      messagesPerMinute: e.MESSAGES_PER_MINUTE,
      searchesPerMinute: e.SEARCHES_PER_MINUTE,
      searchTimeoutMs: e.SEARCH_TIMEOUT_MS,
      uploadsPerHour: e.UPLOADS_PER_HOUR,
      dailyTokenLimit: e.DAILY_TOKEN_LIMIT,
      storage: {
        chatsPerHour: e.CHATS_PER_HOUR,
        importsPerDay: e.IMPORTS_PER_DAY,
        importMbPerDay: e.IMPORT_MB_PER_DAY,
        importChatsPerDay: e.IMPORT_CHATS_PER_DAY,
        userMessagesMb: e.USER_MESSAGES_MB,
      },
    },
    bcryptRounds: e.BCRYPT_ROUNDS,
    model: hasModelServer
      ? {
          kind: 'openai' as const,
          apiKey: e.OPENAI_API_KEY,
          baseURL: e.OPENAI_BASE_URL,
          models: parse.modelList(e.OPENAI_MODEL ?? DEFAULT_MODEL, e.OPENAI_MODELS === 'auto' ? undefined : e.OPENAI_MODELS),
          discover: e.OPENAI_MODELS === 'auto',
          defaultFromServer: e.OPENAI_MODEL === undefined && e.OPENAI_BASE_URL !== undefined,
          timeoutMs: e.OPENAI_TIMEOUT_MS,
          maxRetries: e.OPENAI_MAX_RETRIES,
          idleTimeoutMs: e.OPENAI_IDLE_TIMEOUT_MS,
        }
      : { kind: 'demo' as const },
    chat: {
      messageMaxChars: e.MESSAGE_MAX_CHARS,
      systemPrompt: e.SYSTEM_PROMPT,
      titleModel: e.TITLE_MODEL,
      onDisconnect: e.ON_DISCONNECT,
      heartbeatMs: e.SSE_HEARTBEAT_MS,
      context: {
        defaultTokens: e.DEFAULT_CONTEXT_TOKENS,
        perModel: parse.parseContextTokens(e.MODEL_CONTEXT_TOKENS),
        replyReserveTokens: e.REPLY_RESERVE_TOKENS,
      },
    },
    attachments: parse.attachmentsConfig(e),
    logLevel: e.LOG_LEVEL,
    trustProxy: parse.parseTrustProxy(e.TRUST_PROXY),
  });
}
