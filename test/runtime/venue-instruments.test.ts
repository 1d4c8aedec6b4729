/**
 * VenueRuntime.instruments(): one array per listing. Every connection's parser builds its native-id
 * table from it, and parsers of the same array share one table (exchanges/common.ts symbolMapper),
 * so handing out a fresh copy per connection would bring back one table per connection.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createAdapter } from '../../src/exchanges/index.js';
import type { ExchangeAdapter, Instrument } from '../../src/exchanges/types.js';
import { createPipeline } from '../../src/ingest/index.js';
import { VenueRuntime } from '../../src/runtime/venue-io.js';
import { FakeStore, ManualClock } from '../ingest/helpers.js';

const silent = { warn: () => undefined, info: () => undefined, error: () => undefined };
const instrument = (symbol: string): Instrument => ({ symbol, nativeId: symbol.replace('/', ''), base: symbol.split('/')[0] ?? '', quote: 'USDT', active: true });

function runtime(listings: Instrument[][]) {
  const clock = new ManualClock(1_700_000_000_000);
  const pipeline = createPipeline({ store: new FakeStore(), clock, batchMaxDelayMs: 1 });
  let n = 0;
  const adapter: ExchangeAdapter = { ...createAdapter('binance', 'spot'), listInstruments: async () => listings[Math.min(n++, listings.length - 1)] ?? [] };
  const rest = async () => ({ status: 500, headers: {}, body: null });
  return new VenueRuntime(adapter, 'ws://unused', 'http://unused', pipeline, rest, silent, [], undefined, { clock });
}

describe('VenueRuntime: the instrument list', () => {
  test('is the same frozen array until the next listing, then a new one with that listing', async () => {
    const venue = runtime([[instrument('BTC/USDT'), instrument('ETH/USDT')], [instrument('BTC/USDT'), instrument('SOL/USDT')]]);
    await venue.list();
    const first = venue.instruments();
    assert.equal(venue.instruments(), first, 'every connection gets the same array');
    assert.ok(Object.isFrozen(first), 'shared, so nobody may change it');
    assert.deepEqual(first.map((i) => i.symbol), ['BTC/USDT', 'ETH/USDT']);

    await venue.list();
    const second = venue.instruments();
    assert.notEqual(second, first);
    // ETH/USDT disappeared: kept, inactive, until its connectors unsubscribe
    assert.deepEqual(second.map((i) => [i.symbol, i.active]), [['BTC/USDT', true], ['SOL/USDT', true], ['ETH/USDT', false]]);
  });

  test("two connections' parsers of one listing map listed ids and guess unlisted ones alike", async () => {
    const venue = runtime([[instrument('BTC/USDT')]]);
    await venue.list();
    const frame = (s: string) => JSON.stringify({ e: 'trade', E: 1, s, t: 7, p: '1', q: '1', T: 1, m: false });
    for (const parser of [venue.adapter.createParser(venue.instruments()), venue.adapter.createParser(venue.instruments())]) {
      assert.equal(parser.parse(frame('BTCUSDT'), 0).records[0]?.symbol, 'BTC/USDT');
      assert.equal(parser.parse(frame('DOGEUSDT'), 0).records[0]?.symbol, 'DOGE/USDT');
    }
  });
});
