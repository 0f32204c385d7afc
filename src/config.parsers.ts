import type { Config } from './config.js';

/** The parsers of loadConfig's composite values (src/config.ts). */

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

/** The allow-list of models a chat may use; the default model always comes first. */
export function modelList(defaultModel: string, list: string | undefined): string[] {
  const models = (list ?? '')
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  return [defaultModel, ...models.filter((m) => m !== defaultModel)];
}

export function parseContextTokens(value: string | undefined): Record<string, number> {
  const entries = (value ?? '').split(',').filter((pair) => pair.includes('='));
  return Object.fromEntries(entries.map((pair) => pair.split('=').map((p) => p.trim())).map(([k, v]) => [k!, Number(v)]));
}

export function parseTrustProxy(value: string | undefined): Config['trustProxy'] {
  if (value === undefined || value.toLowerCase() === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
}

export function describeWeakSecret(secret: string | undefined): string | undefined {
  if (secret === undefined) return 'is required in production (e.g. `openssl rand -base64 48`)';
  if (secret.length < MIN_SECRET_LENGTH) return `must be at least ${MIN_SECRET_LENGTH} characters long`;
  if (WEAK_SECRETS.has(secret.toLowerCase()) || new Set(secret).size < 8) {
    return 'is a well-known or low-entropy value; generate a random one (e.g. `openssl rand -base64 48`)';
  }
  return undefined;
}

export interface AttachmentsConfig {
  uploadMaxBytes: number;
  userStorageBytes: number;
  /** FILE_PROCESS_TIMEOUT_MS, PDF_MAX_PAGES, IMAGE_MAX_PIXELS: the bounds of a file's work (see file-work.ts). */
  processing: { timeoutMs: number; maxPages: number; maxPixels: number };
  /** Models that take images: names, or prefixes ending in `*` (`*` alone: every model). */
  visionModels: string[];
}

/** OpenAI's models that accept images (VISION_MODELS' default). */
export const KNOWN_VISION_MODELS = 'gpt-4o*,chatgpt-4o*,gpt-4.1*,gpt-4.5*,gpt-4-turbo*,gpt-5*,o1,o1-2*,o3,o3-2*,o3-pro*,o4-mini*';

export const attachmentsConfig = (e: {
  UPLOAD_MAX_MB: number;
  USER_STORAGE_MB: number;
  VISION_MODELS?: string;
  FILE_PROCESS_TIMEOUT_MS: number;
  PDF_MAX_PAGES: number;
  IMAGE_MAX_PIXELS: number;
}): AttachmentsConfig => ({
  uploadMaxBytes: e.UPLOAD_MAX_MB * 1024 * 1024,
  userStorageBytes: e.USER_STORAGE_MB * 1024 * 1024,
  processing: { timeoutMs: e.FILE_PROCESS_TIMEOUT_MS, maxPages: e.PDF_MAX_PAGES, maxPixels: e.IMAGE_MAX_PIXELS },
  visionModels: commaList(e.VISION_MODELS ?? KNOWN_VISION_MODELS),
});

/** A comma-separated list, trimmed, without empty entries. */
export const commaList = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

export interface JobsConfig {
  sessionPruneMs: number;
  rateLimitPruneMs: number;
  orphanSweepMs: number;
  modelProbeMs: number;
  attachmentSweepMs: number;
  /** Idle time after which the heap grown under load is given back (src/observability/memory-release.ts); 0: never. */
  memoryReleaseIdleMs: number;
}

type JobIntervals = Record<
  | 'SESSION_PRUNE_INTERVAL_SECONDS'
  | 'RATE_LIMIT_PRUNE_INTERVAL_SECONDS'
  | 'ORPHAN_SWEEP_INTERVAL_SECONDS'
  | 'MODEL_PROBE_INTERVAL_SECONDS'
  | 'ATTACHMENT_SWEEP_INTERVAL_SECONDS'
  | 'MEMORY_RELEASE_IDLE_SECONDS',
  number
>;

/** How often each background job runs (src/jobs.ts), from its *_INTERVAL_SECONDS. */
export const jobsConfig = (e: JobIntervals): JobsConfig => ({
  sessionPruneMs: e.SESSION_PRUNE_INTERVAL_SECONDS * 1000,
  rateLimitPruneMs: e.RATE_LIMIT_PRUNE_INTERVAL_SECONDS * 1000,
  orphanSweepMs: e.ORPHAN_SWEEP_INTERVAL_SECONDS * 1000,
  modelProbeMs: e.MODEL_PROBE_INTERVAL_SECONDS * 1000,
  attachmentSweepMs: e.ATTACHMENT_SWEEP_INTERVAL_SECONDS * 1000,
  memoryReleaseIdleMs: e.MEMORY_RELEASE_IDLE_SECONDS * 1000,
});

/** Who may sign up and how people sign in: REGISTRATION, ADMIN_EMAILS, PASSWORD_LOGIN, OpenID Connect, mail. */
export interface AccessConfig {
  registration: 'open' | 'approval' | 'invite' | 'closed';
  /** Lower-cased. */
  adminEmails: string[];
  passwordLogin: boolean;
  oidc?: { issuer: string; clientId: string; clientSecret: string; name: string; scopes: string; allowedDomains: string[] };
  /** SMTP_URL and MAIL_FROM: password reset by email. */
  mail?: { smtpUrl: string; from: string };
}

interface AccessEnv {
  NODE_ENV: string;
  REGISTRATION: AccessConfig['registration'];
  ADMIN_EMAILS?: string;
  PASSWORD_LOGIN: 'on' | 'off';
  OIDC_ISSUER?: string;
  OIDC_CLIENT_ID?: string;
  OIDC_CLIENT_SECRET?: string;
  OIDC_NAME: string;
  OIDC_SCOPES: string;
  OIDC_ALLOWED_DOMAINS?: string;
  SMTP_URL?: string;
  MAIL_FROM?: string;
}

/** What is wrong with the sign-in settings (loadConfig refuses to start on any). */
export function accessProblems(e: AccessEnv): string[] {
  const problems: string[] = [];
  const oidcSet = [e.OIDC_ISSUER, e.OIDC_CLIENT_ID, e.OIDC_CLIENT_SECRET].filter((v) => v !== undefined).length;
  if (oidcSet !== 0 && oidcSet !== 3)
    problems.push('OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET: set all three (single sign-on) or none');
  if (e.OIDC_ISSUER?.startsWith('http:') && e.NODE_ENV === 'production')
    problems.push('OIDC_ISSUER: must be an https:// URL in production');
  if (e.PASSWORD_LOGIN === 'off' && oidcSet !== 3)
    problems.push('PASSWORD_LOGIN=off: needs single sign-on (OIDC_ISSUER…), or nobody could sign in');
  if ((e.SMTP_URL === undefined) !== (e.MAIL_FROM === undefined))
    problems.push('SMTP_URL and MAIL_FROM: set both (password reset by email) or neither');
  return problems;
}

export const accessConfig = (e: AccessEnv): AccessConfig => ({
  registration: e.REGISTRATION,
  adminEmails: commaList(e.ADMIN_EMAILS).map((m) => m.toLowerCase()),
  passwordLogin: e.PASSWORD_LOGIN === 'on',
  oidc:
    e.OIDC_ISSUER && e.OIDC_CLIENT_ID && e.OIDC_CLIENT_SECRET
      ? {
          issuer: e.OIDC_ISSUER,
          clientId: e.OIDC_CLIENT_ID,
          clientSecret: e.OIDC_CLIENT_SECRET,
          name: e.OIDC_NAME,
          scopes: e.OIDC_SCOPES,
          allowedDomains: commaList(e.OIDC_ALLOWED_DOMAINS).map((d) => d.toLowerCase().replace(/^@/, '')),
        }
      : undefined,
  mail: e.SMTP_URL && e.MAIL_FROM ? { smtpUrl: e.SMTP_URL, from: e.MAIL_FROM } : undefined,
});
