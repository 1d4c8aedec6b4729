/**
 * A fake transport for machine tests: provides the Connector's `connection` actor and lets a test
 * play the exchange — open or refuse sockets, ack or reject subscriptions, go silent, close.
 * Tracks every connection so a test can assert that nothing is left open.
 */
import { fromCallback } from 'xstate';
import type { ConnectionCommand, ConnectionInput, ConnectionReport } from '../../machines/connector.js';

export type ExchangeBehaviour = {
  /** what happens when a socket is opened: 'open' (default), 'refuse' (error at once), 'hang' (never answers) */
  onConnect?: (conn: FakeConnection) => 'open' | 'refuse' | 'hang';
  /** answer to a SUBSCRIBE: 'ack' (default), 'reject', 'ignore' */
  onSubscribe?: (conn: FakeConnection, symbols: string[]) => 'ack' | 'reject' | 'ignore';
  /** answer pongs to pings (default true) */
  pong?: boolean;
};

export class FakeConnection {
  readonly commands: ConnectionCommand[] = [];
  open = true;
  constructor(
    readonly input: ConnectionInput,
    private readonly sendBack: (event: ConnectionReport) => void,
  ) {}
  emit(event: ConnectionReport): void {
    if (this.open) this.sendBack(event);
  }
  /** the server closes the socket */
  drop(reason = 'server closed'): void {
    this.emit({ type: 'SOCKET.CLOSED', reason });
  }
  /** the socket reported SOCKET.OPEN */
  opened = false;
  subscribedSymbols(): string[] {
    return this.commands.flatMap((c) => (c.type === 'SUBSCRIBE' ? c.symbols : []));
  }
}

export class FakeNetwork {
  readonly connections: FakeConnection[] = [];
  behaviour: ExchangeBehaviour = {};

  /** connections whose actor has not been stopped */
  openConnections(): FakeConnection[] {
    return this.connections.filter((c) => c.open);
  }

  /** healthy exchanges keep talking: one aggregated activity report per open socket */
  pulse(filter: (c: FakeConnection) => boolean = () => true): void {
    for (const c of this.openConnections()) {
      if (c.opened && filter(c)) c.emit({ type: 'FEED.ACTIVITY', frames: 10, records: 10, malformed: 0 });
    }
  }

  byGroup(group: number): FakeConnection[] {
    return this.connections.filter((c) => c.input.groupIndex === group);
  }

  last(group?: number): FakeConnection {
    const list = group === undefined ? this.connections : this.byGroup(group);
    const c = list[list.length - 1];
    if (!c) throw new Error('no connection yet');
    return c;
  }

  readonly logic = fromCallback<ConnectionCommand, ConnectionInput>(({ input, sendBack, receive }) => {
    const conn = new FakeConnection(input, sendBack as (e: ConnectionReport) => void);
    this.connections.push(conn);
    // Answers go out on a microtask, like a socket's callbacks, never inside the machine's own step.
    const later = (fn: () => void) => queueMicrotask(() => conn.open && fn());
    const outcome = this.behaviour.onConnect?.(conn) ?? 'open';
    if (outcome === 'open') {
      later(() => {
        conn.opened = true;
        conn.emit({ type: 'SOCKET.OPEN' });
      });
    }
    if (outcome === 'refuse') later(() => conn.emit({ type: 'SOCKET.CLOSED', reason: 'ECONNREFUSED' }));
    receive((command) => {
      conn.commands.push(command);
      if (command.type === 'SUBSCRIBE') {
        const answer = this.behaviour.onSubscribe?.(conn, command.symbols) ?? 'ack';
        if (answer === 'ack') later(() => conn.emit({ type: 'SUBSCRIBE.ACK', symbols: command.symbols }));
        if (answer === 'reject') {
          later(() => conn.emit({ type: 'SUBSCRIBE.REJECT', symbols: command.symbols, reason: 'Invalid symbol' }));
        }
      }
      if (command.type === 'PING' && (this.behaviour.pong ?? true)) later(() => conn.emit({ type: 'FEED.PONG' }));
    });
    return () => {
      conn.open = false;
    };
  });
}

/** Let queued microtasks (the fake socket's answers) run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => queueMicrotask(resolve));
}
