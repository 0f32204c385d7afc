import { z } from 'zod';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A string PostgreSQL can store exactly as given: no NUL (text columns cannot hold it), no lone surrogate. */
export const isStorable = (s: string) => !s.includes('\u0000') && !LONE_SURROGATE.test(s);

export const UNSTORABLE_MESSAGE = 'Must not contain NUL characters or unpaired surrogates (invalid UTF-16).';

/** A string PostgreSQL can store as given: refused at the edge (400) rather than failing or being altered later. */
export const storableText = () => z.string().refine(isStorable, UNSTORABLE_MESSAGE);

/** Paths (`a.b.0`) of the strings (values or keys) in `value` that could not be stored exactly. */
export function unstorableStrings(value: unknown, path: string[] = [], found: string[] = []): string[] {
  if (found.length >= 10) return found;
  if (typeof value === 'string') {
    if (!isStorable(value)) found.push(path.join('.'));
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => unstorableStrings(item, [...path, String(i)], found));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (!isStorable(key)) found.push([...path, '(key)'].join('.'));
      else unstorableStrings(item, [...path, key], found);
    }
  }
  return found;
}
