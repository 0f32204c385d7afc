/**
 * The app as `npm start` runs it (dist/server/main.js, compiled by tsc) behind the benchmark's memory
 * probe (gc-probe.ts). Run compiled from dist/bench/ (see compileForBench() in app-process.ts). Needs
 * --expose-gc.
 */
import './gc-probe.js';

await import(new URL('../server/main.js', import.meta.url).href);
