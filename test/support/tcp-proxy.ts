/**
 * A TCP proxy between the MongoDB driver and the test database (node:net), to freeze the database (connections
 * stay open, nothing flows: a hung server) or cut it (every connection closed, new ones refused: a lost server),
 * and to restore it; and to hold one command back (holdCommand: it reaches the server late, after the driver gave
 * up on its answer, as a command lost in a slow network does).
 */
import { createServer, type Server, type Socket, connect } from 'node:net';

export interface TcpProxy {
  /** The MongoDB URI through the proxy. */
  uri: string;
  freeze(): void;
  cut(): void;
  restore(): void;
  /**
   * The next command (a client-to-server chunk that `matches`) and whatever its connection sends after it are held
   * for `holdMs`, then sent on to the server, even when the driver has closed that connection meanwhile (it is kept
   * open a second longer, for the server to run them). Resolves once they were sent on. With `drop`, they are
   * never sent: the connection to the server is closed instead (the command was lost).
   */
  holdCommand(matches: (chunk: Buffer) => boolean, holdMs: number, options?: { drop?: boolean }): Promise<void>;
  /**
   * The next command that `matches` goes to the server, and when the server answers, that connection is closed
   * instead (the command ran; its answer is lost). Resolves once it was cut.
   */
  cutReplyTo(matches: (chunk: Buffer) => boolean): Promise<void>;
  close(): Promise<void>;
}

/** Whether a chunk carries the command `{<name>: "<collection>", ...}` (an OP_MSG's command document begins so). */
export function commandOn(name: string, collection: string): (chunk: Buffer) => boolean {
  const length = Buffer.alloc(4);
  length.writeInt32LE(Buffer.byteLength(collection) + 1);
  const needle = Buffer.concat([Buffer.from([0x02]), Buffer.from(`${name}\0`), length, Buffer.from(`${collection}\0`)]);
  return (chunk) => chunk.includes(needle);
}

export async function startTcpProxy(targetUri: string): Promise<TcpProxy> {
  const target = new URL(targetUri);
  const targetPort = Number(target.port || 27017);
  const targetHost = target.hostname;
  let state: 'open' | 'frozen' | 'cut' = 'open';
  const pairs = new Set<[Socket, Socket]>();
  let hold: { matches: (chunk: Buffer) => boolean; holdMs: number; drop: boolean; sent: () => void } | null = null;
  let cutReply: { matches: (chunk: Buffer) => boolean; cut: () => void } | null = null;

  const server: Server = createServer((client) => {
    if (state === 'cut') {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, targetHost);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    // Both ways by hand (see holdCommand and cutReplyTo).
    let cutNext: (() => void) | null = null;
    upstream.on('data', (chunk: Buffer) => {
      if (!cutNext) {
        client.write(chunk);
        return;
      }
      const cut = cutNext;
      cutNext = null;
      client.destroy();
      upstream.destroy();
      cut();
    });
    if (state === 'frozen') pause(pair);
    let held: Buffer[] | null = null;
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      if (!held) upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      if (held) {
        held.push(chunk);
        return;
      }
      if (cutReply?.matches(chunk)) {
        cutNext = cutReply.cut;
        cutReply = null;
      }
      if (!hold?.matches(chunk)) {
        upstream.write(chunk);
        return;
      }
      const { holdMs, drop, sent } = hold;
      hold = null;
      held = [chunk];
      const letGo = held;
      setTimeout(() => {
        if (!drop) for (const part of letGo) upstream.write(part);
        sent();
        setTimeout(() => upstream.destroy(), drop ? 0 : 1_000);
      }, holdMs);
    });
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
    holdCommand(matches, holdMs, options = {}) {
      return new Promise<void>((resolve) => {
        hold = { matches, holdMs, drop: options.drop === true, sent: resolve };
      });
    },
    cutReplyTo(matches) {
      return new Promise<void>((resolve) => {
        cutReply = { matches, cut: resolve };
      });
    },
    async close() {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
