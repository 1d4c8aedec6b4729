/** startSimExchange: wires the venues, the server, the generator clock and the fault book together. */
import { createServer as createNetServer, type AddressInfo, type Server } from 'node:net';
import type { ExchangeId, Market, Trade } from '../records.js';
import { FaultBook } from './faults.js';
import { Prng } from '../prng.js';
import { VenueRuntime, type RenderedBurst } from './runtime.js';
import type { SimConnection } from './connection.js';
import { BookBurst } from './book/book-burst.js';
import { createRoutedServer } from './server.js';
import {
  DEFAULT_TIMING,
  SimError,
  type GroundTruthFilter,
  type SimExchange,
  type SimFault,
  type SimOptions,
  type SimStats,
  type SimSymbolOptions,
  type TruthSymbol,
} from './types.js';
import { venueFactory } from './venues/index.js';

const BURST_CHUNK = 2048;
/**
 * Trades per symbol kept for REST history when the caller does not say: half an hour at the
 * embedded default's 5 trades/s, so `npm start` stays bounded (~3 MB per symbol) however long it runs.
 */
const DEFAULT_LEDGER_LIMIT = 10_000;

/** The exchange's own REST/WebSocket host behind a venue: Bybit and OKX serve spot and derivatives from one host. */
function realHostOf(exchange: ExchangeId, market: Market): string {
  return exchange === 'binance' ? `binance:${market}` : exchange;
}

export async function startSimExchange(options: SimOptions): Promise<SimExchange> {
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? Date.now;
  const timing = { ...DEFAULT_TIMING, ...options.timing };
  const root = new Prng(options.seed ?? 1);
  const faults = new FaultBook(now);
  let connCounter = 0;
  const connPrefix = root.int(0x100000000).toString(16).padStart(8, '0');

  const runtimes = new Map<string, VenueRuntime>();
  // one exchange clock for every venue: a scripted run maps exchange time back to its own steps
  const start = now();
  options.venues.forEach((v, i) => {
    const key = `${v.exchange}/${v.market}`;
    if (runtimes.has(key)) throw new SimError('TV_ERR_SIM_DUPLICATE_VENUE', `venue ${key} configured twice`);
    const venue = venueFactory(v.exchange)(v.market);
    runtimes.set(
      key,
      new VenueRuntime(venue, v.symbols, {
        now,
        start,
        timing,
        prng: root.fork(i),
        faults,
        ledgerLimit: options.ledgerLimitPerSymbol ?? DEFAULT_LEDGER_LIMIT,
        keepTruth: options.keepTruth ?? false,
        nextConnId: () => `${connPrefix}-${(++connCounter).toString(16)}`,
      }),
    );
  });

  const runtime = (exchange: ExchangeId, market: Market): VenueRuntime => {
    const r = runtimes.get(`${exchange}/${market}`);
    if (!r) throw new SimError('TV_ERR_SIM_UNKNOWN_VENUE', `venue ${exchange}/${market} is not simulated`);
    return r;
  };
  const matching = (f: { exchange?: ExchangeId; market?: Market }) =>
    [...runtimes.values()].filter(
      (r) => (f.exchange === undefined || f.exchange === r.exchange) && (f.market === undefined || f.market === r.market),
    );

  const { server, wss } = createRoutedServer(runtimes, faults);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  // Each real host gets a port of its own, all served by the one routed server: a client paces
  // and backs off per host (a 429 from Binance must not hold up OKX), as it would in production.
  const hostPorts = new Map<string, { port: number; listener: Server }>();
  for (const r of runtimes.values()) {
    const name = realHostOf(r.exchange, r.market);
    if (hostPorts.has(name)) continue;
    const listener = createNetServer((socket) => server.emit('connection', socket));
    await new Promise<void>((resolve, reject) => {
      listener.once('error', reject);
      listener.listen(0, host, () => {
        listener.off('error', reject);
        resolve();
      });
    });
    hostPorts.set(name, { port: (listener.address() as AddressInfo).port, listener });
  }
  const portOf = (exchange: ExchangeId, market: Market) => hostPorts.get(realHostOf(exchange, market))?.port ?? port;

  let ticker: NodeJS.Timeout | undefined;
  if ((options.mode ?? 'auto') === 'auto') {
    ticker = setInterval(() => {
      const t = now();
      for (const r of runtimes.values()) r.generateUntil(t);
    }, timing.tickMs);
  }
  let stopped = false;

  const sim: SimExchange = {
    port,
    endpoints(exchange, market) {
      const r = runtime(exchange, market);
      const p = portOf(exchange, market);
      return {
        wsUrl: `ws://${urlHost}:${p}/${exchange}/${market}${r.venue.wsUrlPath}`,
        restUrl: `http://${urlHost}:${p}/${exchange}/${market}${r.venue.restUrlPath}`,
      };
    },
    advance(ms) {
      if (ms < 0) throw new SimError('TV_ERR_SIM_BAD_ARGUMENT', `advance(${ms}): ms must be >= 0`);
      for (const r of runtimes.values()) r.generateUntil(r.cursorTime + ms);
    },
    async burst(exchange, market, count) {
      const r = runtime(exchange, market);
      let left = count;
      while (left > 0 && !stopped) {
        const n = Math.min(BURST_CHUNK, left);
        if (r.burstChunk(n) === 0) break;
        left -= n;
        await r.drained();
        // let the sockets' I/O run between chunks
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      await r.flushed();
    },
    async prepareBurst(exchange, market, count) {
      const r = runtime(exchange, market);
      const chunks = Math.ceil(count / BURST_CHUNK);
      const out = new Map<SimConnection, RenderedBurst>();
      let made = 0;
      for (let c = 0; c < chunks && !stopped; c++) {
        const n = Math.min(BURST_CHUNK, count - c * BURST_CHUNK);
        if (!r.renderTradeChunk(out, chunks, c, n)) break;
        made += n;
        // a large burst takes seconds to render: the sockets' pings, pongs and timers run between chunks
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      const rendered = [...out.values()];
      let sending: Promise<void> | undefined;
      const send = async () => {
        for (let c = 0; c < chunks && made > 0 && !stopped; c++) {
          r.pushRendered(rendered, c, c + 1);
          await r.drained();
          // let the sockets' I/O run between chunks
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
        await r.flushed();
      };
      return { trades: made, send: () => (sending ??= send()) };
    },
    prepareBookBurst(exchange, market, eventsPerSymbol, burstOptions = {}) {
      // the regular 100 ms pushes would come between the burst's events, out of their order
      if (ticker !== undefined) throw new SimError('TV_ERR_SIM_BAD_ARGUMENT', 'a book burst needs the simulator in manual mode');
      const r = runtime(exchange, market);
      const targets = r.bookTargets();
      const burst = new BookBurst(targets, { eventsPerSymbol, ...burstOptions });
      const rendered = r.renderBookBurst(burst.events);
      let sending: Promise<void> | undefined;
      const send = async () => {
        try {
          while (burst.left > 0 && !stopped) {
            // written and counted as handed out in one go: a REST answer never runs ahead of the sockets
            const { from, to } = burst.handOut(BURST_CHUNK);
            r.pushRendered(rendered, from, to);
            await r.drained();
            await new Promise<void>((resolve) => setImmediate(resolve));
          }
          await r.flushed();
        } finally {
          burst.finish();
        }
      };
      return {
        events: burst.events.length,
        symbols: targets.length,
        levelChanges: burst.levelChanges,
        send: () => (sending ??= send()),
      };
    },
    inject(fault: SimFault) {
      // a fault pinned to one socket is bound now, to the Nth socket open on each matching venue
      const pinned = fault.connection === undefined ? undefined : matching(fault).flatMap((r) => r.connectionIds(fault.connection!));
      faults.add(fault, pinned === undefined ? undefined : new Set(pinned));
      if (fault.kind === 'disconnect') for (const r of matching(fault)) r.closeAll('close', pinned);
      if (fault.kind === 'server-restart') for (const r of matching(fault)) r.closeAll('terminate');
      if (fault.kind === 'delist') for (const r of matching(fault)) r.delist(fault.symbols);
    },
    clearFaults(options = {}) {
      faults.clear(options.keepTimed === true);
    },
    groundTruth(filter: GroundTruthFilter = {}): Trade[] {
      const out: Trade[] = [];
      // no spread: a large ledger would overflow the call stack's argument limit
      for (const r of matching(filter)) for (const t of r.groundTruth(filter.symbol)) out.push(t);
      return out;
    },
    truth(filter: GroundTruthFilter = {}): TruthSymbol[] {
      return matching(filter).flatMap((r) => r.truth(filter.symbol));
    },
    trueBook(exchange, market, symbol, depth) {
      const book = runtime(exchange, market).symbol(symbol)?.book;
      return book?.view(depth);
    },
    trueBookAt(exchange, market, symbol, at, depth) {
      const book = runtime(exchange, market).symbol(symbol)?.book;
      if (book === undefined) return undefined;
      if ('timestamp' in at) return book.versionAt({ timestamp: at.timestamp }, depth);
      // Binance's u and OKX's seqId are the book's update id; Bybit's u numbers one subscription's
      // pushes; Upbit's frames carry no id at all
      if (exchange === 'bybit') return book.versionAt({ venueId: at.sequence }, depth);
      if (exchange === 'upbit') return undefined;
      return book.versionAt({ updateId: at.sequence }, depth);
    },
    setSymbols(exchange, market, symbols: SimSymbolOptions[]) {
      runtime(exchange, market).setSymbols(symbols);
    },
    stats(): SimStats {
      return {
        venues: [...runtimes.values()].map((r) => {
          r.refreshStreamStats();
          return { ...r.stats };
        }),
      };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (ticker !== undefined) clearInterval(ticker);
      for (const r of runtimes.values()) r.closeAll('terminate');
      for (const client of wss.clients) client.terminate();
      for (const { listener } of hostPorts.values()) listener.close();
      await new Promise<void>((resolve) => {
        wss.close(() => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      });
    },
  };

  return sim;
}
