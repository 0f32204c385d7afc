export const TITLE_MAX_CHARS = 80;

/**
 * The words of a message without its Markdown: code fences and inline code marks, emphasis, headings,
 * quotes, list markers, links (their text kept) and images. A title is plain text for every client.
 */
export function stripMarkdown(text: string): string {
  return (
    text
      .replace(/(```|~~~)/gu, ' ') // code fences (the code inside stays: it may be the question)
      .replace(/!\[([^\]]*)\]\([^)]*\)/gu, '$1') // images → their alt text
      .replace(/\[([^\]]+)\]\([^)]*\)/gu, '$1') // links → their text
      .replace(/^\s{0,3}(#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)/gmu, '') // headings, quotes, list markers
      // **bold**, _em_, ~~strike~~, `code`: only as whole words (snake_case_names keep their underscores)
      .replace(/(?<![\p{L}\p{N}])(\*\*|__|\*|_|~~|`)(?=\S)([^\n]*?\S)\1(?![\p{L}\p{N}])/gu, '$2')
      .replace(/`+/gu, '')
  );
}

/**
 * A chat title from its first message: Markdown removed, whitespace collapsed, trimmed, and cut at a
 * word boundary to at most 80 characters (code points, so an emoji is never split). A single word
 * longer than that is cut hard.
 */
export function titleFromMessage(content: string): string {
  const chars = [...stripMarkdown(content).replace(/\s+/gu, ' ').trim()];
  if (chars.length <= TITLE_MAX_CHARS) return chars.join('');
  const head = chars.slice(0, TITLE_MAX_CHARS + 1).join('');
  const lastSpace = head.lastIndexOf(' ');
  if (lastSpace > 0) return head.slice(0, lastSpace).trimEnd();
  return chars.slice(0, TITLE_MAX_CHARS).join('');
}
