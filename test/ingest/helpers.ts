/** A hand-driven clock and a controllable fake store for pipeline tests. */
export { ManualClock } from '../../src/time/manual-clock.js';
import type { Clock } from '../../src/time/clock.js';
import type { MarketRecord, Trade } from '../../src/records.js';
import type { WriteResult } from '../../src/store/types.js';

/** lets queued promise callbacks run (the pipeline reacts to store results in .then) */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Stores records by their identity like the real store (a trade's key is exchange, market,
 * symbol, timestamp, id), counting duplicates. Writes complete only when the test says so
 * (`manual`), or at once.
 */
export class FakeStore {
  readonly stored = new Map<string, MarketRecord>();
  readonly batches: number[] = [];
  private pendingWrites: { batch: readonly MarketRecord[]; resolve: (r: WriteResult) => void; reject: (e: Error) => void }[] = [];
  maxConcurrent = 0;
  failNext = 0;
  private tickerSeq = 0;

  constructor(private readonly manual = false) {}

  get inFlight(): number {
    return this.pendingWrites.length;
  }

  writeBatch = (batch: readonly MarketRecord[]): Promise<WriteResult> =>
    new Promise((resolve, reject) => {
      this.pendingWrites.push({ batch, resolve, reject });
      this.maxConcurrent = Math.max(this.maxConcurrent, this.pendingWrites.length);
      if (!this.manual) this.completeNext();
    });

  /** commits (or fails, when failNext > 0) the oldest pending write */
  completeNext(): boolean {
    const w = this.pendingWrites.shift();
    if (!w) return false;
    if (this.failNext > 0) {
      this.failNext--;
      w.reject(Object.assign(new Error('disk on fire'), { code: 'TEST_FAIL' }));
      return true;
    }
    let written = 0;
    let duplicates = 0;
    for (const r of w.batch) {
      const key = r.type === 'trade' ? `${r.exchange}|${r.market}|${r.symbol}|${r.timestamp}|${r.id}` : `ticker ${++this.tickerSeq}`;
      if (this.stored.has(key)) duplicates++;
      else {
        this.stored.set(key, r);
        written++;
      }
    }
    this.batches.push(w.batch.length);
    w.resolve({ written, duplicates });
    return true;
  }

  tradeIds(): string[] {
    return [...this.stored.values()].filter((r): r is Trade => r.type === 'trade').map((t) => t.id);
  }
}

export const NOW = 1_700_000_000_000;

export function trade(id: string | number, over: Partial<Trade> = {}): Trade {
  return {
    type: 'trade', exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', id: String(id),
    price: 100, amount: 1, side: 'buy', timestamp: NOW, localTimestamp: NOW, ...over,
  };
}

export function trades(from: number, count: number, over: Partial<Trade> = {}): Trade[] {
  return Array.from({ length: count }, (_, i) => trade(from + i, over));
}

/**
 * A clock that only waits move: each timer jumps time forward by its delay and fires on the next
 * microtask, recording the delay. For code whose waits are backoffs (the gap filler): a test sees
 * which waits it asked for without running them.
 */
export function jumpingClock(start = NOW): Clock & { waits: number[] } {
  let t = start;
  const waits: number[] = [];
  return {
    waits,
    now: () => t,
    setTimeout: (callback, ms) => {
      waits.push(ms);
      t += ms;
      queueMicrotask(callback);
      return undefined;
    },
    clearTimeout: () => undefined,
  };
}
