/** Row 13: uploads that make the server work (PDF text, image scaling), and the server's latency meanwhile. */
import { PDFDocument, StandardFonts } from 'pdf-lib';
import sharp from 'sharp';
import type { FakeOpenAI } from '../../test/helpers/fake-openai.js';
import { progress, register, startApp, stop } from './app-process.js';
import { percentile } from './stream-client.js';

const UPLOADS = 24;
const AT_ONCE = 4;
/** How long the app idles after the burst before its memory is read again. */
const IDLE_MS = 1000 * Number(process.env.BENCH_FILE_IDLE_SECONDS ?? 60);
const MiB = 2 ** 20;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function pdfOf(pages: number): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 0; i < pages; i++)
    doc.addPage([300, 300]).drawText(`Page ${i + 1}: some words to read on it.`, { x: 10, y: 150, font, size: 10 });
  return Buffer.from(await doc.save());
}

export async function fileRows(fake: FakeOpenAI, dbUrl: string): Promise<string[]> {
  const pdf = await pdfOf(300);
  const png = await sharp({ create: { width: 4000, height: 3000, channels: 3, background: { r: 20, g: 120, b: 200 } } })
    .png({ compressionLevel: 1 })
    .toBuffer();
  const app = await startApp({ DATABASE_URL: dbUrl, OPENAI_BASE_URL: fake.url });
  try {
    const { cookie } = await register(app.url);
    await sleep(2000);
    const rssBefore = await app.rss();
    let busy = true;
    let peak = rssBefore;
    let treePeak = rssBefore;
    const probes: number[] = [];
    const probing = (async () => {
      while (busy) {
        const started = performance.now();
        await fetch(`${app.url}/api/health/live`).then((r) => r.arrayBuffer());
        probes.push(performance.now() - started);
        peak = Math.max(peak, await app.rss());
        treePeak = Math.max(treePeak, await app.treeRss());
        await sleep(100);
      }
    })();
    const started = performance.now();
    let next = 0;
    let failed = 0;
    await Promise.all(
      Array.from({ length: AT_ONCE }, async () => {
        while (next < UPLOADS) {
          const i = next++;
          const form = new FormData();
          form.append('file', new Blob([i % 2 ? png : pdf]), i % 2 ? 'picture.png' : 'document.pdf');
          const res = await fetch(`${app.url}/api/uploads`, { method: 'POST', headers: { Cookie: cookie }, body: form });
          if (res.status !== 201) failed++;
          await res.arrayBuffer();
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    busy = false;
    await probing;
    progress('file uploads measured; idling');
    await sleep(IDLE_MS);
    const rssIdle = await app.rss();
    const treeIdle = await app.treeRss();
    const mib = (bytes: number) => (bytes / MiB).toFixed(0);
    return [
      `| 13 | uploads that are worked on (a 300-page PDF / a 4000×3000 PNG, alternately), ${AT_ONCE} at a time: uploads/s | ${(UPLOADS / seconds).toFixed(2)} (${failed} failed) | — | — | report |`,
      `| 13 | … \`GET /api/health/live\` every 100 ms meanwhile: p50 / p99 / max | ${percentile(probes, 50).toFixed(1)} / ${percentile(probes, 99).toFixed(1)} / ${Math.max(...probes).toFixed(1)} ms | — | — | < 500 ms |`,
      `| 13 | … RSS before / peak / after ${IDLE_MS / 1000} s idle | ${mib(rssBefore)} / ${mib(peak)} / ${mib(rssIdle)} MiB | — | ${(((rssIdle - rssBefore) / rssBefore) * 100).toFixed(0)} % after idle | within +20 % |`,
      `| 13 | … the same with the app's child processes (file workers): peak / after idle | ${mib(treePeak)} / ${mib(treeIdle)} MiB | — | — | report |`,
    ];
  } finally {
    await stop(app.child);
  }
}
