import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

const random = () => 'generated-random-secret';
const STRONG_SECRET = 'Zq8v3NfT1xL0pR7yK2mW9sB4hJ6dG5cE';

describe('loadConfig', () => {
  it('has working defaults for development', () => {
    const config = loadConfig({}, random);
    expect(config.env).toBe('development');
    expect(config.port).toBe(3000);
    expect(config.database).toEqual({ kind: 'pglite', dataDir: './data', optimize: 'memory' });
    expect(config.bcryptRounds).toBe(12);
    expect(config.chat.messageMaxChars).toBe(32_000);
    expect(config.model).toEqual({ kind: 'demo' });
    expect(config.session).toMatchObject({ secret: 'generated-random-secret', secretIsEphemeral: true });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('takes sign-in settings only whole: the three OIDC ones together, SMTP_URL with MAIL_FROM, PASSWORD_LOGIN=off only with SSO', () => {
    const oidc = { OIDC_ISSUER: 'https://idp.example', OIDC_CLIENT_ID: 'app', OIDC_CLIENT_SECRET: 'secret' };
    expect(loadConfig({ ...oidc, OIDC_ALLOWED_DOMAINS: 'Corp.example, @b.example' }, random).access.oidc).toEqual({
      issuer: 'https://idp.example',
      clientId: 'app',
      clientSecret: 'secret',
      name: 'Single sign-on',
      scopes: 'openid email profile',
      allowedDomains: ['corp.example', 'b.example'],
    });
    expect(() => loadConfig({ OIDC_ISSUER: 'https://idp.example', OIDC_CLIENT_ID: 'app' }, random)).toThrow(/set all three/);
    expect(() => loadConfig({ PASSWORD_LOGIN: 'off' }, random)).toThrow(/PASSWORD_LOGIN=off: needs single sign-on/);
    expect(loadConfig({ ...oidc, PASSWORD_LOGIN: 'off' }, random).access.passwordLogin).toBe(false);
    expect(() => loadConfig({ SMTP_URL: 'smtp://mail.example:587' }, random)).toThrow(/SMTP_URL and MAIL_FROM/);
    expect(() => loadConfig({ SMTP_URL: 'http://mail.example', MAIL_FROM: 'a@b.example' }, random)).toThrow(/SMTP_URL/);
    const production = { NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(20) + 'Yz9-Qk3_Lm7#Pw2!Rt5', OPENAI_API_KEY: 'sk-x' };
    expect(() => loadConfig({ ...production, ...oidc, OIDC_ISSUER: 'http://idp.example' }, random)).toThrow(/https:\/\/ URL in production/);
  });

  it('uses PostgreSQL when DATABASE_URL is set', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u@db:5432/app' }, random);
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgres://u@db:5432/app', sessionUrl: 'postgres://u@db:5432/app' });
  });

  it('compiles the embedded database for memory unless PGLITE_OPTIMIZE=speed', () => {
    expect(loadConfig({ PGLITE_OPTIMIZE: 'speed' }, random).database).toMatchObject({ kind: 'pglite', optimize: 'speed' });
    expect(() => loadConfig({ PGLITE_OPTIMIZE: 'fast' }, random)).toThrow(/PGLITE_OPTIMIZE/);
  });

  it('opens the bus and liveness session through DATABASE_SESSION_URL when set (past a transaction pooler)', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u@pooler:6432/app', DATABASE_SESSION_URL: 'postgres://u@db:5432/app' }, random);
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgres://u@pooler:6432/app', sessionUrl: 'postgres://u@db:5432/app' });
    expect(() => loadConfig({ DATABASE_SESSION_URL: 'mysql://x' }, random)).toThrow(/DATABASE_SESSION_URL/);
  });

  it('accepts a base URL without a key (local model servers need none)', () => {
    const config = loadConfig({ OPENAI_BASE_URL: 'http://localhost:11434/v1', OPENAI_MODEL: 'llama3.2' }, random);
    expect(config.model).toMatchObject({ kind: 'openai', baseURL: 'http://localhost:11434/v1', models: ['llama3.2'] });
    expect(config.model.kind === 'openai' && config.model.apiKey).toBeUndefined();
  });

  it('treats empty values as unset', () => {
    const config = loadConfig({ OPENAI_API_KEY: '', DATABASE_URL: '', PORT: '' }, random);
    expect(config.model).toEqual({ kind: 'demo' });
    expect(config.database.kind).toBe('pglite');
    expect(config.port).toBe(3000);
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL/],
    [{ OPENAI_BASE_URL: 'not a url' }, /OPENAI_BASE_URL/],
    [{ BCRYPT_ROUNDS: '3' }, /BCRYPT_ROUNDS/],
    [{ TRUST_PROXY: 'true' }, /TRUST_PROXY/],
  ])('rejects %o with a message naming the variable', (env, pattern) => {
    expect(() => loadConfig(env, random)).toThrow(pattern);
  });

  describe('in production', () => {
    const base = { NODE_ENV: 'production', OPENAI_API_KEY: 'sk-x', SESSION_SECRET: STRONG_SECRET };

    it('starts with a strong secret and a model server', () => {
      const config = loadConfig(base, random);
      expect(config.isProduction).toBe(true);
      expect(config.session).toMatchObject({ secret: STRONG_SECRET, secretIsEphemeral: false });
    });

    it.each([
      ['missing', undefined],
      ['too short', 'short-secret'],
      ['a well-known value', 'replace-me-with-a-long-random-string'],
      ['low entropy', 'a'.repeat(40)],
    ])('refuses a SESSION_SECRET that is %s', (_name, secret) => {
      expect(() => loadConfig({ ...base, SESSION_SECRET: secret }, random)).toThrow(ConfigError);
      expect(() => loadConfig({ ...base, SESSION_SECRET: secret }, random)).toThrow(/SESSION_SECRET/);
    });

    it('refuses to start with the offline demo model', () => {
      expect(() => loadConfig({ ...base, OPENAI_API_KEY: undefined }, random)).toThrow(/OPENAI_API_KEY or OPENAI_BASE_URL/);
    });
  });

  it('parses TRUST_PROXY as a hop count or an address list', () => {
    expect(loadConfig({ TRUST_PROXY: '1' }, random).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }, random).trustProxy).toEqual(['loopback', '10.0.0.0/8']);
    expect(loadConfig({}, random).trustProxy).toBe(false);
  });
});
