/**
 * A lean streaming HTTP client for the benchmark: node:http with keep-alive, timestamps taken as each
 * chunk arrives (no polling), so the same client times the app and the fake model server alike.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';

const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

export interface StreamTiming {
  status: number;
  /** ms from sending the request to the first chunk holding `marker`. */
  first: number;
  /** ms between consecutive chunks holding `marker`. */
  gaps: number[];
  /** ms from sending to the end of the response. */
  total: number;
  bytes: number;
}

export interface StreamRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** Text that marks a content chunk (`event: delta` for the app, `"content":"` for the model). */
  marker: string;
  /** Called once the response has started, with a function that drops the connection. */
  onOpen?: (abort: () => void) => void;
}

export function timeStream(request: StreamRequest): Promise<StreamTiming> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const payload = request.body === undefined ? undefined : JSON.stringify(request.body);
    const req = http.request(
      request.url,
      {
        agent,
        method: request.method ?? 'POST',
        headers: { Accept: 'text/event-stream', ...(payload ? { 'Content-Type': 'application/json' } : {}), ...request.headers },
      },
      (res) => {
        let first = NaN;
        let last = NaN;
        let bytes = 0;
        const gaps: number[] = [];
        request.onOpen?.(() => res.destroy());
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (!chunk.includes(request.marker)) return;
          const now = performance.now();
          if (Number.isNaN(first)) first = now - started;
          else gaps.push(now - last);
          last = now;
        });
        const done = () => resolve({ status: res.statusCode ?? 0, first, gaps, total: performance.now() - started, bytes });
        res.on('end', done);
        res.on('close', done);
        res.on('error', done);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** The p-th percentile (0–100) of `values`. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
