/**
 * Binance books from the simulator over the wire: the diff depth stream (spot `/ws`, futures
 * `/public/ws`) and the REST depth snapshot, synced by Binance's documented procedure (the same
 * rules `parse --book` and the collector use), equal the simulator's true book.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BookReplay } from '../../src/books/replay.js';
import { bookVenue } from '../../src/books/venues.js';
import type { Market } from '../../src/records.js';
import { startSimExchange, type SimExchange } from '../../src/sim/index.js';
import { connect, fakeClock, getJson, waitFor } from './helpers.js';

for (const market of ['spot', 'futures'] as Market[]) {
  describe(`binance ${market} books over the wire`, () => {
    let sim: SimExchange;
    const clock = fakeClock();
    const symbol = market === 'spot' ? 'BTC/USDT' : 'BTC/USDT:USDT';
    before(async () => {
      sim = await startSimExchange({
        mode: 'manual', seed: 3, now: clock.now,
        venues: [{ exchange: 'binance', market, symbols: [{ symbol, tradesPerSecond: 40 }] }],
      });
    });
    after(() => sim.stop());

    test('diff events buffered, the REST snapshot, the events after it: the true book', async () => {
      const { wsUrl, restUrl } = sim.endpoints('binance', market);
      const c = await connect(market === 'futures' ? wsUrl.replace('/market/ws', '/public/ws') : wsUrl);
      c.send({ method: 'SUBSCRIBE', params: ['btcusdt@depth@100ms'], id: 1 });
      await waitFor(() => c.frames.length >= 1);
      assert.deepEqual(JSON.parse(c.frames[0]!), { result: null, id: 1 });
      const run = (ms: number) => {
        for (let t = 0; t < ms; t += 20) {
          clock.advance(20);
          sim.advance(20);
        }
      };
      run(500);
      const path = market === 'spot' ? '/api/v3/depth?symbol=BTCUSDT&limit=1000' : '/fapi/v1/depth?symbol=BTCUSDT&limit=1000';
      const snap = await getJson(`${restUrl}${path}`);
      assert.equal(snap.status, 200);
      run(2000);
      const truth = sim.trueBook('binance', market, symbol, 20);
      assert.ok(truth, 'the book exists once asked for');
      const pushed = truth.pushedId;
      await waitFor(() => c.json().some((m) => (m as { u?: number }).u === pushed), 2000, 'the last push');
      const replay = new BookReplay(bookVenue('binance', market), { snapshot: snap.body });
      const problems = c.frames.slice(1).flatMap((f) => replay.line(f));
      assert.deepEqual(problems, []);
      const [book] = replay.books(20);
      assert.equal(book?.symbol, symbol);
      assert.deepEqual(book?.bids, truth.bids);
      assert.deepEqual(book?.asks, truth.asks);
      const events = c.json().slice(1) as { e: string; U: number; u: number; pu?: number }[];
      assert.ok(events.length >= 20, `${events.length} depth events`);
      assert.ok(events.every((e) => e.e === 'depthUpdate'));
      if (market === 'futures') for (let i = 1; i < events.length; i++) assert.equal(events[i]!.pu, events[i - 1]!.u, 'pu chains');
      else for (let i = 1; i < events.length; i++) assert.equal(events[i]!.U, events[i - 1]!.u + 1, 'U follows u');
      await c.close();
    });
  });
}
