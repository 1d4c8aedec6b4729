/**
 * Candles from trades: exact OHLCV for known trades (expected values written out by hand or
 * computed here by a naive reference, never by the code under test), interval edges, the buy/sell
 * split, no candle for an empty interval, and a read that streams (the first candle comes out
 * before the trades are all read).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CandleAggregator, candlesFrom, type Candle } from '../../src/analysis/candles.js';
import { parseInterval } from '../../src/analysis/interval.js';
import { readCandles } from '../../src/analysis/store-candles.js';
import { TickvisorError } from '../../src/errors.js';
import type { RangeQuery } from '../../src/store/types.js';
import type { Trade } from '../../src/records.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 5, 10, 0, 0); // a whole minute

function trade(timestamp: number, price: number, amount: number, side: 'buy' | 'sell', id = String(timestamp)): Trade {
  return { type: 'trade', exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', id, price, amount, side, timestamp, localTimestamp: timestamp + 1 };
}

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of items) out.push(x);
  return out;
}

describe('parseInterval', () => {
  test('seconds, minutes, hours, days and their multiples, up to a day', () => {
    assert.equal(parseInterval('1s'), 1_000);
    assert.equal(parseInterval('1m'), 60_000);
    assert.equal(parseInterval('5m'), 300_000);
    assert.equal(parseInterval('90m'), 5_400_000);
    assert.equal(parseInterval('4h'), 14_400_000);
    assert.equal(parseInterval('1d'), 86_400_000);
    assert.equal(parseInterval('86400s'), 86_400_000);
  });

  for (const bad of ['', 'm', '0m', '1w', '1.5m', '-1m', '1M', '2d', '25h', '1 m', '01m', 'abc']) {
    test(`'${bad}' is refused in one coded line`, () => {
      assert.throws(
        () => parseInterval(bad),
        (e: unknown) => e instanceof TickvisorError && e.code === 'TV_ERR_INVALID_ARGUMENT' && e.userError && !e.message.includes('\n'),
      );
    });
  }
});

describe('candles of known trades', () => {
  test('1m: open/high/low/close, volumes, count, buy/sell split; a trade on the boundary opens the next candle', async () => {
    const trades = [
      trade(T0 + 0, 100, 1, 'buy'), // exactly on the first boundary
      trade(T0 + 10_000, 105.5, 0.5, 'sell'),
      trade(T0 + 30_000, 99.25, 2, 'buy'),
      trade(T0 + MIN - 1, 101, 0.25, 'sell'), // last ms of the first minute
      trade(T0 + MIN, 102, 3, 'sell'), // exactly on the second boundary
      // minute 3 (T0 + 2 min) has no trade: no candle
      trade(T0 + 3 * MIN + 5, 98, 1.5, 'buy'),
    ];
    const got = await all(candlesFrom(trades, parseInterval('1m')));
    const want: Candle[] = [
      {
        start: T0, open: 100, high: 105.5, low: 99.25, close: 101, trades: 4,
        volume: 1 + 0.5 + 2 + 0.25,
        quoteVolume: 100 * 1 + 105.5 * 0.5 + 99.25 * 2 + 101 * 0.25,
        buyVolume: 3, sellVolume: 0.75,
      },
      { start: T0 + MIN, open: 102, high: 102, low: 102, close: 102, trades: 1, volume: 3, quoteVolume: 306, buyVolume: 0, sellVolume: 3 },
      { start: T0 + 3 * MIN, open: 98, high: 98, low: 98, close: 98, trades: 1, volume: 1.5, quoteVolume: 147, buyVolume: 1.5, sellVolume: 0 },
    ];
    assert.deepEqual(got, want);
  });

  test('intervals align to the UTC epoch, not to the first trade', async () => {
    const first = Date.UTC(2026, 0, 5, 10, 7, 13, 500); // 10:07:13.5
    const got = await all(candlesFrom([trade(first, 1, 1, 'buy'), trade(Date.UTC(2026, 0, 5, 10, 9, 59, 999), 2, 1, 'buy'), trade(Date.UTC(2026, 0, 5, 10, 10), 3, 1, 'buy')], parseInterval('5m')));
    assert.deepEqual(got.map((c) => new Date(c.start).toISOString()), ['2026-01-05T10:05:00.000Z', '2026-01-05T10:10:00.000Z']);
    assert.deepEqual(got.map((c) => c.trades), [2, 1]);
    const day = await all(candlesFrom([trade(first, 1, 1, 'buy')], parseInterval('1d')));
    assert.equal(new Date(day[0]!.start).toISOString(), '2026-01-05T00:00:00.000Z');
  });

  test('records that are not trades are passed over; no trades, no candle', async () => {
    const ticker = { type: 'ticker', exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', timestamp: T0, localTimestamp: T0, last: 5 };
    assert.deepEqual(await all(candlesFrom([ticker], MIN)), []);
    assert.equal((await all(candlesFrom([ticker, trade(T0 + 1, 7, 1, 'sell')], MIN)))[0]!.open, 7);
  });

  test('random trades match a naive reference (group, then fold each group)', async () => {
    let seed = 42;
    const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const trades: Trade[] = [];
    let ts = T0 - 7_777;
    for (let i = 0; i < 5_000; i++) {
      ts += Math.floor(rand() * 4_000); // several trades in the same ms happen too
      trades.push(trade(ts, Math.round((100 + rand() * 10) * 100) / 100, Math.round(rand() * 1e6) / 1e6, rand() < 0.5 ? 'buy' : 'sell', String(i)));
    }
    for (const interval of ['1s', '1m', '15m', '1h']) {
      const ms = parseInterval(interval);
      const groups = new Map<number, Trade[]>();
      for (const t of trades) {
        const start = t.timestamp - (((t.timestamp % ms) + ms) % ms);
        groups.set(start, [...(groups.get(start) ?? []), t]);
      }
      const want = [...groups.entries()].map(([start, g]) => ({
        start,
        open: g[0]!.price,
        high: Math.max(...g.map((t) => t.price)),
        low: Math.min(...g.map((t) => t.price)),
        close: g[g.length - 1]!.price,
        volume: g.reduce((s, t) => s + t.amount, 0),
        quoteVolume: g.reduce((s, t) => s + t.price * t.amount, 0),
        trades: g.length,
        buyVolume: g.filter((t) => t.side === 'buy').reduce((s, t) => s + t.amount, 0),
        sellVolume: g.filter((t) => t.side === 'sell').reduce((s, t) => s + t.amount, 0),
      }));
      const got = await all(candlesFrom(trades, ms));
      assert.ok(got.length > 1, interval);
      assert.deepEqual(got, want, interval);
    }
  });
});

describe('CandleAggregator', () => {
  test('takes the columnar side code (0 buy, 1 sell) as well as the record spelling', () => {
    const a = new CandleAggregator(MIN);
    assert.equal(a.add(T0, 10, 2, 0), undefined);
    assert.equal(a.add(T0 + 1, 11, 3, 1), undefined);
    const closed = a.add(T0 + MIN, 12, 1, 'sell');
    assert.deepEqual({ buy: closed?.buyVolume, sell: closed?.sellVolume, trades: closed?.trades }, { buy: 2, sell: 3, trades: 2 });
    assert.equal(a.flush()?.start, T0 + MIN);
    assert.equal(a.flush(), undefined);
  });

  test('a trade with a non-finite number is skipped and counted, not folded in', () => {
    const a = new CandleAggregator(MIN);
    a.add(T0, 10, 1, 'buy');
    a.add(T0 + 1, Number.NaN, 1, 'buy');
    a.add(Number.POSITIVE_INFINITY, 10, 1, 'buy');
    assert.equal(a.skipped, 2);
    assert.deepEqual({ trades: a.flush()?.trades }, { trades: 1 });
  });

  test('a bad interval is a RangeError, not a silent empty read', () => {
    assert.throws(() => new CandleAggregator(0), RangeError);
    assert.throws(() => new CandleAggregator(1.5), RangeError);
  });
});

describe('readCandles over a store', () => {
  test('reads only trades, passes the range on, and streams: the first candle comes out before the read ends', async () => {
    const asked: RangeQuery[] = [];
    let pulled = 0;
    const store = {
      readRange(query: RangeQuery): AsyncIterable<Trade> {
        asked.push(query);
        return (async function* () {
          for (let minute = 0; minute < 1_000; minute++) {
            pulled++;
            yield trade(T0 + minute * MIN, 100 + minute, 1, 'buy');
          }
        })();
      },
    };
    const iterator = readCandles(store, 'binance', 'spot', 'BTC/USDT', { interval: '1m', from: T0, to: T0 + 1_000 * MIN })[Symbol.asyncIterator]();
    const first = await iterator.next();
    assert.equal(first.value?.start, T0);
    // one trade past the first minute closes its candle; the rest is not read yet
    assert.equal(pulled, 2);
    await iterator.return?.();
    assert.deepEqual(asked, [{ exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', type: 'trade', from: T0, to: T0 + 1_000 * MIN }]);
  });

  test('a bad interval throws at the call, before any read', () => {
    let reads = 0;
    const store = { readRange: () => { reads++; return (async function* () {})(); } };
    assert.throws(() => readCandles(store, 'binance', 'spot', 'BTC/USDT', { interval: '7x' }), { code: 'TV_ERR_INVALID_ARGUMENT' });
    assert.equal(reads, 0);
  });
});
