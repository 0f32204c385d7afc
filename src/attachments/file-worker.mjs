// A worker process (see file-work.ts): for each file it is sent, its model form, a PDF's text (its first
// `maxPages` pages) or an image scaled down, so a hostile file costs this process, never the server's
// event loop. Plain JavaScript: the same file runs under the tests, `npm run dev` and the build (copied
// to dist/). sharp and pdf.js are loaded once per worker, on its first file of their kind.

class Refused extends Error {
  constructor(reason) {
    super(reason);
    this.reason = reason;
  }
}

async function imageForm({ bytes, mimeType, maxSide, maxPixels }) {
  const sharp = (await import('sharp')).default;
  sharp.cache(false); // nothing kept between files: a worker lives on for the next one
  sharp.concurrency(1);
  let width;
  let height;
  try {
    ({ width, height } = await sharp(bytes, { limitInputPixels: false }).metadata()); // the header only
  } catch {
    throw new Refused('unreadable');
  }
  if (!width || !height) throw new Refused('unreadable');
  if (width * height > maxPixels) throw new Refused('too_many_pixels');
  if (Math.max(width, height) <= maxSide) return {};
  // Scaled down in its own format (a GIF as PNG, its first frame: models take still images).
  const format = mimeType === 'image/jpeg' ? 'jpeg' : mimeType === 'image/webp' ? 'webp' : 'png';
  try {
    const scaled = await sharp(bytes, { limitInputPixels: maxPixels })
      .rotate()
      .resize(maxSide, maxSide, { fit: 'inside', withoutEnlargement: true })
      .toFormat(format)
      .toBuffer();
    return { bytes: scaled, mimeType: `image/${format}` };
  } catch {
    throw new Refused('unreadable');
  }
}

async function pdfForm({ bytes, maxPages }) {
  const { getDocumentProxy } = await import('unpdf');
  let pdf;
  try {
    pdf = await getDocumentProxy(new Uint8Array(bytes));
  } catch {
    throw new Refused('unreadable');
  }
  try {
    const pages = Math.min(pdf.numPages, maxPages);
    const texts = [];
    for (let number = 1; number <= pages; number++) {
      const content = await (await pdf.getPage(number)).getTextContent();
      const text = content.items
        .filter((item) => item.str != null)
        .map((item) => item.str + (item.hasEOL ? '\n' : ''))
        .join('');
      texts.push(`[Page ${number}]\n${text.trim()}`);
    }
    if (pdf.numPages > pages) {
      texts.push(
        `[The text stops here: pages ${pages + 1} to ${pdf.numPages} of ${pdf.numPages} were not read (PDF_MAX_PAGES is ${maxPages}).]`,
      );
    }
    return { text: texts.join('\n\n') };
  } finally {
    await pdf.destroy(); // the worker lives on: the document's memory goes now
  }
}

/** `{kind, bytes, mimeType, maxSide, maxPixels, maxPages}` → an outcome, never a throw for a bad file. */
async function fileForm(job) {
  try {
    return { ok: true, form: job.kind === 'image' ? await imageForm(job) : await pdfForm(job) };
  } catch (err) {
    return { ok: false, reason: err instanceof Refused ? err.reason : 'unreadable' };
  }
}

process.on('message', async (job) => {
  const bytes = Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength); // a Uint8Array after the crossing
  process.send(await fileForm({ ...job, bytes }));
});
