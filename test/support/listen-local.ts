/**
 * Starts a test server on 127.0.0.1 (a free port) and keeps the set of its open client
 * connections, so a harness can report them (openConnections) and destroy them on close.
 */
import type { Server } from 'node:http';
import { createServer, type AddressInfo, type Socket } from 'node:net';

export interface Listening {
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Client connections open right now. */
  readonly sockets: ReadonlySet<Socket>;
  /** Destroys every open connection, then closes the server. */
  close(): Promise<void>;
}

export async function listenLocal(server: Server): Promise<Listening> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    sockets,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback port nothing listens on (bound, then released): connections to it are refused, and a server may take it. */
export async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}
