import type { Logger } from 'pino';
import { createLocalBus, type Bus } from './bus.js';
import { openPgBus } from './pg-bus.js';

/** `database`: the embedded database object, shared by every instance of the process that uses it. */
export type BusTarget = { kind: 'local'; database: object } | { kind: 'postgres'; sessionUrl: string; redisUrl?: string };

// One process, one embedded database, one bus: app instances sharing the database object (tests run
// several) share its bus too, as instances sharing a PostgreSQL server share NOTIFY.
const localBuses = new WeakMap<object, Bus>();

/** The bus for this deployment: in-process on the embedded database, else a PostgreSQL session (+ Redis). */
export function openBus(target: BusTarget, logger?: Logger): Promise<Bus> {
  if (target.kind === 'postgres') return openPgBus({ ...target, logger });
  let bus = localBuses.get(target.database);
  if (!bus) localBuses.set(target.database, (bus = createLocalBus()));
  return Promise.resolve(bus);
}
