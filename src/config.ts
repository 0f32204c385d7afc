import { z } from 'zod';

/**
 * The only reader of the environment. `loadConfig` is pure (it takes the env as an argument) so tests
 * can build any configuration without touching `process.env`.
 */

// Values that appear in tutorials and examples; a production secret must never be one of them.
const WEAK_SECRETS = new Set([
  'secret',
  'changeme',
  'change-me',
  'keyboard cat',
  'your-secret',
  'your_secret',
  'session-secret',
  'replace-me-with-a-long-random-string',
]);
const MIN_SECRET_LENGTH = 32;

const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);
const optionalString = z.preprocess(emptyAsUndefined, z.string().optional());
const intInRange = (min: number, max: number, fallback: number) =>
  z.preprocess(emptyAsUndefined, z.coerce.number().int().min(min).max(max).default(fallback));

const EnvSchema = z.object({
  NODE_ENV: z.preprocess(emptyAsUndefined, z.enum(['development', 'production', 'test']).default('development')),
  PORT: intInRange(0, 65_535, 3000),
  DATABASE_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// connection URL')
      .optional(),
  ),
  DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default('./data')),
  SESSION_SECRET: optionalString,
  SESSION_IDLE_DAYS: intInRange(1, 365, 7),
  BCRYPT_ROUNDS: intInRange(4, 15, 12),
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/ }).optional()),
  OPENAI_MODEL: z.preprocess(emptyAsUndefined, z.string().min(1).max(200).default('gpt-4o-mini')),
  OPENAI_MODELS: optionalString,
  OPENAI_TIMEOUT_MS: intInRange(1000, 600_000, 60_000),
  OPENAI_MAX_RETRIES: intInRange(0, 10, 2),
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
      .refine((v) => v.toLowerCase() !== 'true', 'must be a hop count or an address list, never "true" (clients could spoof X-Forwarded-For)')
      .optional(),
  ),
  LOG_LEVEL: z.preprocess(
    emptyAsUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
});

export type ModelConfig =
  | { kind: 'openai'; apiKey?: string; baseURL?: string; models: string[]; timeoutMs: number; maxRetries: number }
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
  database: { kind: 'postgres'; url: string } | { kind: 'pglite'; dataDir: string };
  session: { secret: string; secretIsEphemeral: boolean; idleMs: number };
  bcryptRounds: number;
  model: ModelConfig;
  chat: ChatConfig;
  logLevel: string;
  /** Express "trust proxy": false, a hop count, or a list of trusted proxy addresses/subnets. */
  trustProxy: false | number | string[];
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;
const DAY_MS = 24 * 60 * 60 * 1000;

export function loadConfig(env: Env, randomSecret: () => string): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const e = parsed.data;
  const isProduction = e.NODE_ENV === 'production';
  const problems: string[] = [];

  const secretProblem = describeWeakSecret(e.SESSION_SECRET);
  if (isProduction && secretProblem) problems.push(`SESSION_SECRET: ${secretProblem}`);

  const hasModelServer = e.OPENAI_API_KEY !== undefined || e.OPENAI_BASE_URL !== undefined;
  if (isProduction && !hasModelServer) {
    problems.push(
      'OPENAI_API_KEY or OPENAI_BASE_URL: one is required in production (the offline demo model is for development only)',
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);

  return Object.freeze({
    env: e.NODE_ENV,
    isProduction,
    port: e.PORT,
    database: e.DATABASE_URL
      ? { kind: 'postgres' as const, url: e.DATABASE_URL }
      : { kind: 'pglite' as const, dataDir: e.DATA_DIR },
    session: {
      secret: e.SESSION_SECRET ?? randomSecret(),
      secretIsEphemeral: e.SESSION_SECRET === undefined,
      idleMs: e.SESSION_IDLE_DAYS * DAY_MS,
    },
    bcryptRounds: e.BCRYPT_ROUNDS,
    model: hasModelServer
      ? {
          kind: 'openai' as const,
          apiKey: e.OPENAI_API_KEY,
          baseURL: e.OPENAI_BASE_URL,
          models: modelList(e.OPENAI_MODEL, e.OPENAI_MODELS),
          timeoutMs: e.OPENAI_TIMEOUT_MS,
          maxRetries: e.OPENAI_MAX_RETRIES,
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
        perModel: parseContextTokens(e.MODEL_CONTEXT_TOKENS),
        replyReserveTokens: e.REPLY_RESERVE_TOKENS,
      },
    },
    logLevel: e.LOG_LEVEL,
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
  });
}

/** The allow-list of models a chat may use; the default model always comes first. */
function modelList(defaultModel: string, list: string | undefined): string[] {
  const models = (list ?? '').split(',').map((m) => m.trim()).filter(Boolean);
  return [defaultModel, ...models.filter((m) => m !== defaultModel)];
}

function parseContextTokens(value: string | undefined): Record<string, number> {
  const entries = (value ?? '').split(',').filter((pair) => pair.includes('='));
  return Object.fromEntries(entries.map((pair) => pair.split('=').map((p) => p.trim())).map(([k, v]) => [k!, Number(v)]));
}

function parseTrustProxy(value: string | undefined): Config['trustProxy'] {
  if (value === undefined || value.toLowerCase() === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value.split(',').map((part) => part.trim()).filter(Boolean);
}

function describeWeakSecret(secret: string | undefined): string | undefined {
  if (secret === undefined) return 'is required in production (e.g. `openssl rand -base64 48`)';
  if (secret.length < MIN_SECRET_LENGTH) return `must be at least ${MIN_SECRET_LENGTH} characters long`;
  if (WEAK_SECRETS.has(secret.toLowerCase()) || new Set(secret).size < 8) {
    return 'is a well-known or low-entropy value; generate a random one (e.g. `openssl rand -base64 48`)';
  }
  return undefined;
}
