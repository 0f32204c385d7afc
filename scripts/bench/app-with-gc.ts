/** The app (src/main.ts) behind the benchmark's memory probe (gc-probe.ts). Needs --expose-gc. */
import './gc-probe.js';

await import('../../src/main.js');
