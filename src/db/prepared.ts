/**
 * Statements on the hot path, prepared once per connection (a named statement): PostgreSQL then skips
 * parsing and planning them at every call (~0.4 ms for the send's one statement). Opt-in, for texts that
 * never vary, so a connection never holds an unbounded number of them.
 */
const names = new Map<string, string>();

export function prepared(name: string, text: string): string {
  names.set(text, name);
  return text;
}

/** The statement's name when `text` was marked with prepared(). */
export const preparedName = (text: string): string | undefined => names.get(text);
