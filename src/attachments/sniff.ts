/** What an upload is, decided by its bytes (never by the client's Content-Type or file name). */
export type Sniffed = { kind: 'image' | 'document'; mimeType: string };

const IMAGES = new Set(['image/png', 'image/jpeg', 'image/webp', 'image/gif']);

// Text has no magic number: once the bytes are known to be UTF-8 text (and not markup), the name only
// picks the label among text types. A browser is never told to render any of them (see the GET route).
const TEXT_LABELS: Record<string, string> = {
  md: 'text/markdown',
  markdown: 'text/markdown',
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
};

// HTML, SVG and XML are refused: markup a browser would render (scripts and all) if it ever opened it.
const MARKUP = /^\s*<(!doctype\s+html|html|head|body|svg|\?xml|script|iframe|object|embed|meta|link|style)[\s>/]/i;

function utf8Text(bytes: Buffer): string | undefined {
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    return text.includes('\0') ? undefined : text;
  } catch {
    return undefined;
  }
}

function isJson(text: string): boolean {
  const start = text.trimStart()[0];
  if (start !== '{' && start !== '[') return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The allowed type of these bytes, or undefined (415): PNG, JPEG, WebP, GIF, PDF, UTF-8 text. */
export async function sniff(bytes: Buffer, name: string): Promise<Sniffed | undefined> {
  const { fileTypeFromBuffer } = await import('file-type'); // loaded at the first upload, not at start
  const detected = await fileTypeFromBuffer(bytes);
  if (detected) {
    if (IMAGES.has(detected.mime)) return { kind: 'image', mimeType: detected.mime };
    if (detected.mime === 'application/pdf') return { kind: 'document', mimeType: 'application/pdf' };
    return undefined;
  }
  const text = utf8Text(bytes);
  if (text === undefined || MARKUP.test(text)) return undefined;
  if (isJson(text)) return { kind: 'document', mimeType: 'application/json' };
  const extension = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase() ?? '';
  return { kind: 'document', mimeType: TEXT_LABELS[extension] ?? 'text/plain' };
}

/** A document's text (UTF-8, BOM dropped). */
export const textOf = (bytes: Buffer): string => new TextDecoder('utf-8').decode(bytes);
