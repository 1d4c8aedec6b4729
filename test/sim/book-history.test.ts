/**
 * trueBookAt: the simulator's book as it was pushed with a given version — the id each venue's
 * frames carry (Binance u, Bybit u, OKX seqId) or, for Upbit's id-less whole books, the time the
 * frame carries. A client that replays the wire up to a frame holds exactly trueBookAt of that
 * frame's version, even after the book moved on; a version older than the kept history is unknown.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BookReplay } from '../../src/books/replay.js';
import { bookVenue } from '../../src/books/venues.js';
import { createAdapter } from '../../src/exchanges/index.js';
import type { Instrument, RestClient } from '../../src/exchanges/types.js';
import type { ExchangeId, Market } from '../../src/records.js';
import { startSimExchange, type BookVersion, type SimExchange } from '../../src/sim/index.js';
import { connect, fakeClock, getJson, waitFor } from './helpers.js';

interface Case {
  exchange: ExchangeId;
  market: Market;
  symbol: string;
  subscribe: unknown;
  /** the version a book frame carries; undefined for other frames (acks) */
  version: (frame: Record<string, unknown>) => BookVersion | undefined;
  wsPath?: [string, string];
  snapshotPath?: string;
  /** the venue's id of the symbol (the snapshot parse needs it) */
  nativeId?: string;
  instrumentsPath?: string;
}

type Json = Record<string, unknown>;
const binanceU = (f: Json) => (f.e === 'depthUpdate' ? { sequence: f.u as number } : undefined);
const bybitU = (f: Json) => (typeof f.topic === 'string' && f.topic.startsWith('orderbook.') ? { sequence: (f.data as Json).u as number } : undefined);
const okxSeqId = (f: Json) => ((f.arg as Json | undefined)?.channel === 'books' && Array.isArray(f.data) ? { sequence: (f.data[0] as Json).seqId as number } : undefined);
const upbitTime = (f: Json) => (f.type === 'orderbook' ? { timestamp: f.timestamp as number } : undefined);

const CASES: Case[] = [
  {
    exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', version: binanceU,
    subscribe: { method: 'SUBSCRIBE', params: ['btcusdt@depth@100ms'], id: 1 }, snapshotPath: '/api/v3/depth?symbol=BTCUSDT&limit=1000',
  },
  {
    exchange: 'binance', market: 'futures', symbol: 'BTC/USDT:USDT', version: binanceU, wsPath: ['/market/ws', '/public/ws'],
    subscribe: { method: 'SUBSCRIBE', params: ['btcusdt@depth@100ms'], id: 1 }, snapshotPath: '/fapi/v1/depth?symbol=BTCUSDT&limit=1000',
  },
  { exchange: 'bybit', market: 'spot', symbol: 'BTC/USDT', version: bybitU, subscribe: { op: 'subscribe', args: ['orderbook.50.BTCUSDT'], req_id: '1' } },
  { exchange: 'bybit', market: 'futures', symbol: 'BTC/USDT:USDT', version: bybitU, subscribe: { op: 'subscribe', args: ['orderbook.200.BTCUSDT'], req_id: '1' } },
  // OKX sends no snapshot on the channel any more: clients seed from REST
  {
    exchange: 'okx', market: 'spot', symbol: 'BTC/USDT', version: okxSeqId, subscribe: { op: 'subscribe', args: [{ channel: 'books', instId: 'BTC-USDT' }], id: '1' },
    snapshotPath: '/api/v5/market/books?instId=BTC-USDT&sz=400', nativeId: 'BTC-USDT',
  },
  {
    exchange: 'okx', market: 'futures', symbol: 'BTC/USDT:USDT', version: okxSeqId, instrumentsPath: '/api/v5/public/instruments?instType=SWAP',
    subscribe: { op: 'subscribe', args: [{ channel: 'books', instId: 'BTC-USDT-SWAP' }], id: '1' },
    snapshotPath: '/api/v5/market/books?instId=BTC-USDT-SWAP&sz=400', nativeId: 'BTC-USDT-SWAP',
  },
  { exchange: 'upbit', market: 'spot', symbol: 'BTC/KRW', version: upbitTime, subscribe: [{ ticket: 't' }, { type: 'orderbook', codes: ['KRW-BTC'] }] },
];

const DEPTH = 10;

for (const c of CASES) {
  describe(`${c.exchange} ${c.market} trueBookAt`, () => {
    let sim: SimExchange;
    const clock = fakeClock();
    const run = (ms: number) => {
      for (let t = 0; t < ms; t += 20) {
        clock.advance(20);
        sim.advance(20);
      }
    };
    before(async () => {
      sim = await startSimExchange({
        mode: 'manual', seed: 11, now: clock.now,
        venues: [{ exchange: c.exchange, market: c.market, symbols: [{ symbol: c.symbol, tradesPerSecond: 40 }] }],
      });
    });
    after(() => sim.stop());

    test('the book replayed up to an older frame equals trueBookAt of its version; an expired version is unknown', async () => {
      const { wsUrl, restUrl } = sim.endpoints(c.exchange, c.market);
      let instruments: Instrument[] | undefined;
      if (c.instrumentsPath !== undefined) {
        const listing = await getJson(`${restUrl}${c.instrumentsPath}`);
        const fromFile: RestClient = async () => ({ status: 200, headers: {}, body: listing.body });
        instruments = await createAdapter(c.exchange, c.market).listInstruments(fromFile, 'http://instruments.file');
      }
      const ws = await connect(c.wsPath ? wsUrl.replace(c.wsPath[0], c.wsPath[1]) : wsUrl);
      ws.send(c.subscribe);
      await waitFor(() => ws.frames.length >= 1);
      run(300);
      const snapshot = c.snapshotPath !== undefined ? (await getJson(`${restUrl}${c.snapshotPath}`)).body : undefined;
      run(2000);
      const bookFrames = () => ws.frames.filter((f) => c.version(JSON.parse(f) as Json) !== undefined);
      await waitFor(() => bookFrames().length >= 18, 3000, 'book frames');
      const frames = bookFrames();
      const k = 12; // well after the REST snapshot, well before the end: the book has moved on since
      const version = c.version(JSON.parse(frames[k]!) as Json)!;

      const replay = new BookReplay(bookVenue(c.exchange, c.market), { ...(instruments ? { instruments } : {}), ...(snapshot !== undefined ? { snapshot } : {}) });
      assert.deepEqual(frames.slice(0, k + 1).flatMap((f) => replay.line(f)), []);
      const [held] = replay.books(DEPTH);
      assert.ok(held, 'a book was built');

      const then = sim.trueBookAt(c.exchange, c.market, c.symbol, version, DEPTH);
      assert.ok(then, `version ${JSON.stringify(version)} is in the history`);
      assert.deepEqual(held.bids, then.bids);
      assert.deepEqual(held.asks, then.asks);
      assert.equal(then.bids.length, DEPTH);
      const now = sim.trueBook(c.exchange, c.market, c.symbol, DEPTH)!;
      assert.notDeepEqual([now.bids, now.asks], [then.bids, then.asks], 'the book moved on: trueBookAt is not the book now');

      // the book a client is first synced to (a REST depth answer, a subscription's snapshot) is
      // a version too, though it was served between pushes
      let first: { bids: [number, number][]; asks: [number, number][] };
      let firstVersion: BookVersion;
      if (snapshot !== undefined) {
        const parsed = bookVenue(c.exchange, c.market).parseSnapshot(snapshot, instruments, c.nativeId ?? 'BTCUSDT');
        first = { bids: parsed.bids.map((l) => [l[0], l[1]]), asks: parsed.asks.map((l) => [l[0], l[1]]) };
        firstVersion = { sequence: parsed.lastId as number };
      } else {
        const replay0 = new BookReplay(bookVenue(c.exchange, c.market), instruments ? { instruments } : {});
        replay0.line(frames[0]!);
        first = replay0.books(DEPTH)[0]!;
        firstVersion = c.version(JSON.parse(frames[0]!) as Json)!;
      }
      const served = sim.trueBookAt(c.exchange, c.market, c.symbol, firstVersion, DEPTH);
      assert.ok(served, `the first version ${JSON.stringify(firstVersion)} is kept`);
      assert.deepEqual(served.bids, first.bids.slice(0, DEPTH));
      assert.deepEqual(served.asks, first.asks.slice(0, DEPTH));

      run(6000); // past the kept history (a few seconds of pushes)
      assert.equal(sim.trueBookAt(c.exchange, c.market, c.symbol, version, DEPTH), undefined);
      await ws.close();
    });
  });
}

describe('trueBookAt edges', () => {
  test('a symbol nobody asked a book of, and a sequence asked of Upbit (no ids), are unknown', async () => {
    const clock = fakeClock();
    const sim = await startSimExchange({ mode: 'manual', seed: 2, now: clock.now, venues: [{ exchange: 'upbit', market: 'spot', symbols: [{ symbol: 'BTC/KRW' }] }] });
    try {
      assert.equal(sim.trueBookAt('upbit', 'spot', 'BTC/KRW', { timestamp: clock.now() }, 5), undefined);
      const ws = await connect(sim.endpoints('upbit', 'spot').wsUrl);
      ws.send([{ ticket: 't' }, { type: 'orderbook', codes: ['KRW-BTC'] }]);
      await waitFor(() => ws.frames.length >= 1);
      for (let t = 0; t < 500; t += 20) {
        clock.advance(20);
        sim.advance(20);
      }
      await waitFor(() => ws.frames.length >= 3);
      const last = JSON.parse(ws.frames[ws.frames.length - 1]!) as { timestamp: number };
      assert.ok(sim.trueBookAt('upbit', 'spot', 'BTC/KRW', { timestamp: last.timestamp }, 5));
      assert.equal(sim.trueBookAt('upbit', 'spot', 'BTC/KRW', { sequence: 1 }, 5), undefined);
      await ws.close();
    } finally {
      await sim.stop();
    }
  });
});
