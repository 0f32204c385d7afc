/** Load generators for the benchmark: autocannon for plain requests, and sequential timed requests. */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';

export const DURATION = Number(process.env.BENCH_SECONDS ?? 8);

export interface Load {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  failures: number;
}

export async function cannon(options: autocannon.Options): Promise<Load> {
  const result = await autocannon({ duration: DURATION, connections: 10, ...options });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

const agent = new http.Agent({ keepAlive: true });

/** One GET, timed from sending to the last byte (keep-alive, like a browser). */
export function timedGet(url: string, cookie: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    http
      .get(url, { agent, headers: { Cookie: cookie } }, (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`${url}: ${res.statusCode}`)),
        );
      })
      .on('error', reject);
  });
}
