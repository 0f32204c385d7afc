import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}

/**
 * Runs PGlite's initdb once for the whole run and saves the empty cluster, so each test file's fresh
 * in-memory database starts in about a second instead of several. No schema is in it: every test
 * database is still migrated by the real migrator.
 */
export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gptb-template-'));
  const file = path.join(dir, 'pglite-template.tar');
  if (!process.env.TEST_DATABASE_URL) {
    const engine = await PGlite.create('memory://');
    await fs.writeFile(file, Buffer.from(await (await engine.dumpDataDir('none')).arrayBuffer()));
    await engine.close();
  }
  project.provide('pgliteTemplate', file);
  return () => fs.rm(dir, { recursive: true, force: true });
}
