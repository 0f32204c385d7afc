import { z } from 'zod';

/**
 * A string PostgreSQL can store as given: text columns cannot hold NUL, so it is refused at the edge
 * (400) rather than failing in the database (500).
 */
export const storableText = () => z.string().refine((s) => !s.includes('\u0000'), 'Must not contain NUL characters.');
