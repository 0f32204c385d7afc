import { isUtf8 } from 'node:buffer';
import express, { type RequestHandler } from 'express';

/** Bytes that are not UTF-8 would be silently replaced by U+FFFD: refused instead (400, see the error handler). */
const refuseInvalidUtf8 = (_req: unknown, _res: unknown, body: Buffer) => {
  if (!isUtf8(body)) throw new Error('invalid UTF-8');
};

/** The JSON body parser every route uses: a size limit, and UTF-8 only. */
export const jsonBody = (limit: string): RequestHandler => express.json({ limit, verify: refuseInvalidUtf8 });
