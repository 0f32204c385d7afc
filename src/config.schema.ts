import { z } from 'zod';

/** Every environment variable the app reads, with its type, bounds and default. */

const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);
const optionalString = z.preprocess(emptyAsUndefined, z.string().optional());
const intInRange = (min: number, max: number, fallback: number) =>
  z.preprocess(emptyAsUndefined, z.coerce.number().int().min(min).max(max).default(fallback));

export const EnvSchema = z.object({
  NODE_ENV: z.preprocess(emptyAsUndefined, z.enum(['development', 'production', 'test']).default('development')),
  PORT: intInRange(0, 65_535, 3000),
  DATABASE_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// connection URL')
      .optional(),
  ),
  DATABASE_SESSION_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// connection URL')
      .optional(),
  ),
  DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default('./data')),
  PGLITE_OPTIMIZE: z.preprocess(emptyAsUndefined, z.enum(['memory', 'speed']).default('memory')),
  SESSION_SECRET: optionalString,
  SESSION_IDLE_DAYS: intInRange(1, 365, 7),
  SESSION_ABSOLUTE_DAYS: intInRange(1, 3650, 30),
  SESSION_CACHE_MS: intInRange(0, 10_000, 1000),
  BCRYPT_ROUNDS: intInRange(4, 15, 12),
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/ }).optional()),
  OPENAI_MODEL: z.preprocess(emptyAsUndefined, z.string().min(1).max(200).optional()),
  OPENAI_MODELS: optionalString,
  OPENAI_TIMEOUT_MS: intInRange(1000, 600_000, 60_000),
  OPENAI_MAX_RETRIES: intInRange(0, 10, 2),
  OPENAI_IDLE_TIMEOUT_MS: intInRange(100, 600_000, 30_000),
  MESSAGE_MAX_CHARS: intInRange(1, 1_000_000, 32_000),
  SYSTEM_PROMPT: z.preprocess(emptyAsUndefined, z.string().max(8000).optional()),
  MODEL_CONTEXT_TOKENS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^\s*[^=,\s]+\s*=\s*\d+\s*(,\s*[^=,\s]+\s*=\s*\d+\s*)*$/, 'must look like "model=tokens,model=tokens"')
      .optional(),
  ),
  DEFAULT_CONTEXT_TOKENS: intInRange(256, 10_000_000, 8192),
  REPLY_RESERVE_TOKENS: intInRange(0, 1_000_000, 1024),
  TITLE_MODEL: optionalString,
  ON_DISCONNECT: z.preprocess(emptyAsUndefined, z.enum(['continue', 'abort']).default('continue')),
  SSE_HEARTBEAT_MS: intInRange(100, 600_000, 15_000),
  TRUST_PROXY: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .refine(
        (v) => v.toLowerCase() !== 'true',
        'must be a hop count or an address list, never "true" (clients could spoof X-Forwarded-For)',
      )
      .optional(),
  ),
  CORS_ORIGINS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .refine(
        (v) => v.split(',').every((o) => /^https?:\/\/[^/\s]+$/.test(o.trim())),
        'must be a comma-separated list of origins like https://app.example.com (no path, no trailing slash)',
      )
      .optional(),
  ),
  PUBLIC_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/ }).optional()),
  REDIS_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^rediss?$/ }).optional()),
  REGISTRATION: z.preprocess(emptyAsUndefined, z.enum(['open', 'approval', 'invite', 'closed']).default('open')),
  ADMIN_EMAILS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .refine((v) => v.split(',').every((m) => /^[^@\s,]+@[^@\s,]+$/.test(m.trim())), 'must be a comma-separated list of email addresses')
      .optional(),
  ),
  PASSWORD_LOGIN: z.preprocess(emptyAsUndefined, z.enum(['on', 'off']).default('on')),
  OIDC_ISSUER: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/ }).optional()),
  OIDC_CLIENT_ID: optionalString,
  OIDC_CLIENT_SECRET: optionalString,
  OIDC_NAME: z.preprocess(emptyAsUndefined, z.string().max(60).default('Single sign-on')),
  OIDC_SCOPES: z.preprocess(emptyAsUndefined, z.string().default('openid email profile')),
  OIDC_ALLOWED_DOMAINS: optionalString,
  SMTP_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^smtps?$/ }).optional()),
  MAIL_FROM: optionalString,
  RATE_LIMITS: z.preprocess(emptyAsUndefined, z.enum(['on', 'off']).default('on')),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: intInRange(1, 10_000, 10),
  LOGIN_MAX_FAILURES_PER_IP: intInRange(1, 100_000, 50),
  LOGIN_WINDOW_SECONDS: intInRange(1, 86_400, 900),
  LOGIN_SLOWDOWN_MS: intInRange(0, 10_000, 500),
  REGISTER_PER_IP_PER_HOUR: intInRange(1, 100_000, 20),
  MESSAGES_PER_MINUTE: intInRange(1, 100_000, 20),
  SEARCHES_PER_MINUTE: intInRange(1, 100_000, 30),
  SEARCH_TIMEOUT_MS: intInRange(100, 60_000, 3000),
  CHATS_PER_HOUR: intInRange(1, 100_000, 100),
  IMPORTS_PER_DAY: intInRange(1, 10_000, 10),
  IMPORT_MB_PER_DAY: intInRange(1, 100_000, 100),
  IMPORT_CHATS_PER_DAY: intInRange(1, 1_000_000, 10_000),
  USER_MESSAGES_MB: intInRange(1, 1_000_000, 200),
  UPLOAD_MAX_MB: intInRange(1, 1024, 20),
  USER_STORAGE_MB: intInRange(1, 10_000_000, 500),
  UPLOADS_PER_HOUR: intInRange(1, 100_000, 100),
  FILE_PROCESS_TIMEOUT_MS: intInRange(100, 600_000, 10_000),
  PDF_MAX_PAGES: intInRange(1, 100_000, 500),
  IMAGE_MAX_PIXELS: intInRange(1_000_000, 1_000_000_000, 40_000_000),
  VISION_MODELS: optionalString,
  DAILY_TOKEN_LIMIT: intInRange(0, 1_000_000_000, 200_000),
  METRICS_TOKEN: z.preprocess(emptyAsUndefined, z.string().min(16, 'must be at least 16 characters').optional()),
  SHUTDOWN_GRACE_MS: intInRange(0, 600_000, 10_000),
  WEB_CONCURRENCY: intInRange(1, 64, 1),
  MODEL_PROBE_INTERVAL_SECONDS: intInRange(5, 86_400, 60),
  REQUEST_TIMEOUT_MS: intInRange(1000, 600_000, 30_000),
  KEEP_ALIVE_TIMEOUT_MS: intInRange(1000, 600_000, 65_000),
  TLS_CERT_FILE: optionalString,
  TLS_KEY_FILE: optionalString,
  SESSION_PRUNE_INTERVAL_SECONDS: intInRange(1, 86_400, 900),
  RATE_LIMIT_PRUNE_INTERVAL_SECONDS: intInRange(1, 86_400, 600),
  ORPHAN_SWEEP_INTERVAL_SECONDS: intInRange(1, 3600, 5),
  ATTACHMENT_SWEEP_INTERVAL_SECONDS: intInRange(1, 86_400, 3600),
  MEMORY_RELEASE_IDLE_SECONDS: intInRange(0, 86_400, 10),
  LOG_LEVEL: z.preprocess(emptyAsUndefined, z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
});
