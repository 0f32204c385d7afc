import { AppError } from '../http/errors.js';
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

// sharp (libvips, ~30 MB resident once loaded) and unpdf are loaded at the first upload that needs
// them, not at start: most processes, and every idle one, never convert a file.
const loadSharp = () => import('sharp').then((module) => module.default);
const loadUnpdf = () => import('unpdf');

const unreadable = (what: string) => new AppError(415, 'unsupported_file_type', `This ${what} could not be read.`);

async function imageForm(bytes: Buffer, mimeType: string): Promise<ModelForm> {
  const sharp = await loadSharp();
  let width: number | undefined;
  let height: number | undefined;
  try {
    ({ width, height } = await sharp(bytes).metadata());
  } catch {
    throw unreadable('image');
  }
  if (!width || !height) throw unreadable('image');
  if (Math.max(width, height) <= MAX_IMAGE_SIDE) return {};
  // Scaled down in its own format (a GIF as PNG, its first frame: models take still images).
  const image = sharp(bytes).rotate().resize(MAX_IMAGE_SIDE, MAX_IMAGE_SIDE, { fit: 'inside', withoutEnlargement: true });
  const format = mimeType === 'image/jpeg' ? 'jpeg' : mimeType === 'image/webp' ? 'webp' : 'png';
  try {
    return { bytes: await image.toFormat(format).toBuffer(), mimeType: `image/${format}` };
  } catch {
    throw unreadable('image');
  }
}

async function pdfText(bytes: Buffer): Promise<string> {
  const { extractText, getDocumentProxy } = await loadUnpdf();
  try {
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- unpdf's types resolve under the build's TypeScript, not the linter's
    const pdf = await getDocumentProxy(new Uint8Array(bytes));
    const { text } = (await extractText(pdf, { mergePages: false })) as { text: string[] };
    return text.map((page, i) => `[Page ${i + 1}]\n${page.trim()}`).join('\n\n');
  } catch {
    throw unreadable('PDF');
  }
}

export async function modelForm(sniffed: Sniffed, bytes: Buffer): Promise<ModelForm> {
  if (sniffed.kind === 'image') return imageForm(bytes, sniffed.mimeType);
  if (sniffed.mimeType === 'application/pdf') return { text: await pdfText(bytes) };
  return { text: textOf(bytes) };
}
