/**
 * The benchmark's memory probe, imported first by the processes it measures (the app, the relay
 * baseline): on SIGUSR2 it collects garbage twice and prints `heap-after-gc=<bytes>` on stdout, so rows
 * 4 and 10 can tell live memory from not-yet-collected garbage. With BENCH_MEMORY_DETAIL it also prints
 * where the memory is (bytes; heap spaces in KB) on stderr, for reading by hand. Needs --expose-gc.
 */
import v8 from 'node:v8';

const collect = (globalThis as { gc?: () => void }).gc;
process.on('SIGUSR2', () => {
  collect?.();
  collect?.();
  const memory = process.memoryUsage();
  if (process.env.BENCH_MEMORY_DETAIL) {
    const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, Math.round(s.space_size / 1024)]));
    process.stderr.write(`memory ${JSON.stringify({ ...memory, spaces })}\n`);
  }
  process.stdout.write(`heap-after-gc=${memory.heapUsed}\n`);
});
