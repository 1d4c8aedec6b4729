/** Driver side of bench/sim-child.ts: the simulator in its own process, one venue. */
import type { SimFault, SimOptions, SimStats, SimSymbolOptions } from '../src/sim/index.js';
import type { TopBooks } from './lib/book-compare.js';
import { startChild } from './lib/child.js';

export interface SimProcess {
  endpoints: { wsUrl: string; restUrl: string };
  burst(count: number): Promise<void>;
  /** `count` trades as burst() sends them, generated and rendered now; `sendBurst` sends them (only writing) */
  prepareBurst(count: number): Promise<void>;
  sendBurst(): Promise<void>;
  /**
   * N book diff events for every symbol whose book a client asked for (manual mode), generated and
   * rendered now; `sendBookBurst` sends them as fast as the socket drains
   */
  prepareBookBurst(eventsPerSymbol: number, meanChanges?: number): Promise<BookBurstInfo>;
  sendBookBurst(): Promise<void>;
  /** both of the above */
  bookBurst(eventsPerSymbol: number, meanChanges?: number): Promise<BookBurstInfo>;
  /** the true books now, top `depth` per side (null: no client asked for that symbol's book) */
  trueBooks(depth: number): Promise<TopBooks>;
  /** resolves with the simulator's clock (ms since epoch) at injection */
  inject(fault: SimFault): Promise<number>;
  setSymbols(symbols: SimSymbolOptions[]): Promise<void>;
  /** every trade the simulator generated (its ground truth) */
  generated(): Promise<number>;
  /** the ids of every trade the simulator generated, per unified symbol */
  truthIds(): Promise<Record<string, string[]>>;
  stats(): Promise<SimStats>;
  /** the simulator process's CPU so far, seconds */
  cpuSeconds(): Promise<number>;
  stop(): Promise<void>;
}

/** a prepared book burst: its events in all, over how many books, and the level changes they carry */
export interface BookBurstInfo {
  events: number;
  symbols: number;
  levelChanges: number;
}

export async function startSimProcess(options: SimOptions): Promise<SimProcess> {
  const child = await startChild('sim', 'sim-child.ts');
  const { wsUrl, restUrl } = await child.call<{ wsUrl: string; restUrl: string }>('start', options);
  return {
    endpoints: { wsUrl, restUrl },
    burst: async (count) => void (await child.call('burst', count)),
    prepareBurst: async (count) => {
      const { trades } = await child.call<{ trades: number }>('burstPrepare', count);
      if (trades !== count) throw new Error(`simulator prepared ${trades} of ${count} trades (no symbol trading?)`);
    },
    sendBurst: async () => void (await child.call('burstSend')),
    prepareBookBurst: (eventsPerSymbol, meanChanges) => child.call<BookBurstInfo>('bookBurstPrepare', { eventsPerSymbol, ...(meanChanges === undefined ? {} : { meanChanges }) }),
    sendBookBurst: async () => void (await child.call('bookBurstSend')),
    bookBurst: async (eventsPerSymbol, meanChanges) => {
      const info = await child.call<BookBurstInfo>('bookBurstPrepare', { eventsPerSymbol, ...(meanChanges === undefined ? {} : { meanChanges }) });
      await child.call('bookBurstSend');
      return info;
    },
    trueBooks: (depth) => child.call<TopBooks>('trueBooks', depth),
    inject: async (fault) => (await child.call<{ at: number }>('inject', fault)).at,
    setSymbols: async (symbols) => void (await child.call('setSymbols', symbols)),
    generated: () => child.call<number>('generated'),
    truthIds: () => child.call<Record<string, string[]>>('truthIds'),
    stats: () => child.call<SimStats>('stats'),
    cpuSeconds: () => child.call<number>('cpuSeconds'),
    stop: () => child.stop(),
  };
}

/** one venue of Binance spot with these symbols, each at `tradesPerSecond` */
export function binanceSpot(seed: number, syms: string[], tradesPerSecond: number, mode: 'auto' | 'manual'): SimOptions {
  return {
    seed,
    mode,
    venues: [{ exchange: 'binance', market: 'spot', symbols: syms.map((symbol) => ({ symbol, tradesPerSecond, tickersPerSecond: 0 })) }],
  };
}

export function symbols(n: number): string[] {
  // BASE0/USDT … synthetic bases keep any count possible; the first few are real names
  const real = ['BTC', 'ETH', 'SOL', 'XRP', 'ADA', 'DOGE', 'TRX', 'DOT', 'LINK', 'AVAX'];
  return Array.from({ length: n }, (_, i) => `${i < real.length ? real[i] : `C${i}X`}/USDT`);
}
