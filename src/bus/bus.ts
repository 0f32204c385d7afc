/**
 * The instances' bus: small JSON messages every instance receives (its own included), in the order one
 * instance published them. PostgreSQL LISTEN/NOTIFY by default, Redis pub/sub with REDIS_URL, in-process
 * on the embedded database. It carries speed, not truth: what matters is also written to the database.
 */
export type BusMessage = Record<string, unknown>;

/** The database session that vouches for this instance being alive: it ends when the process does. */
export interface InstanceIdentity {
  pid: number;
  /** The session's backend_start, so a recycled pid is never mistaken for it. */
  started: string;
}

export interface Bus {
  /** This instance's session; null on the embedded database (one process: nothing else can own a reply). */
  identity(): InstanceIdentity | null;
  /** Called with the new identity after the session connection was lost and made again. */
  onIdentityChange(listener: (identity: InstanceIdentity) => void): void;
  /** Fire and forget; the payload must stay under ~7,500 bytes of JSON (NOTIFY's limit is 8,000). */
  publish(message: BusMessage): void;
  subscribe(listener: (message: BusMessage) => void): () => void;
  /**
   * Embedded database only (one process, so no database session can vouch for an instance): the keys
   * live instances of this process hold, e.g. the replies they generate. Absent with PostgreSQL.
   */
  readonly claims?: Set<string>;
  close(): Promise<void>;
}

export const BUS_CHANNEL = 'gpt_backend_bus';
export const MAX_PAYLOAD_BYTES = 7500;

/** Listeners of one bus; a throwing listener never stops the others. */
export function listenerSet<T>(onError: (err: unknown) => void) {
  const listeners = new Set<(value: T) => void>();
  return {
    add(listener: (value: T) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit(value: T): void {
      for (const listener of listeners) {
        try {
          listener(value);
        } catch (err) {
          onError(err);
        }
      }
    },
  };
}

/** The embedded database's bus: one process, so every message stays in it. */
export function createLocalBus(): Bus {
  const listeners = listenerSet<BusMessage>(() => undefined);
  return {
    claims: new Set(),
    identity: () => null,
    onIdentityChange: () => undefined,
    publish: (message) => queueMicrotask(() => listeners.emit(message)),
    subscribe: (listener) => listeners.add(listener),
    close: async () => undefined,
  };
}
