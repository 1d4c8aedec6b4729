/**
 * A first subscription's window has a start time and no trade id before it. Every adapter's REST
 * backfill must serve such a window by time alone, dense-id venues (Binance) included: checked
 * against the simulator's REST history and its ground truth. The simulator runs in manual mode
 * on a held clock: no trade is generated unless the test says so.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createAdapter, SUPPORTED_VENUES, type RestClient } from '../../src/exchanges/index.js';
import { createRestClient } from '../../src/rest/index.js';
import { startSimExchange, type SimExchange } from '../../src/sim/index.js';
import type { Trade } from '../../src/records.js';

const symbolOf = (exchange: string, market: string) => (exchange === 'upbit' ? 'ETH/KRW' : market === 'futures' ? 'ETH/USDT:USDT' : 'ETH/USDT');

describe('REST backfill of a window with a start time and no previous trade id', () => {
  let sim: SimExchange;
  // a held clock, starting at the real time: OKX judges its three-month retention against it
  let now = Date.now();
  let calls: string[] = [];
  let rest: RestClient;
  before(async () => {
    sim = await startSimExchange({
      mode: 'manual',
      now: () => now,
      seed: 3,
      venues: SUPPORTED_VENUES.map(({ exchange, market }) => ({
        exchange, market, symbols: [{ symbol: symbolOf(exchange, market), tradesPerSecond: 40, tickersPerSecond: 0 }],
      })),
    });
    const http = createRestClient({ maxRetries: 0 });
    rest = (url) => {
      calls.push(url);
      return http(url);
    };
    // 10 s of trading; the clock follows so REST rate windows see time pass
    for (let i = 0; i < 100; i++) {
      sim.advance(100);
      now += 100;
    }
  });
  after(async () => sim?.stop());

  for (const { exchange, market } of SUPPORTED_VENUES) {
    test(`${exchange} ${market}: exactly the trades in [from, to], complete`, async () => {
      const adapter = createAdapter(exchange, market, sim.endpoints(exchange, market));
      const instrument = (await adapter.listInstruments(rest)).find((i) => i.symbol === symbolOf(exchange, market))!;
      const truth = sim.groundTruth({ exchange, market });
      // the simulator keeps what each venue's REST history serves: Bybit spot's last 60 trades
      assert.ok(truth.length >= (exchange === 'bybit' && market === 'spot' ? 60 : 380), `${truth.length} trades generated`);
      // the newest ~40 trades: inside even Bybit spot's 60-trade history
      const first = truth[truth.length - 40]!;
      const last = truth[truth.length - 1]!;
      const expected = truth.filter((t) => t.timestamp >= first.timestamp && t.timestamp <= last.timestamp).map((t) => t.id);
      const result = await adapter.backfillTrades(rest, { instrument, from: first.timestamp, to: last.timestamp });
      assert.equal(result.complete, true);
      assert.deepEqual(result.trades.map((t: Trade) => t.id), expected);
    });
  }

  for (const { exchange, market } of SUPPORTED_VENUES.filter((v) => !(v.exchange === 'bybit' && v.market === 'spot'))) {
    test(`${exchange} ${market}: a window starting before the symbol's first trade ever (a new symbol) is complete, cheaply`, async () => {
      const adapter = createAdapter(exchange, market, sim.endpoints(exchange, market));
      const instrument = (await adapter.listInstruments(rest)).find((i) => i.symbol === symbolOf(exchange, market))!;
      const truth = sim.groundTruth({ exchange, market });
      const from = truth[0]!.timestamp - 1_030;
      const to = truth[5]!.timestamp;
      calls = [];
      const result = await adapter.backfillTrades(rest, { instrument, from, to, untilId: truth[5]!.id });
      assert.equal(result.complete, true, 'nothing older exists, so nothing is missing');
      assert.deepEqual(result.trades.map((t) => t.id), truth.slice(0, 6).map((t) => t.id));
      // OKX and Upbit page back from the newest (400 trades here); no walk through seven empty dates
      assert.ok(calls.length <= 7, `${calls.length} calls`);
    });
  }

  test('binance: a window whose first live trade is the first trade at its start costs one aggTrades call and no history page', async () => {
    for (const market of ['spot', 'futures'] as const) {
      const adapter = createAdapter('binance', market, sim.endpoints('binance', market));
      const instrument = (await adapter.listInstruments(rest)).find((i) => i.symbol === symbolOf('binance', market))!;
      const truth = sim.groundTruth({ exchange: 'binance', market });
      const firstLive = truth[truth.length - 10]!;
      calls = [];
      // nothing was lost before the first live trade: the subscription window starts just before it
      const quiet = await adapter.backfillTrades(rest, { instrument, from: firstLive.timestamp, to: firstLive.timestamp, untilId: firstLive.id });
      assert.deepEqual(quiet, { trades: [], complete: true });
      assert.equal(calls.length, 1, `${market}: ${calls.join(' ')}`);
      assert.match(calls[0]!, /aggTrades\?.*startTime=/);
      // three trades were lost before it: they come back, and the live one with them
      const lost = truth.slice(truth.length - 13, truth.length - 10);
      calls = [];
      const filled = await adapter.backfillTrades(rest, { instrument, from: lost[0]!.timestamp, to: firstLive.timestamp, untilId: firstLive.id });
      assert.equal(filled.complete, true);
      const ids = filled.trades.map((t) => t.id);
      for (const t of lost) assert.ok(ids.includes(t.id), `${market}: ${t.id} backfilled`);
      // a reconnect that lost nothing: the first live id follows the last one held, no call at all
      calls = [];
      const none = await adapter.backfillTrades(rest, {
        instrument, afterId: truth[truth.length - 11]!.id, untilId: firstLive.id, from: truth[truth.length - 11]!.timestamp, to: firstLive.timestamp,
      });
      assert.deepEqual(none, { trades: [], complete: true });
      assert.equal(calls.length, 0);
    }
  });
});
