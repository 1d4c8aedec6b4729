import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SUPPORTED_VENUES } from '../../src/exchanges/index.js';
import type { ExchangeId, Market } from '../../src/records.js';
import { allCoinsSubscribed, nodes, startSystem, waitFor, type TestSystem } from '../support/system.js';

const SYMBOLS: Record<string, string[]> = {
  'binance:spot': ['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'XRP/USDT', 'ADA/USDT'],
  'binance:futures': ['BTC/USDT:USDT', 'ETH/USDT:USDT', 'SOL/USDT:USDT'],
  'upbit:spot': ['BTC/KRW', 'ETH/KRW', 'XRP/KRW', 'SOL/KRW'],
  'bybit:spot': ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'],
  'bybit:futures': ['BTC/USDT:USDT', 'ETH/USDT:USDT', 'SOL/USDT:USDT'],
  'okx:spot': ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'],
  'okx:futures': ['BTC/USDT:USDT', 'ETH/USDT:USDT', 'SOL/USDT:USDT'],
};

// Keep-alive periods scaled down so a few seconds cover several of them.
const TIMING = {
  binanceSpotPingIntervalMs: 300,
  binanceFuturesPingIntervalMs: 300,
  binanceSpotPongTimeoutMs: 1_000,
  binanceFuturesPongTimeoutMs: 1_000,
  okxIdleTimeoutMs: 1_000,
  bybitIdleTimeoutMs: 1_000,
  upbitIdleTimeoutMs: 1_000,
};

describe('every adapter against the simulator', () => {
  let sys: TestSystem;
  before(async () => {
    sys = await startSystem({
      exchanges: SUPPORTED_VENUES.map(({ exchange, market }) => ({
        exchange,
        market,
        simulated: true,
        groupSize: 2,
        sim: { symbols: SYMBOLS[`${exchange}:${market}`]! },
      })),
      connector: { pingIntervalMs: 250, silenceTimeoutMs: 3_000 },
      simulator: { tradesPerSecond: 20, tickersPerSecond: 5, timing: TIMING },
    });
  });
  after(async () => sys?.close());

  test('lists, groups, and subscribes every coin of all seven exchange markets', async () => {
    const total = Object.values(SYMBOLS).flat().length;
    await waitFor('every coin Subscribed', () => allCoinsSubscribed(sys.tv) && nodes(sys.tv.state(), 'coin').length === total, 20_000);
    const tree = sys.tv.state();
    assert.equal(nodes(tree, 'collector').length, 7);
    for (const { exchange, market } of SUPPORTED_VENUES) {
      const symbols = SYMBOLS[`${exchange}:${market}`]!;
      const connectors = nodes(tree, 'connector').filter((c) => c.id.startsWith(`connector:${exchange}:${market}:`));
      assert.equal(connectors.length, Math.ceil(symbols.length / 2), `${exchange} ${market} groups of 2`);
      const coins = nodes(tree, 'coin').filter((c) => c.id.startsWith(`coin:${exchange}:${market}:`));
      assert.deepEqual(coins.map((c) => c.id.split(':').slice(3).join(':')).sort(), [...symbols].sort());
    }
  });

  test('receives trades and tickers for every symbol, normalized', async () => {
    const missing = () =>
      SUPPORTED_VENUES.flatMap(({ exchange, market }) =>
        SYMBOLS[`${exchange}:${market}`]!.filter((s) => {
          const l = sys.tv.latest(exchange as ExchangeId, market as Market, s);
          return l?.trade === undefined || l.ticker === undefined;
        }).map((s) => `${exchange}:${market}:${s}`),
      );
    await waitFor('a trade and a ticker for every symbol', () => missing().length === 0, 20_000).catch((e: Error) => {
      throw new Error(`${e.message}; missing: ${missing().join(', ')}`);
    });
    for (const { exchange, market } of SUPPORTED_VENUES) {
      for (const s of SYMBOLS[`${exchange}:${market}`]!) {
        const l = sys.tv.latest(exchange as ExchangeId, market as Market, s)!;
        assert.equal(l.trade!.symbol, s);
        assert.ok(l.trade!.price > 0 && l.trade!.amount > 0, `${exchange} ${market} ${s} trade values`);
        assert.ok(['buy', 'sell'].includes(l.trade!.side));
        assert.ok(l.ticker!.last > 0);
        if (exchange === 'upbit') assert.equal(l.ticker!.bid, undefined, 'Upbit tickers have no bid: never invented');
      }
    }
  });

  test('stays connected through several keep-alive periods without reconnecting', async () => {
    // ≥ 3 idle timeouts and 10 server pings at the scaled-down periods: wait for the pings, and for
    // trades stamped 3 s later on every venue (the evidence that the system kept going that long)
    const pingsAtStart = sys.tv.sim!.stats().venues.map((v) => v.pingsSent);
    const since = Date.now();
    await waitFor('3 s of trades on every venue', () =>
      SUPPORTED_VENUES.every(({ exchange, market }) =>
        SYMBOLS[`${exchange}:${market}`]!.every((s) => (sys.tv.latest(exchange as ExchangeId, market as Market, s)?.trade?.timestamp ?? 0) >= since + 3_000),
      ),
    20_000);
    const pings = sys.tv.sim!.stats().venues.map((v, i) => v.pingsSent - (pingsAtStart[i] ?? 0));
    assert.ok(pings.some((n) => n > 0), `the exchanges pinged meanwhile: ${pings.join(', ')}`);
    const connectors = nodes(sys.tv.state(), 'connector');
    for (const c of connectors) {
      assert.equal(c.state, 'Connected', `${c.id} is ${c.detail}: ${c.lastError ?? ''}`);
      assert.equal(c.counters.connectionAttempts, 1, `${c.id} never reconnected`);
    }
    assert.ok(allCoinsSubscribed(sys.tv));
  });
});
