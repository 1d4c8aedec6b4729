/**
 * The one place that owns exchange sockets (STYLE: tardis' base feed). Provided to the Connector
 * machine as its `connection` actor: it opens the WebSocket, turns the machine's SUBSCRIBE /
 * UNSUBSCRIBE / PING into the adapter's frames (paced under the exchange's message limit), parses
 * every frame on the data path, and reports back only lifecycle facts: open, closed, acks,
 * refusals, pongs and a once-a-second activity summary. Ticks go straight to `deliver`.
 */
import { fromCallback } from 'xstate';
import WebSocket from 'ws';
import type { Subscription } from 'rxjs';
import type { ConnectionCommand, ConnectionInput, ConnectionReport } from '../../machines/connector.js';
import type { ExchangeAdapter, Instrument, ParseResult, WireRequest } from '../exchanges/types.js';
import type { ExchangeId, Market, MarketRecord } from '../records.js';
import { Pacer } from './pacer.js';

/** What a connection needs from the running system for one exchange × market. */
export interface VenueIo {
  adapter: ExchangeAdapter;
  wsUrl: string;
  /** the instrument behind a unified symbol, from the last market listing */
  instrument(symbol: string): Instrument | undefined;
  /** every listed instrument (parsers map native ids back and read contract sizes) */
  instruments(): Instrument[];
  /** the data path: called once per frame with that frame's records */
  deliver(records: MarketRecord[], group: number): void;
  /** a frame that could not be read (counted and logged by the receiver, never thrown) */
  malformed?(reason: string, frame: string | Buffer, group: number): void;
  /** true while the store is behind: sockets stop reading until it is false again */
  pressure?: { subscribe(next: (paused: boolean) => void): Subscription };
  /** lifecycle notes for the log (never per tick) */
  note?(event: string, detail: Record<string, unknown>): void;
  /** WebSocket factory (tests inject one) */
  openSocket?(url: string): WebSocket;
}

export interface TransportEnv {
  venue(exchange: ExchangeId, market: Market): VenueIo;
}

const ACTIVITY_INTERVAL_MS = 1_000;
const CLOSE_GRACE_MS = 1_000;

export function createConnectionLogic(env: TransportEnv) {
  return fromCallback<ConnectionCommand, ConnectionInput>(({ input, sendBack, receive }) => {
    const io = env.venue(input.exchange, input.market);
    const { adapter } = io;
    const report = (event: ConnectionReport) => sendBack(event);
    const group = input.groupIndex;
    const socket = io.openSocket ? io.openSocket(io.wsUrl) : new WebSocket(io.wsUrl, { perMessageDeflate: false });
    const parser = adapter.createParser(io.instruments());
    let requestSeq = 0;
    const nextId = () => String(++requestSeq);
    /** request id → what it asked for (acks by id) */
    const inFlight = new Map<string, { symbols: string[]; unsubscribe: boolean }>();
    /** subscribed on this socket (Upbit re-sends the whole list each time) */
    const onSocket = new Set<string>();
    /** asked for, waiting for a first data frame (exchanges without acks) */
    const awaitingData = new Set<string>();
    let closed = false;
    let frames = 0;
    let records = 0;
    let malformed = 0;
    let acked: string[] = [];
    let ackFlushQueued = false;

    const pacer = new Pacer(adapter.limits.maxMessagesPerSecond, (frame) => {
      if (socket.readyState === WebSocket.OPEN) socket.send(frame);
    });

    const finish = (reason: string) => {
      if (closed) return;
      closed = true;
      report({ type: 'SOCKET.CLOSED', reason });
    };

    // Acks of a big subscription arrive one per stream (OKX): tell the machine once per tick.
    const ack = (symbols: readonly string[]) => {
      for (const s of symbols) acked.push(s);
      if (ackFlushQueued) return;
      ackFlushQueued = true;
      queueMicrotask(() => {
        ackFlushQueued = false;
        const batch = [...new Set(acked)];
        acked = [];
        if (!closed && batch.length > 0) report({ type: 'SUBSCRIBE.ACK', symbols: batch });
      });
    };

    const handleControl = (result: ParseResult) => {
      for (const c of result.control) {
        if (c.kind === 'pong') report({ type: 'FEED.PONG' });
        else if (c.kind === 'subscribed') {
          const req = c.requestId !== undefined ? inFlight.get(c.requestId) : undefined;
          if (req) inFlight.delete(c.requestId!);
          if (req?.unsubscribe) continue;
          const symbols = c.symbols ?? req?.symbols ?? [];
          ack(symbols);
        } else if (c.kind === 'rejected') {
          const req = c.requestId !== undefined ? inFlight.get(c.requestId) : undefined;
          if (req) inFlight.delete(c.requestId!);
          const symbols = c.symbols ?? req?.symbols ?? [];
          io.note?.('subscribe-rejected', { group, reason: c.reason, symbols });
          if (symbols.length > 0 && !req?.unsubscribe) {
            for (const s of symbols) onSocket.delete(s);
            report({ type: 'SUBSCRIBE.REJECT', symbols, reason: c.reason });
          }
        }
      }
    };

    socket.on('open', () => {
      if (!closed) report({ type: 'SOCKET.OPEN' });
    });
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      frames++;
      let result: ParseResult;
      try {
        result = parser.parse(isBinary ? data : data.toString(), Date.now());
      } catch (error) {
        malformed++;
        io.malformed?.(error instanceof Error ? error.message : String(error), data, group);
        return;
      }
      const batch = result.records;
      if (batch.length > 0) {
        records += batch.length;
        if (awaitingData.size > 0) {
          const seen: string[] = [];
          for (const r of batch) if (awaitingData.delete(r.symbol)) seen.push(r.symbol);
          if (seen.length > 0) ack(seen);
        }
        io.deliver(batch, group);
      }
      if (result.control.length > 0) handleControl(result);
    });
    // the server's pings prove the link is alive (ws answers them by itself)
    socket.on('ping', () => {
      frames++;
    });
    socket.on('pong', () => report({ type: 'FEED.PONG' }));
    socket.on('error', (error) => finish(error.message));
    socket.on('close', (code, reason) => finish(`${code}${reason.length ? ` ${reason.toString()}` : ''}`));

    const activity = setInterval(() => {
      if (frames === 0 || closed) return;
      report({ type: 'FEED.ACTIVITY', frames, records, malformed });
      frames = 0;
      records = 0;
      malformed = 0;
    }, ACTIVITY_INTERVAL_MS);
    activity.unref();

    const pressure = io.pressure?.subscribe((paused) => {
      if (socket.readyState !== WebSocket.OPEN) return;
      if (paused) socket.pause();
      else socket.resume();
    });

    const sendRequests = (requests: WireRequest[], unsubscribe: boolean) => {
      for (const r of requests) {
        if (r.requestId !== undefined) inFlight.set(r.requestId, { symbols: r.symbols, unsubscribe });
        pacer.send(r.frame);
      }
    };

    receive((command) => {
      if (closed) return;
      if (command.type === 'PING') {
        const frame = adapter.keepAlive.pingFrame?.(nextId());
        if (frame !== undefined) pacer.send(frame);
        else if (socket.readyState === WebSocket.OPEN) socket.ping();
        return;
      }
      if (command.type === 'SUBSCRIBE') {
        const known = instrumentsOf(io, command.symbols);
        const unknown = command.symbols.filter((s) => io.instrument(s) === undefined);
        if (unknown.length > 0) {
          queueMicrotask(() => report({ type: 'SUBSCRIBE.REJECT', symbols: unknown, reason: 'not listed by the exchange' }));
        }
        if (known.length === 0) return;
        for (const i of known) onSocket.add(i.symbol);
        const all = instrumentsOf(io, [...onSocket]);
        sendRequests(adapter.subscribeRequests(known, input.channels, nextId, all), false);
        if (adapter.ackMode === 'first-data') for (const i of known) awaitingData.add(i.symbol);
        return;
      }
      // UNSUBSCRIBE
      const leaving = instrumentsOf(io, command.symbols);
      for (const i of leaving) {
        onSocket.delete(i.symbol);
        awaitingData.delete(i.symbol);
      }
      if (leaving.length === 0) return;
      sendRequests(adapter.unsubscribeRequests(leaving, input.channels, nextId, instrumentsOf(io, [...onSocket])), true);
    });

    return () => {
      closed = true;
      clearInterval(activity);
      pacer.close();
      pressure?.unsubscribe();
      socket.removeAllListeners('message');
      socket.on('error', () => {}); // a late error on a socket we are dropping is not news
      if (socket.readyState === WebSocket.OPEN) {
        socket.close(1000, 'closing');
        const kill = setTimeout(() => socket.terminate(), CLOSE_GRACE_MS);
        kill.unref();
        socket.once('close', () => clearTimeout(kill));
      } else {
        socket.terminate();
      }
    };
  });
}

function instrumentsOf(io: VenueIo, symbols: readonly string[]): Instrument[] {
  const out: Instrument[] = [];
  for (const s of symbols) {
    const i = io.instrument(s);
    if (i) out.push(i);
  }
  return out;
}
