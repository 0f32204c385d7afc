export const TITLE_MAX_CHARS = 80;

/**
 * A chat title from its first message: whitespace collapsed, trimmed, and cut at a word boundary to
 * at most 80 characters (code points, so an emoji is never split). A single word longer than that
 * is cut hard.
 */
export function titleFromMessage(content: string): string {
  const chars = [...content.replace(/\s+/gu, ' ').trim()];
  if (chars.length <= TITLE_MAX_CHARS) return chars.join('');
  const head = chars.slice(0, TITLE_MAX_CHARS + 1).join('');
  const lastSpace = head.lastIndexOf(' ');
  if (lastSpace > 0) return head.slice(0, lastSpace).trimEnd();
  return chars.slice(0, TITLE_MAX_CHARS).join('');
}
