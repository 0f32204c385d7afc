import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { AppError } from '../http/errors.js';
import { createGate } from '../http/gate.js';
import type { ModelForm } from './model-forms.js';

export interface FileWorkOptions {
  /** FILE_PROCESS_TIMEOUT_MS: a file's work past this is stopped (its worker terminated). */
  timeoutMs: number;
  /** IMAGE_MAX_PIXELS: larger images are refused from their header, before decoding. */
  maxPixels: number;
  /** PDF_MAX_PAGES: the text of a longer PDF stops there, and says so. */
  maxPages: number;
  /** The longest side of an image sent to a model. */
  maxSide: number;
}

export interface FileJob {
  kind: 'image' | 'pdf';
  bytes: Buffer;
  mimeType: string;
}

/** How many files are worked on at once: the cores but one (the event loop keeps one), at least one. */
const AT_ONCE = Math.max(1, os.availableParallelism() - 1);
/** How many may wait for a turn; past that, 503 busy. */
const QUEUE_LIMIT = 16;
/** A worker's JavaScript heap (pdf.js works there); libvips' own memory is bounded by the pixel limit. */
const HEAP_MB = 256;

// The same plain-JavaScript file under the tests, `npm run dev` and the build (copied next to this one).
const WORKER_URL = new URL('./file-worker.mjs', import.meta.url);

const unreadable = (what: string) => new AppError(415, 'unsupported_file_type', `This ${what} could not be read.`);
const tooManyPixels = (max: number) =>
  new AppError(415, 'image_too_large', `This image has too many pixels (at most ${Math.round(max / 1_000_000)} megapixels).`);
const tooSlow = () => new AppError(422, 'file_too_complex', 'This file takes too long to read. Try a smaller or simpler one.');
const busy = () =>
  new AppError(503, 'busy', 'Too many files are being processed right now. Try again in a moment.', { headers: { 'Retry-After': '5' } });

type Outcome = { ok: true; form: ModelForm } | { ok: false; reason: 'unreadable' | 'too_many_pixels' };

/**
 * PDF text and image scaling off the main thread (issue 27): each file in a worker of its own, at most
 * AT_ONCE at a time and QUEUE_LIMIT waiting, each within a time limit and a heap limit. A worker ends
 * with its file, so whatever it grew is given back at once (nothing is kept between files).
 */
export function createFileWork(options: FileWorkOptions) {
  const gate = createGate(AT_ONCE);

  const inWorker = (job: FileJob): Promise<ModelForm> =>
    new Promise((resolve, reject) => {
      const worker = new Worker(WORKER_URL, {
        workerData: { ...job, maxSide: options.maxSide, maxPixels: options.maxPixels, maxPages: options.maxPages },
        resourceLimits: { maxOldGenerationSizeMb: HEAP_MB },
      });
      const what = job.kind === 'pdf' ? 'PDF' : 'image';
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        void worker.terminate();
      }, options.timeoutMs);
      worker.once('message', (outcome: Outcome) => {
        clearTimeout(timer);
        void worker.terminate();
        const scaled = outcome.ok ? outcome.form.bytes : undefined; // a Uint8Array once it crossed the thread
        if (outcome.ok) resolve({ ...outcome.form, bytes: scaled && Buffer.from(scaled.buffer, scaled.byteOffset, scaled.byteLength) });
        else reject(outcome.reason === 'too_many_pixels' ? tooManyPixels(options.maxPixels) : unreadable(what));
      });
      // Stopped for its time, out of heap, or a crash in a parser (a settled promise ignores the rest).
      const failed = () => (clearTimeout(timer), reject(timedOut ? tooSlow() : unreadable(what)));
      worker.once('error', failed);
      worker.once('exit', failed);
    });

  return {
    async run(job: FileJob): Promise<ModelForm> {
      if (!(await gate.enter({ maxWaiting: QUEUE_LIMIT }))) throw busy();
      try {
        return await inWorker(job);
      } finally {
        gate.leave();
      }
    },
  };
}

export type FileWork = ReturnType<typeof createFileWork>;
