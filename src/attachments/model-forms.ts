import type { FileWork } from './file-work.js';
import { textOf, type Sniffed } from './sniff.js';

/** The longest side of an image sent to a model (OpenAI scales larger ones down anyway). */
export const MAX_IMAGE_SIDE = 2048;

/** What the model is given of an upload, made once at upload time. */
export interface ModelForm {
  /** An image scaled down (undefined: the original fits). */
  bytes?: Buffer;
  mimeType?: string;
  /** A document's text. */
  text?: string;
}

/** A PDF's text and a large image's scaled copy come from a worker (file-work.ts); a text file is read here. */
export async function modelForm(work: FileWork, sniffed: Sniffed, bytes: Buffer): Promise<ModelForm> {
  if (sniffed.kind === 'image') return work.run({ kind: 'image', bytes, mimeType: sniffed.mimeType });
  if (sniffed.mimeType === 'application/pdf') return work.run({ kind: 'pdf', bytes, mimeType: sniffed.mimeType });
  return { text: textOf(bytes) };
}
