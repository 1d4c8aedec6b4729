// The simulated exchange in its own process, so the bench measures only the consumer's CPU.
// Commands (lib/protocol.ts): start(SimOptions) → endpoints of its one venue; burst(N); burstPrepare(N); burstSend();
// bookBurstPrepare({ eventsPerSymbol }) → events; bookBurstSend(); trueBooks(depth) → each symbol's true top; inject(fault)
// → the simulator's clock at injection; setSymbols(list); generated() → trades in the ledger; truthIds() → their ids per symbol;
// cpuSeconds() → its own CPU so far.
import { startSimExchange, type PreparedBookBurst, type PreparedBurst, type SimExchange, type SimFault, type SimOptions, type SimSymbolOptions } from '../src/sim/index.js';
import { serve } from './lib/protocol.js';

let sim: SimExchange | undefined;
let venue: SimOptions['venues'][0] | undefined;
let book: PreparedBookBurst | undefined;
let trades: PreparedBurst | undefined;
const need = () => {
  if (!sim || !venue) throw new Error('simulator not started');
  return { sim, venue };
};

serve(
  {
    start: async (options: SimOptions) => {
      sim = await startSimExchange(options);
      venue = options.venues[0]!;
      return { ...sim.endpoints(venue.exchange, venue.market), port: sim.port };
    },
    burst: async (count: number) => {
      const { sim, venue } = need();
      await sim.burst(venue.exchange, venue.market, count);
      return { sent: count };
    },
    /**
     * N trades as `burst` sends them, generated and rendered now; `burstSend` sends them, so the
     * timed part only writes frames (a live burst's generation took as much CPU as the floor
     * consumer's, on the same two cores)
     */
    burstPrepare: async (count: number) => {
      const { sim, venue } = need();
      trades = await sim.prepareBurst(venue.exchange, venue.market, count);
      return { trades: trades.trades };
    },
    burstSend: async () => {
      const prepared = trades;
      if (prepared === undefined) throw new Error('burstSend before burstPrepare');
      trades = undefined;
      await prepared.send();
      return true;
    },
    /**
     * N book diff events per symbol whose book a client asked for, generated and rendered now (REST
     * answers the books as they stand until they are sent); `bookBurstSend` sends them
     */
    bookBurstPrepare: (arg: { eventsPerSymbol: number; meanChanges?: number }) => {
      const { sim, venue } = need();
      book = sim.prepareBookBurst(venue.exchange, venue.market, arg.eventsPerSymbol, arg.meanChanges === undefined ? {} : { meanChanges: arg.meanChanges });
      return { events: book.events, symbols: book.symbols, levelChanges: book.levelChanges };
    },
    /** the prepared book burst, as fast as the socket drains */
    bookBurstSend: async () => {
      const prepared = book;
      if (prepared === undefined) throw new Error('bookBurstSend before bookBurstPrepare');
      book = undefined;
      await prepared.send();
      return true;
    },
    /** every symbol's true book, top `depth` per side, in base units (null: no client asked for it) */
    trueBooks: (depth: number) => {
      const { sim, venue } = need();
      const out: Record<string, { bids: [number, number][]; asks: [number, number][] } | null> = {};
      for (const { symbol } of venue.symbols) {
        const view = sim.trueBook(venue.exchange, venue.market, symbol, depth);
        out[symbol] = view === undefined ? null : { bids: view.bids, asks: view.asks };
      }
      return out;
    },
    inject: (fault: SimFault) => {
      const { sim } = need();
      const at = Date.now();
      sim.inject(fault);
      return { at };
    },
    setSymbols: (symbols: SimSymbolOptions[]) => {
      const { sim, venue } = need();
      sim.setSymbols(venue.exchange, venue.market, symbols);
      return true;
    },
    generated: () => need().sim.groundTruth().length,
    /** every generated trade's id, per unified symbol (the ground truth a loss count compares the store with) */
    truthIds: () => {
      const out: Record<string, string[]> = {};
      for (const t of need().sim.groundTruth()) (out[t.symbol] ??= []).push(t.id);
      return out;
    },
    stats: () => need().sim.stats(),
    /** this process's CPU so far (user + system, every thread), seconds: was the simulator the bound? */
    cpuSeconds: () => {
      const c = process.cpuUsage();
      return (c.user + c.system) / 1e6;
    },
  },
  async () => {
    await sim?.stop();
  },
);
