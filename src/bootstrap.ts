import { randomBytes } from 'node:crypto';
import dotenv from 'dotenv';
import { ConfigError, loadConfig, type Config } from './config.js';

/** Loads `.env` (never overriding the real environment) and validates it, exiting with a clear message. */
export function loadConfigOrExit(): Config {
  dotenv.config({ quiet: true });
  try {
    return loadConfig(process.env, () => randomBytes(48).toString('base64'));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`${err.message}\nSee the configuration table in docs/configuration.md, or copy .env.example to .env.`);
    process.exit(1);
  }
}
