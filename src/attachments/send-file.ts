import type { Response } from 'express';
import type { AttachmentMeta } from './attachments.repo.js';

/** `filename*` (RFC 6266/5987) for any name, with a plain ASCII fallback. */
function disposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * Answers with an attachment's bytes, typed by what they were sniffed as. Never rendered as a page:
 * `nosniff`, a sandboxing CSP, and documents are downloads (images may show inline).
 */
export function sendAttachment(res: Response, file: AttachmentMeta & { bytes: Buffer }, { shared = false } = {}): void {
  const textual = file.mimeType.startsWith('text/') || file.mimeType === 'application/json';
  res.setHeader('Content-Type', textual ? `${file.mimeType}; charset=utf-8` : file.mimeType);
  res.setHeader('Content-Length', String(file.bytes.length));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Security-Policy', 'sandbox');
  res.setHeader('Content-Disposition', disposition(file.kind === 'image' ? 'inline' : 'attachment', file.name));
  // The bytes of an id never change and only their owner reads them; a share can be revoked at any time.
  res.setHeader('Cache-Control', shared ? 'no-store' : 'private, max-age=86400, immutable');
  res.status(200).end(file.bytes);
}
