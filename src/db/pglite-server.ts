import { timingSafeEqual } from 'node:crypto';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';

const SSL_REQUEST = 80877103;
const CANCEL_REQUEST = 80877102;
const SYNC = 0x53; // 'S'
const QUERY = 0x51; // 'Q'
const FLUSH = 0x48; // 'H'
const TERMINATE = 0x58; // 'X'
const PASSWORD_MESSAGE = 0x70; // 'p'
/** AuthenticationCleartextPassword: 'R', length 8, code 3. */
const ASK_PASSWORD = Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 3]);

export interface PGliteServer {
  host: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Serves a PGlite engine over the PostgreSQL wire protocol on a loopback port, so `pg` (and every
 * library built on it) talks to the embedded database exactly as to a real server.
 *
 * Why not @electric-sql/pglite-socket: it hands PGlite one protocol message at a time, and PGlite then
 * answers an errored Parse/Bind/Execute with an extra ReadyForQuery (pglite issues #958, #1046), which
 * makes `pg` drop the connection after any SQL error (a unique violation, say). Handing PGlite the
 * whole extended-protocol batch up to its Sync gives exactly one ReadyForQuery, as PostgreSQL does.
 */
export async function servePGlite(engine: PGlite, password: string): Promise<PGliteServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    // Replies go out in several writes; without this, Nagle's algorithm holds them ~40 ms per query.
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    handleConnection(engine, socket, password);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    host: address,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A FATAL ErrorResponse (SQLSTATE 28P01), as PostgreSQL sends for a wrong password. */
function authFailed(): Buffer {
  const fields = Buffer.from('SFATAL\0C28P01\0Mpassword authentication failed\0\0', 'utf8');
  const head = Buffer.alloc(5);
  head.write('E', 0);
  head.writeInt32BE(4 + fields.length, 1);
  return Buffer.concat([head, fields]);
}

const samePassword = (given: Buffer, expected: Buffer) => given.length === expected.length && timingSafeEqual(given, expected);

/**
 * One client connection. Before PGlite sees anything, the client must give this process's random
 * password (asked for in cleartext, on loopback only): no other local process can read or write the
 * embedded database while the app runs.
 */
function handleConnection(engine: PGlite, socket: net.Socket, password: string): void {
  const expected = Buffer.from(password, 'utf8');
  let buffer = Buffer.alloc(0);
  let started = false;
  let startup: Buffer | undefined;
  let batch: Buffer[] = [];
  let queue = Promise.resolve();

  const run = (messages: Buffer) => {
    queue = queue
      .then(() =>
        engine.runExclusive(() =>
          engine.execProtocolRawStream(new Uint8Array(messages), {
            onRawData: (data) => {
              if (!socket.destroyed) socket.write(data);
            },
          }),
        ),
      )
      .catch(() => {
        socket.destroy();
      });
  };

  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    while (true) {
      if (!started) {
        if (buffer.length < 8) return;
        const length = buffer.readInt32BE(0);
        if (buffer.length < length) return;
        const code = buffer.readInt32BE(4);
        const message = buffer.subarray(0, length);
        buffer = buffer.subarray(length);
        if (code === SSL_REQUEST) socket.write('N');
        else if (code === CANCEL_REQUEST) socket.end();
        else {
          started = true;
          startup = Buffer.from(message);
          socket.write(ASK_PASSWORD);
        }
        continue;
      }
      if (buffer.length < 5) return;
      const length = 1 + buffer.readInt32BE(1);
      if (buffer.length < length) return;
      const type = buffer[0];
      if (startup) {
        // The password message, then (if right) the startup message goes to PGlite, which answers it.
        const given = buffer.subarray(5, length - 1);
        buffer = buffer.subarray(length);
        if (type !== PASSWORD_MESSAGE || !samePassword(given, expected)) {
          socket.end(authFailed());
          return;
        }
        run(startup);
        startup = undefined;
        continue;
      }
      batch.push(Buffer.from(buffer.subarray(0, length)));
      buffer = buffer.subarray(length);
      if (type === TERMINATE) {
        socket.end();
        return;
      }
      if (type === SYNC || type === QUERY || type === FLUSH) {
        run(Buffer.concat(batch));
        batch = [];
      }
    }
  });
}
