/**
 * A loopback TCP proxy a test can cut: every connection through it is dropped and new ones refused
 * until restored. Or black-holed: connections stay open and nothing moves either way, as when a
 * network path dies silently (the client notices only when its own pings go unanswered).
 */
import { createConnection, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** drops every connection and refuses new ones (a network partition for whoever connects through it) */
  cut(): void;
  /**
   * keeps every connection open (and accepts new ones) but forwards nothing either way: a partition
   * no socket is told about. What is sent meanwhile waits in the sockets' buffers.
   */
  blackhole(): void;
  /** after cut: accepts connections again; after blackhole: forwards again, what was held first (a healed path) */
  restore(): void;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let open = true;
  let holding = false;
  const sockets = new Set<Socket>();
  const pairs = new Set<Pair>();
  const flow = (p: Pair) => {
    p.client.pipe(p.upstream);
    p.upstream.pipe(p.client);
  };
  const hold = (p: Pair) => {
    p.client.unpipe(p.upstream);
    p.upstream.unpipe(p.client);
    // unpiped streams stop reading: the bytes wait in the kernel's buffers and TCP's window closes
    p.client.pause();
    p.upstream.pause();
  };
  const server = createServer((client) => {
    if (!open) return void client.destroy();
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    const pair = { client, upstream };
    pairs.add(pair);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => {
        sockets.delete(s);
        pairs.delete(pair);
      });
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    if (holding) hold(pair);
    else flow(pair);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    cut() {
      open = false;
      for (const s of sockets) s.destroy();
    },
    blackhole() {
      if (holding) return;
      holding = true;
      for (const p of pairs) hold(p);
    },
    restore() {
      open = true;
      if (!holding) return;
      holding = false;
      for (const p of pairs) flow(p);
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
