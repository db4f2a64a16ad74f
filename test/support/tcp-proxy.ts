/**
 * A TCP proxy between the MongoDB driver and the test database (node:net), to freeze the database (connections
 * stay open, nothing flows: a hung server) or cut it (every connection closed, new ones refused: a lost server),
 * and to restore it.
 */
import { createServer, type Server, type Socket, connect } from 'node:net';

export interface TcpProxy {
  /** The MongoDB URI through the proxy. */
  uri: string;
  freeze(): void;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetUri: string): Promise<TcpProxy> {
  const target = new URL(targetUri);
  const targetPort = Number(target.port || 27017);
  const targetHost = target.hostname;
  let state: 'open' | 'frozen' | 'cut' = 'open';
  const pairs = new Set<[Socket, Socket]>();

  const server: Server = createServer((client) => {
    if (state === 'cut') {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, targetHost);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
    if (state === 'frozen') pause(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const uri = new URL(targetUri);
  uri.host = `127.0.0.1:${port}`;
  // One server, no topology discovery: the driver must not go around the proxy.
  uri.searchParams.set('directConnection', 'true');

  function pause([a, b]: [Socket, Socket]): void {
    a.unpipe(b);
    b.unpipe(a);
    a.pause();
    b.pause();
  }

  function cut(): void {
    state = 'cut';
    for (const [a, b] of [...pairs]) {
      a.destroy();
      b.destroy();
    }
    pairs.clear();
  }

  return {
    uri: uri.toString(),
    freeze() {
      state = 'frozen';
      for (const pair of pairs) pause(pair);
    },
    cut,
    restore() {
      // Frozen connections are dropped (the driver reconnects), as after a server that hung and came back.
      for (const [a, b] of [...pairs]) {
        a.destroy();
        b.destroy();
      }
      pairs.clear();
      state = 'open';
    },
    async close() {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
