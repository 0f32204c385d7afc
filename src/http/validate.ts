import type { Request } from 'express';
import { z } from 'zod';
import { ValidationError } from './errors.js';
import { UNSTORABLE_MESSAGE, unstorableStrings } from './text.js';

export interface InputSchemas {
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
}

export type Parsed<S extends InputSchemas> = {
  [K in keyof S]: S[K] extends z.ZodType ? z.output<S[K]> : never;
};

const PARTS = ['params', 'query', 'body'] as const;

/**
 * Validates the request at the edge and returns typed input. One rule for every string a client sends
 * (path, query, body, described or not): no NUL and no unpaired surrogate. Every part not described by
 * a schema is otherwise ignored; every part that is must match, or the client gets one 400 listing all
 * problems.
 */
export function parseInput<S extends InputSchemas>(schemas: S, req: Request): Parsed<S> {
  const input: Record<string, unknown> = {};
  const details: { location: string; path: string; message: string }[] = [];
  for (const part of PARTS) {
    for (const path of unstorableStrings(req[part])) details.push({ location: part, path, message: UNSTORABLE_MESSAGE });
  }
  for (const part of PARTS) {
    const schema = schemas[part];
    if (!schema) continue;
    const result = schema.safeParse(req[part] ?? (part === 'body' ? undefined : {}));
    if (result.success) {
      input[part] = result.data;
    } else {
      for (const issue of result.error.issues) {
        details.push({ location: part, path: issue.path.join('.'), message: issue.message });
      }
    }
  }
  if (details.length > 0) {
    const first = details[0]!;
    const where = first.path ? `${first.location}.${first.path}` : first.location;
    throw new ValidationError(`Invalid request: ${where}: ${first.message}`, details);
  }
  return input as Parsed<S>;
}
