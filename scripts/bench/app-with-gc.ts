/**
 * The app (src/main.ts) plus a probe for the benchmark: on SIGUSR2 it collects garbage twice and prints
 * `heap-after-gc=<bytes>` on stdout, so rows 4 and 10 can tell live memory from not-yet-collected garbage.
 * Needs --expose-gc.
 */
const collect = (globalThis as { gc?: () => void }).gc;
process.on('SIGUSR2', () => {
  collect?.();
  collect?.();
  process.stdout.write(`heap-after-gc=${process.memoryUsage().heapUsed}\n`);
});
await import('../../src/main.js');
