import { execFile } from 'node:child_process';

/** What a new embedded database is created with (the options PGlite is opened with later). */
export interface NewDataDir {
  dataDir: string;
  postgresqlconf: string[];
}

// Run by a short-lived Node.js process: create the database (initdb) and close it.
const CREATE = `const { PGlite } = await import(process.argv[1]);
const db = await PGlite.create(JSON.parse(process.argv[2]));
await db.close();`;

/**
 * Creates a new embedded database (PostgreSQL's initdb) in a child process. initdb grows PGlite's
 * WebAssembly memory to ~600 MB and leaves ~70 MB in the allocator's arenas; none of it shrinks in the
 * process that did it. Done by a child, all of it goes back to the OS when the child exits, and the
 * server idles on a first start as small as on any later one (~160 MB against ~340 MB).
 */
export function createDataDirInChild(options: NewDataDir): Promise<void> {
  const pglite = import.meta.resolve('@electric-sql/pglite');
  const args = ['--input-type=module', '--eval', CREATE, pglite, JSON.stringify(options)];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { env: process.env, maxBuffer: 1024 * 1024 }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      const reason = stderr.trim().split('\n').filter(Boolean).at(-1) ?? err.message;
      reject(new Error(`Could not create the embedded database in ${options.dataDir}: ${reason}`));
    });
  });
}
