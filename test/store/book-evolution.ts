/**
 * A real book evolution for the book store's tests: the simulator's TrueBook churned, traded into
 * and re-centred step by step, each step's changes one `update` record, a `snapshot` record every
 * few steps, and the true book kept at every step to compare what the store rebuilds with.
 */
import type { BookLevelTuple, BookRecord } from '../../src/records.js';
import { Prng } from '../../src/prng.js';
import { TrueBook, type TickLevel } from '../../src/sim/book/true-book.js';

/** prices in cents, amounts in thousandths: short decimals, as on the wire */
const price = (ticks: number) => ticks / 100;
const amount = (lots: number) => lots / 1000;
const levels = (ls: readonly TickLevel[]): BookLevelTuple[] => ls.map(([t, l]) => [price(t), amount(l)]);

export interface EvolutionStep {
  time: number;
  /** the records this step produced, in order */
  records: BookRecord[];
  /** the whole true book after the step, best first */
  bids: BookLevelTuple[];
  asks: BookLevelTuple[];
}

export interface EvolutionOptions {
  seed?: number;
  steps: number;
  start?: number;
  /** ms between steps */
  stepMs?: number;
  /** a snapshot record every this many steps (step 0 always) */
  snapshotEvery?: number;
  depth?: number;
  symbol?: string;
}

export function evolveBook(o: EvolutionOptions): EvolutionStep[] {
  const prng = new Prng(o.seed ?? 7);
  const depth = o.depth ?? 40;
  let mid = 2_615_040;
  const book = new TrueBook(prng, mid, { depth, maxLots: 5_000 });
  const symbol = o.symbol ?? 'BTC/USDT';
  const start = o.start ?? 1_700_000_000_000;
  const stepMs = o.stepMs ?? 100;
  const every = o.snapshotEvery ?? 25;
  const base = { type: 'book', exchange: 'binance', market: 'spot', symbol } as const;
  const out: EvolutionStep[] = [];
  for (let i = 0; i < o.steps; i++) {
    const time = start + i * stepMs;
    const records: BookRecord[] = [];
    if (i > 0) {
      book.churn(1 + prng.int(6));
      if (prng.next() < 0.3) book.take(prng.next() < 0.5 ? 'bid' : 'ask', 1 + prng.int(8_000));
      if (prng.next() < 0.2) book.recentre((mid += prng.int(5) - 2));
      const diff = book.takeDiff();
      records.push({ ...base, kind: 'update', timestamp: time, localTimestamp: time + 4, sequence: diff.lastId, bids: levels(diff.bids), asks: levels(diff.asks) });
    }
    if (i % every === 0) {
      book.takeDiff();
      records.push({ ...base, kind: 'snapshot', timestamp: time, localTimestamp: time + 4, sequence: book.updateId, bids: levels(book.sorted('bid')), asks: levels(book.sorted('ask')) });
    }
    out.push({ time, records, bids: levels(book.sorted('bid')), asks: levels(book.sorted('ask')) });
  }
  return out;
}
