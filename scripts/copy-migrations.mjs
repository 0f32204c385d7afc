// Part of `npm run build`: the compiled migrator reads its numbered .sql files next to itself.
import { cpSync } from 'node:fs';

cpSync(new URL('../src/db/migrations', import.meta.url), new URL('../dist/server/db/migrations', import.meta.url), { recursive: true });
