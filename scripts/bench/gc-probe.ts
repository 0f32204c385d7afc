/**
 * The benchmark's memory probe, imported first by the processes it measures (the app, the relay
 * baseline): on SIGUSR2 it collects garbage twice and prints `heap-after-gc=<bytes>` on stdout, so rows
 * 4 and 10 can tell live memory from not-yet-collected garbage. With BENCH_MEMORY_DETAIL it also prints
 * where the memory is on stderr, for reading by hand: process.memoryUsage() and V8's heap statistics
 * (bytes), heap spaces and resident mappings from /proc/self/smaps (KB). Needs --expose-gc.
 */
import { readFileSync } from 'node:fs';
import v8 from 'node:v8';

const collect = (globalThis as { gc?: () => void }).gc;
process.on('SIGUSR2', () => {
  collect?.();
  collect?.();
  const memory = process.memoryUsage();
  if (process.env.BENCH_MEMORY_DETAIL) {
    const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, Math.round(s.space_size / 1024)]));
    process.stderr.write(`memory ${JSON.stringify({ ...memory, spaces, stats: v8.getHeapStatistics(), mappings: residentMappings() })}\n`);
  }
  process.stdout.write(`heap-after-gc=${memory.heapUsed}\n`);
});

/**
 * Resident KB by mapping (file name, or `anon <size> KB` for anonymous mappings of that size, summed),
 * the largest first, plus what the kernel may take back at will (`lazyFree`).
 */
function residentMappings(): Record<string, number> {
  const kb: Record<string, number> = {};
  let name = '';
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const mapping = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (mapping) name = mapping[3] || `anon ${Math.round((parseInt(mapping[2]!, 16) - parseInt(mapping[1]!, 16)) / 1024)} KB`;
    const lazy = /^LazyFree:\s+(\d+) kB/.exec(line);
    if (lazy) kb.lazyFree = (kb.lazyFree ?? 0) + Number(lazy[1]);
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) kb[name] = (kb[name] ?? 0) + Number(rss[1]);
  }
  return Object.fromEntries(
    Object.entries(kb)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12),
  );
}
