import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { createPGliteDataDir } from '../helpers/test-db.js';

describe('the embedded database directory', () => {
  it('can be opened by one process at a time, and a lock left by a dead process is taken over', async () => {
    const seeded = await createPGliteDataDir();
    const { dataDir } = seeded;
    try {
      // Another (live) process holds it: the parent of this test process.
      await fs.writeFile(path.join(dataDir, 'pglite.lock'), String(process.ppid));
      await expect(openDatabase({ kind: 'pglite', dataDir })).rejects.toThrow(/in use by process/);

      // A process that no longer exists held it.
      await fs.writeFile(path.join(dataDir, 'pglite.lock'), '2147483646');
      const db = await openDatabase({ kind: 'pglite', dataDir });
      expect(await fs.readFile(path.join(dataDir, 'pglite.lock'), 'utf8')).toBe(String(process.pid));
      await db.close();
      await expect(fs.stat(path.join(dataDir, 'pglite.lock'))).rejects.toThrow();
    } finally {
      await seeded.dispose();
    }
  });
});
