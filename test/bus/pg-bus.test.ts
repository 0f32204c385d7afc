import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bus, BusMessage } from '../../src/bus/bus.js';
import { openPgBus } from '../../src/bus/pg-bus.js';
import { createTestDatabaseTarget, usingRealPostgres, type TestDatabaseTarget } from '../helpers/test-db.js';

/** LISTEN/NOTIFY between instances: PostgreSQL only (on the embedded database the bus is in-process). */
describe.runIf(usingRealPostgres)('the PostgreSQL bus', () => {
  let storage: TestDatabaseTarget;
  const buses: Bus[] = [];
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => warnings.push(warning);

  beforeAll(async () => {
    storage = await createTestDatabaseTarget();
    process.on('warning', onWarning);
  });
  afterAll(async () => {
    process.off('warning', onWarning);
    for (const bus of buses) await bus.close();
    await storage?.dispose();
  });

  const open = async () => {
    const target = storage.target;
    if (target.kind !== 'postgres') throw new Error('PostgreSQL only');
    const bus = await openPgBus({ sessionUrl: target.url });
    buses.push(bus);
    return bus;
  };

  it('delivers a burst of messages from one instance to every instance, all of them, in order', async () => {
    const [publisher, other] = [await open(), await open()];
    const seen = { publisher: [] as number[], other: [] as number[] };
    const numbered = (into: number[]) => (m: BusMessage) => void (m.t === 'burst' && into.push(m.n as number));
    publisher.subscribe(numbered(seen.publisher));
    other.subscribe(numbered(seen.other));

    const count = 500;
    for (let n = 0; n < count; n++) publisher.publish({ t: 'burst', n });
    const deadline = Date.now() + 10_000;
    while ((seen.other.length < count || seen.publisher.length < count) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));

    const inOrder = Array.from({ length: count }, (_, n) => n);
    expect(seen.other).toEqual(inOrder);
    expect(seen.publisher).toEqual(inOrder);
    // Each publish used to be a query queued inside pg while another ran, which pg deprecates.
    expect(warnings.map((w) => w.message).filter((m) => m.includes('already executing a query'))).toEqual([]);
  });
});
