import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { AppError } from '../http/errors.js';
import { createGate } from '../http/gate.js';
import type { ModelForm } from './model-forms.js';

export interface FileWorkOptions {
  /** FILE_PROCESS_TIMEOUT_MS: a file's work past this is stopped (its worker killed). */
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
/** A worker idle this long ends, and its memory with it; within a burst, sharp and pdf.js stay loaded. */
const IDLE_MS = 5000;

// The same plain-JavaScript file under the tests, `npm run dev` and the build (copied next to this one).
const WORKER_PATH = fileURLToPath(new URL('./file-worker.mjs', import.meta.url));

const unreadable = (what: string) => new AppError(415, 'unsupported_file_type', `This ${what} could not be read.`);
const tooManyPixels = (max: number) =>
  new AppError(415, 'image_too_large', `This image has too many pixels (at most ${Math.round(max / 1_000_000)} megapixels).`);
const tooSlow = () => new AppError(422, 'file_too_complex', 'This file takes too long to read. Try a smaller or simpler one.');
const busy = () =>
  new AppError(503, 'busy', 'Too many files are being processed right now. Try again in a moment.', { headers: { 'Retry-After': '5' } });

type Outcome = { ok: true; form: ModelForm } | { ok: false; reason: 'unreadable' | 'too_many_pixels' };

/**
 * PDF text and image scaling off the main thread (issue 27), in worker processes: at most AT_ONCE files
 * at a time and QUEUE_LIMIT waiting, each within a time limit (from when its worker takes it) and a heap
 * limit. A worker serves file after file and ends after IDLE_MS idle; one stopped for time, memory or a
 * crash is not reused. Processes rather than threads (measured in BENCHMARKS.md): libvips and glibc keep
 * what a thread's decoding grew for the life of the process that ran it (+50 % RSS after a burst, for
 * good), and a native crash in a parser ends only its worker, never the server.
 */
export function createFileWork(options: FileWorkOptions) {
  const gate = createGate(AT_ONCE);
  const limits = { maxSide: options.maxSide, maxPixels: options.maxPixels, maxPages: options.maxPages };
  const idle = new Map<ChildProcess, NodeJS.Timeout>();
  let closed = false;

  function takeWorker(): ChildProcess {
    const [reused] = idle.keys();
    if (reused) {
      clearTimeout(idle.get(reused));
      idle.delete(reused);
      return reused;
    }
    const worker = fork(WORKER_PATH, [], {
      execArgv: [`--max-old-space-size=${HEAP_MB}`],
      serialization: 'advanced', // Buffers cross as bytes, not JSON
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    });
    worker.once('exit', () => idle.delete(worker));
    return worker;
  }

  function putBack(worker: ChildProcess): void {
    if (worker.exitCode !== null || worker.signalCode !== null) return;
    if (closed) return void worker.kill();
    idle.set(worker, setTimeout(() => worker.kill(), IDLE_MS).unref());
    worker.unref();
    worker.channel?.unref(); // an idle worker never keeps the server's process alive
  }

  const inWorker = (job: FileJob): Promise<Outcome> =>
    new Promise((resolve, reject) => {
      const worker = takeWorker();
      worker.ref();
      worker.channel?.ref();
      let timedOut = false;
      const timer = setTimeout(() => ((timedOut = true), worker.kill('SIGKILL')), options.timeoutMs);
      const done = (outcome: Outcome) => {
        clearTimeout(timer);
        worker.off('exit', failed);
        putBack(worker);
        resolve(outcome);
      };
      // Killed for its time, out of heap, or a crash in a parser.
      const failed = () => (clearTimeout(timer), worker.off('message', done), reject(timedOut ? tooSlow() : unreadable(kindName(job))));
      worker.once('message', done);
      worker.once('exit', failed);
      worker.send({ ...job, ...limits }, (err) => err && worker.kill('SIGKILL'));
    });

  return {
    async run(job: FileJob): Promise<ModelForm> {
      if (!(await gate.enter({ maxWaiting: QUEUE_LIMIT }))) throw busy();
      let outcome: Outcome;
      try {
        outcome = await inWorker(job);
      } finally {
        gate.leave();
      }
      if (!outcome.ok) throw outcome.reason === 'too_many_pixels' ? tooManyPixels(options.maxPixels) : unreadable(kindName(job));
      const scaled = outcome.form.bytes; // a Uint8Array once it crossed the process boundary
      return { ...outcome.form, bytes: scaled && Buffer.from(scaled.buffer, scaled.byteOffset, scaled.byteLength) };
    },
    /** Ends the idle workers (at shutdown; the tests' apps). */
    async close(): Promise<void> {
      closed = true;
      for (const [worker, timer] of idle) {
        clearTimeout(timer);
        worker.kill();
      }
      idle.clear();
    },
  };
}

const kindName = (job: FileJob) => (job.kind === 'pdf' ? 'PDF' : 'image');

export type FileWork = ReturnType<typeof createFileWork>;
