import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { EnvSchema } from '../../src/config.schema.js';
import { ROOT } from '../helpers/processes.js';

/**
 * compose.yaml, checked without a Docker engine: against the Compose Specification's JSON schema (as
 * shipped by dclint), and for what the app service would get from a `.env` file, with Compose's
 * interpolation rules applied here.
 */

const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
const compose = parse(read('compose.yaml')) as {
  services: Record<
    string,
    { environment?: Record<string, string>; env_file?: { path: string; required?: boolean }[]; extra_hosts?: string[]; profiles?: string[] }
  >;
};
const app = compose.services.app!;

/** What Compose sets itself, on purpose, over `.env` (listed in compose.yaml's header comment). */
const DECIDED_BY_COMPOSE = ['NODE_ENV', 'PORT', 'DATABASE_URL', 'TRUST_PROXY', 'PUBLIC_URL'];

/** Compose's variable interpolation: `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`, `$$`. */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(/\$\$|\$\{(\w+)(?:(:?)([-?])([^}]*))?\}/g, (match, name?: string, colon?: string, op?: string, arg?: string) => {
    if (match === '$$') return '$';
    const set = name! in env && (colon !== ':' || env[name!] !== '');
    if (set) return env[name!]!;
    if (op === '?') throw new Error(`compose would stop: ${arg}`);
    return arg ?? '';
  });
}

/** The environment the app container gets with this `.env`: env_file first, then `environment:` over it. */
function appEnvironment(dotenv: Record<string, string>): Record<string, string> {
  const fromFile = app.env_file?.some((f) => f.path === '.env') ? dotenv : {};
  const fixed = Object.fromEntries(Object.entries(app.environment ?? {}).map(([key, value]) => [key, interpolate(String(value), dotenv)]));
  return { ...fromFile, ...fixed };
}

/** Settings a document lists in its tables (a backticked UPPER_SNAKE name in a row's first cell). */
function documentedSettings(file: string): string[] {
  const names = read(file)
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...line.split('|')[1]!.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!));
  return [...new Set(names)];
}

const REQUIRED = { SESSION_SECRET: 's'.repeat(48), POSTGRES_PASSWORD: 'pw0123456789' };

describe('compose.yaml', () => {
  it('is valid against the Compose Specification (JSON schema)', () => {
    const require = createRequire(import.meta.url);
    const schemaFile = path.join(path.dirname(require.resolve('dclint/package.json')), 'schemas', 'compose.schema.json');
    // A draft-07 schema (Ajv's own draft), whose `$schema` spells the meta-schema's URL in a way Ajv does not know.
    const { $schema: _draft, ...schema } = JSON.parse(fs.readFileSync(schemaFile, 'utf8')) as Record<string, unknown>;
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    const validate = ajv.compile(schema);
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    // …and the check has teeth: a misspelt key is refused.
    expect(validate({ services: { app: { imagee: 'x' } } })).toBe(false);
  });

  it('passes every documented setting from .env to the app, forcing no model', () => {
    const documented = [...documentedSettings('README.md'), ...documentedSettings('docs/configuration.md')];
    expect(documented).toContain('OPENAI_MODELS');
    const dotenv: Record<string, string> = { ...REQUIRED, ...Object.fromEntries(documented.map((name) => [name, `value-of-${name}`])) };
    const env = appEnvironment(dotenv);
    for (const name of documented.filter((n) => !DECIDED_BY_COMPOSE.includes(n))) expect(env[name], name).toBe(dotenv[name]);
    // Nothing chooses a model for the user: without OPENAI_MODEL in .env, the app gets none.
    expect(appEnvironment(REQUIRED).OPENAI_MODEL).toBeUndefined();
    expect(appEnvironment(REQUIRED)).toMatchObject({
      NODE_ENV: 'production',
      PORT: '3000',
      TRUST_PROXY: '1',
      PUBLIC_URL: 'https://localhost',
      DATABASE_URL: 'postgres://gpt:pw0123456789@postgres:5432/gpt_backend',
    });
    expect(appEnvironment({ ...REQUIRED, DOMAIN: 'chat.example.com' }).PUBLIC_URL).toBe('https://chat.example.com');
  });

  it('documents every setting the app reads', () => {
    const documented = documentedSettings('docs/configuration.md');
    expect(Object.keys(EnvSchema.shape).filter((name) => !documented.includes(name))).toEqual([]);
  });

  it('takes the database password and the session secret from .env, and says which is missing', () => {
    expect(() => appEnvironment({ SESSION_SECRET: REQUIRED.SESSION_SECRET })).toThrow(/POSTGRES_PASSWORD/);
    expect(() => appEnvironment({ POSTGRES_PASSWORD: REQUIRED.POSTGRES_PASSWORD })).toThrow(/SESSION_SECRET/);
    const postgres = compose.services.postgres!.environment!;
    expect(interpolate(postgres.POSTGRES_PASSWORD!, REQUIRED)).toBe(REQUIRED.POSTGRES_PASSWORD);
  });

  it('reaches a model on the host (host.docker.internal), or Ollama beside it as a profile', () => {
    expect(app.extra_hosts).toContain('host.docker.internal:host-gateway');
    expect(compose.services.ollama?.profiles).toEqual(['ollama']);
    expect(read('compose.yaml')).toContain('OPENAI_BASE_URL=http://host.docker.internal:11434/v1');
  });
});
