/**
 * OKX REST `GET /api/v5/market/books` from the simulator: where no WebSocket snapshot comes a
 * client seeds its book here, so the answer is the true book now, `sz` levels a side, with the
 * `seqId` the WebSocket updates chain on, parsed by the collector's own OKX rules.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bookVenue } from '../../src/books/venues.js';
import { createAdapter } from '../../src/exchanges/index.js';
import type { RestClient } from '../../src/exchanges/types.js';
import { startSimExchange, type SimExchange } from '../../src/sim/index.js';
import { fakeClock, getJson } from './helpers.js';

describe('okx REST books', () => {
  let sim: SimExchange;
  const clock = fakeClock();
  before(async () => {
    sim = await startSimExchange({
      mode: 'manual', seed: 9, now: clock.now,
      venues: [
        { exchange: 'okx', market: 'spot', symbols: [{ symbol: 'BTC/USDT', tradesPerSecond: 30 }] },
        { exchange: 'okx', market: 'futures', symbols: [{ symbol: 'BTC/USDT:USDT', tradesPerSecond: 30 }] },
      ],
    });
  });
  after(() => sim.stop());

  test('spot: sz levels a side of the true book, its seqId, by the collector’s parser', async () => {
    const { restUrl } = sim.endpoints('okx', 'spot');
    await getJson(`${restUrl}/api/v5/market/books?instId=BTC-USDT&sz=1`); // the book exists once asked for
    for (let t = 0; t < 1000; t += 20) {
      clock.advance(20);
      sim.advance(20);
    }
    const res = await getJson(`${restUrl}/api/v5/market/books?instId=BTC-USDT&sz=5`);
    assert.equal(res.status, 200);
    const truth = sim.trueBook('okx', 'spot', 'BTC/USDT', 5)!;
    const frame = bookVenue('okx', 'spot').parseSnapshot(res.body, undefined, 'BTC-USDT');
    assert.equal(frame.lastId, truth.updateId);
    assert.deepEqual(frame.bids.map((l) => [l[0], l[1]]), truth.bids);
    assert.deepEqual(frame.asks.map((l) => [l[0], l[1]]), truth.asks);
    const one = (await getJson(`${restUrl}/api/v5/market/books?instId=BTC-USDT`)).body as { data: [{ bids: unknown[] }] };
    assert.equal(one.data[0].bids.length, 1, 'sz defaults to 1');
    const unknown = await getJson(`${restUrl}/api/v5/market/books?instId=NOPE-USDT`);
    assert.equal((unknown.body as { code: string }).code, '51001');
  });

  test('swap: sizes are contracts, read as base units with the listing', async () => {
    const { restUrl } = sim.endpoints('okx', 'futures');
    const listing = await getJson(`${restUrl}/api/v5/public/instruments?instType=SWAP`);
    const fromFile: RestClient = async () => ({ status: 200, headers: {}, body: listing.body });
    const instruments = await createAdapter('okx', 'futures').listInstruments(fromFile, 'http://instruments.file');
    const res = await getJson(`${restUrl}/api/v5/market/books?instId=BTC-USDT-SWAP&sz=3`);
    const truth = sim.trueBook('okx', 'futures', 'BTC/USDT:USDT', 3)!;
    const frame = bookVenue('okx', 'futures').parseSnapshot(res.body, instruments, 'BTC-USDT-SWAP');
    assert.deepEqual(frame.bids.map((l) => [l[0], l[1]]), truth.bids);
    assert.deepEqual(frame.asks.map((l) => [l[0], l[1]]), truth.asks);
  });
});
