/**
 * Bybit, OKX and Upbit books from the simulator over the wire (each venue's subscribe message and
 * frames), synced by that venue's rules, equal the simulator's true book — Bybit's and OKX's
 * deltas keep a client's book exactly N levels deep (levels leaving the top N are sent with size 0).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BookReplay } from '../../src/books/replay.js';
import { bookVenue } from '../../src/books/venues.js';
import { createAdapter } from '../../src/exchanges/index.js';
import type { Instrument, RestClient } from '../../src/exchanges/types.js';
import type { ExchangeId, Market } from '../../src/records.js';
import { startSimExchange, type SimExchange } from '../../src/sim/index.js';
import { connect, fakeClock, getJson, waitFor } from './helpers.js';

interface Case {
  exchange: ExchangeId;
  market: Market;
  symbol: string;
  subscribe: unknown;
  depth: number;
  instrumentsPath?: string;
}

const CASES: Case[] = [
  { exchange: 'bybit', market: 'spot', symbol: 'BTC/USDT', subscribe: { op: 'subscribe', args: ['orderbook.50.BTCUSDT'], req_id: '1' }, depth: 50 },
  { exchange: 'bybit', market: 'futures', symbol: 'BTC/USDT:USDT', subscribe: { op: 'subscribe', args: ['orderbook.200.BTCUSDT'], req_id: '1' }, depth: 200 },
  { exchange: 'okx', market: 'spot', symbol: 'BTC/USDT', subscribe: { op: 'subscribe', args: [{ channel: 'books', instId: 'BTC-USDT' }], id: '1' }, depth: 200 },
  {
    exchange: 'okx', market: 'futures', symbol: 'BTC/USDT:USDT', subscribe: { op: 'subscribe', args: [{ channel: 'books', instId: 'BTC-USDT-SWAP' }], id: '1' }, depth: 200,
    instrumentsPath: '/api/v5/public/instruments?instType=SWAP',
  },
  { exchange: 'upbit', market: 'spot', symbol: 'BTC/KRW', subscribe: [{ ticket: 't' }, { type: 'orderbook', codes: ['KRW-BTC.15'] }], depth: 15 },
];

for (const c of CASES) {
  describe(`${c.exchange} ${c.market} books over the wire`, () => {
    let sim: SimExchange;
    const clock = fakeClock();
    before(async () => {
      sim = await startSimExchange({
        mode: 'manual', seed: 5, now: clock.now,
        venues: [{ exchange: c.exchange, market: c.market, symbols: [{ symbol: c.symbol, tradesPerSecond: 40 }] }],
      });
    });
    after(() => sim.stop());

    test(`the ${c.depth}-level book the client keeps equals the true book's top ${c.depth}`, async () => {
      const { wsUrl, restUrl } = sim.endpoints(c.exchange, c.market);
      let instruments: Instrument[] | undefined;
      if (c.instrumentsPath !== undefined) {
        const listing = await getJson(`${restUrl}${c.instrumentsPath}`);
        const fromFile: RestClient = async () => ({ status: 200, headers: {}, body: listing.body });
        instruments = await createAdapter(c.exchange, c.market).listInstruments(fromFile, 'http://instruments.file');
      }
      const ws = await connect(wsUrl);
      ws.send(c.subscribe);
      await waitFor(() => ws.frames.length >= 1);
      // OKX sends no snapshot on the channel any more: the client seeds its book from REST
      const snapshot = c.exchange === 'okx' ? (await getJson(`${restUrl}/api/v5/market/books?instId=${(c.subscribe as { args: { instId: string }[] }).args[0]!.instId}&sz=400`)).body : undefined;
      for (let t = 0; t < 3000; t += 20) {
        clock.advance(20);
        sim.advance(20);
      }
      const truth = sim.trueBook(c.exchange, c.market, c.symbol, c.depth);
      assert.ok(truth);
      let last: { bids: [number, number][]; asks: [number, number][] } | undefined;
      let problems: string[] = [];
      const replayed = () => {
        const replay = new BookReplay(bookVenue(c.exchange, c.market), { ...(instruments ? { instruments } : {}), ...(snapshot !== undefined ? { snapshot } : {}) });
        problems = ws.frames.flatMap((f) => replay.line(f));
        last = replay.books(1000)[0];
        return last;
      };
      const same = (a: [number, number][] | undefined, b: [number, number][]) =>
        a !== undefined && a.length === b.length && a.every(([p, s], i) => p === b[i]![0] && Math.abs(s - b[i]![1]) <= 1e-9 * Math.max(1, b[i]![1]));
      await waitFor(() => {
        const b = replayed();
        return same(b?.bids, truth.bids) && same(b?.asks, truth.asks);
      }, 3000, 'the replayed book to reach the true book').catch(() => undefined);
      assert.deepEqual(problems, []);
      assert.ok(last, 'a book was built');
      assert.equal(last.bids.length, c.depth, 'exactly N levels: levels leaving the top N were removed');
      assert.deepEqual(last.bids.map(([p]) => p), truth.bids.map(([p]) => p));
      assert.deepEqual(last.asks.map(([p]) => p), truth.asks.map(([p]) => p));
      assert.ok(same(last.bids, truth.bids) && same(last.asks, truth.asks), 'sizes equal (base units)');
      await ws.close();
    });
  });
}
