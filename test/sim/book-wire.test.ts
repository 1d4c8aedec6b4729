/**
 * The simulator's true book served in each venue's wire format and replayed by that venue's rules
 * (the code `parse --book` and the collectors use) ends equal to the true book; a dropped frame is
 * caught as a broken sequence, never taken for a book.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BookReplay } from '../../src/books/replay.js';
import { bookVenue } from '../../src/books/venues.js';
import type { Instrument } from '../../src/exchanges/types.js';
import { Prng } from '../../src/prng.js';
import type { ExchangeId, Market } from '../../src/records.js';
import { TrueBook, type TickLevel } from '../../src/sim/book/true-book.js';
import { binanceDepthEvent, binanceDepthSnapshot, bybitOrderbook, fixed, okxBooks, upbitOrderbook } from '../../src/sim/book/wire.js';

const F = { priceDecimals: 2, amountDecimals: 3 };
const T0 = 1_800_000_000_000;

/** the true book's top n as a client should print it */
function top(book: TrueBook, n: number, contract = 1): { bids: [number, number][]; asks: [number, number][] } {
  const side = (levels: TickLevel[]) => levels.slice(0, n).map(([t, l]): [number, number] => [Number(fixed(t, F.priceDecimals)), Number(fixed(l, F.amountDecimals)) * contract]);
  return { bids: side(book.sorted('bid')), asks: side(book.sorted('ask')) };
}

/** a market that moves: churn, trades eating the top, the mid drifting */
function step(book: TrueBook, prng: Prng, mid: { ticks: number }): void {
  book.churn(1 + prng.int(6));
  if (prng.next() < 0.5) book.take(prng.next() < 0.5 ? 'bid' : 'ask', 1 + prng.int(20_000));
  if (prng.next() < 0.3) {
    mid.ticks += prng.int(7) - 3;
    book.recentre(mid.ticks);
  }
}

interface Case {
  exchange: ExchangeId;
  market: Market;
  nativeId: string;
  symbol: string;
  instruments?: Instrument[];
  contract?: number;
  /** frames of the run (one per step), and the REST snapshot taken at step `snapshotAt` where the venue needs one */
  run(book: TrueBook, prng: Prng, steps: number): { frames: object[]; snapshot?: object };
}

const CASES: Case[] = [
  {
    exchange: 'binance', market: 'spot', nativeId: 'BTCUSDT', symbol: 'BTC/USDT',
    run(book, prng, steps) {
      const mid = { ticks: 1_000_000 };
      const frames: object[] = [];
      let snapshot: object | undefined;
      for (let i = 0; i < steps; i++) {
        step(book, prng, mid);
        const diff = book.takeDiff();
        if (diff.lastId >= diff.firstId) frames.push(binanceDepthEvent(diff, 'BTCUSDT', F, T0 + i, undefined));
        if (i === 7) snapshot = binanceDepthSnapshot(book, F, 1000, T0 + i, false); // taken while events stream: some precede it
      }
      return { frames, ...(snapshot ? { snapshot } : {}) };
    },
  },
  {
    exchange: 'binance', market: 'futures', nativeId: 'BTCUSDT', symbol: 'BTC/USDT:USDT',
    run(book, prng, steps) {
      const mid = { ticks: 1_000_000 };
      const frames: object[] = [];
      let snapshot: object | undefined;
      let prevU = 0;
      for (let i = 0; i < steps; i++) {
        step(book, prng, mid);
        const diff = book.takeDiff();
        if (diff.lastId < diff.firstId) continue;
        frames.push(binanceDepthEvent(diff, 'BTCUSDT', F, T0 + i, { prevU }));
        prevU = diff.lastId;
        if (i === 7) snapshot = binanceDepthSnapshot(book, F, 1000, T0 + i, true);
      }
      return { frames, ...(snapshot ? { snapshot } : {}) };
    },
  },
  {
    exchange: 'bybit', market: 'spot', nativeId: 'BTCUSDT', symbol: 'BTC/USDT',
    run(book, prng, steps) {
      const mid = { ticks: 1_000_000 };
      const frames: object[] = [bybitOrderbook(book, undefined, 'BTCUSDT', 200, F, T0, 1000, book.updateId)];
      for (let i = 0; i < steps; i++) {
        step(book, prng, mid);
        const diff = book.takeDiff();
        if (diff.lastId >= diff.firstId) frames.push(bybitOrderbook(book, diff, 'BTCUSDT', 200, F, T0 + i, 1000 + frames.length, book.updateId));
      }
      return { frames };
    },
  },
  {
    exchange: 'okx', market: 'futures', nativeId: 'BTC-USDT-SWAP', symbol: 'BTC/USDT:USDT', contract: 0.01,
    instruments: [{ symbol: 'BTC/USDT:USDT', nativeId: 'BTC-USDT-SWAP', base: 'BTC', quote: 'USDT', settle: 'USDT', active: true, contractSize: 0.01 }],
    run(book, prng, steps) {
      const mid = { ticks: 1_000_000 };
      const frames: object[] = [okxBooks(book, undefined, 'BTC-USDT-SWAP', F, T0, -1, true)];
      let prev = book.updateId;
      for (let i = 0; i < steps; i++) {
        step(book, prng, mid);
        const diff = book.takeDiff();
        frames.push(okxBooks(book, diff, 'BTC-USDT-SWAP', F, T0 + i, prev, true));
        prev = book.updateId;
      }
      return { frames };
    },
  },
  {
    exchange: 'upbit', market: 'spot', nativeId: 'KRW-BTC', symbol: 'BTC/KRW',
    run(book, prng, steps) {
      const mid = { ticks: 1_000_000 };
      const frames: object[] = [];
      for (let i = 0; i < steps; i++) {
        step(book, prng, mid);
        frames.push(upbitOrderbook(book, 'KRW-BTC', F, T0 + i));
      }
      return { frames };
    },
  },
];

describe('the simulator true book in each venue format, replayed by the venue rules', () => {
  for (const c of CASES) {
    test(`${c.exchange} ${c.market}: the replayed book equals the true book`, () => {
      const book = new TrueBook(new Prng(7), 1_000_000, { depth: 60 });
      const { frames, snapshot } = c.run(book, new Prng(11), 300);
      const replay = new BookReplay(bookVenue(c.exchange, c.market), { ...(c.instruments ? { instruments: c.instruments } : {}), ...(snapshot ? { snapshot } : {}) });
      const problems = frames.flatMap((f) => replay.line(JSON.stringify(f)));
      assert.deepEqual(problems, []);
      const [got] = replay.books(20);
      const want = top(book, 20, c.contract ?? 1);
      assert.equal(got?.symbol, c.symbol);
      assert.deepEqual(got?.bids.map(([p, a]) => [p, Number(a.toPrecision(12))]), want.bids.map(([p, a]) => [p, Number(a.toPrecision(12))]));
      assert.deepEqual(got?.asks.map(([p, a]) => [p, Number(a.toPrecision(12))]), want.asks.map(([p, a]) => [p, Number(a.toPrecision(12))]));
    });

    if (c.exchange === 'upbit') continue;
    test(`${c.exchange} ${c.market}: a dropped update is a broken sequence`, () => {
      const book = new TrueBook(new Prng(7), 1_000_000, { depth: 60 });
      const { frames, snapshot } = c.run(book, new Prng(11), 120);
      const dropAt = frames.length - 40;
      const replay = new BookReplay(bookVenue(c.exchange, c.market), { ...(c.instruments ? { instruments: c.instruments } : {}), ...(snapshot ? { snapshot } : {}) });
      const problems = frames.filter((_, k) => k !== dropAt).flatMap((f) => replay.line(JSON.stringify(f)));
      assert.equal(replay.breaks, 1, `one break: ${problems.join('; ')}`);
    });
  }
});
