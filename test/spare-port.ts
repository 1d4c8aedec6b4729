/**
 * A free TCP port on 127.0.0.1 that nothing else in the test will be given: one below the
 * kernel's ephemeral range, since every listen(0) of the processes under test (the simulated
 * exchange, the metrics server) draws from that range. A port taken with listen(0) and released
 * for later use can be handed to one of them in between (EADDRINUSE when the test binds it).
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';

function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(low) && low > 2_048) return low;
  } catch {
    // not Linux: the IANA range starts at 49152
  }
  return 49_152;
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function sparePort(): Promise<number> {
  const high = ephemeralLow();
  const low = Math.max(1_024, high - 10_000);
  for (let tries = 0; tries < 100; tries++) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port found below the ephemeral range (${low}–${high - 1})`);
}
