import { isUtf8 } from 'node:buffer';
import express, { type RequestHandler } from 'express';

/** How deep a JSON body may nest: far more than any route takes, far less than a walk over it can bear. */
export const MAX_JSON_DEPTH = 64;

/** An error body-parser passes on with its `type` (see the error handler). */
const refused = (type: string, message: string) => Object.assign(new Error(message), { type, status: 400 });

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Whether the JSON text nests deeper than `max` (strings skipped): one pass over the bytes, no recursion. */
export function nestsDeeperThan(body: Buffer, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (++depth > max) return true;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) depth--;
  }
  return false;
}

/**
 * Checked before parsing: bytes that are not UTF-8 would be silently replaced by U+FFFD (refused
 * instead), and a body nested deeper than MAX_JSON_DEPTH is refused before anything walks it.
 */
const verify = (_req: unknown, _res: unknown, body: Buffer) => {
  if (!isUtf8(body)) throw refused('entity.verify.failed', 'invalid UTF-8');
  if (nestsDeeperThan(body, MAX_JSON_DEPTH)) throw refused('entity.too.deep', 'nested too deeply');
};

/** The JSON body parser every route uses: a size limit, UTF-8 only, and a bounded depth. */
export const jsonBody = (limit: string): RequestHandler => express.json({ limit, verify });
