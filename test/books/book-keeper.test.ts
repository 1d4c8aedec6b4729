/**
 * The live-path book keeper on a manual clock: frames buffered until the REST snapshot, the book
 * Live once it is consistent, a gap → Resyncing → a fresh snapshot → Live, snapshot requests one at
 * a time and spaced, failed requests retried; venues without REST snapshots resubscribe instead.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BookKeeper, type BookState } from '../../src/books/book-keeper.js';
import { bookVenue } from '../../src/books/venues.js';
import { ManualClock } from '../../src/time/manual-clock.js';
import type { BookRecord } from '../../src/records.js';

const venue = bookVenue('binance', 'spot');
const parse = venue.createFrameParser();
const event = (s: string, U: number, u: number, b: [string, string][]) =>
  parse(JSON.stringify({ e: 'depthUpdate', E: 1_700_000_000_000 + u, s, U, u, b, a: [] }))[0]!;

/** a REST double: requests are recorded and answered by the test */
function restDouble() {
  const calls: { nativeId: string; resolve: (body: unknown) => void; reject: (e: Error) => void }[] = [];
  const fetchSnapshot = (nativeId: string) => new Promise<unknown>((resolve, reject) => calls.push({ nativeId, resolve, reject }));
  return { calls, fetchSnapshot };
}

const settle = () => new Promise<void>((r) => setImmediate(r));

describe('book keeper', () => {
  test('buffers until the snapshot, applies what follows it, goes Live; a gap resyncs from a new snapshot', async () => {
    const clock = new ManualClock();
    const rest = restDouble();
    const states: string[] = [];
    const k = new BookKeeper({ venue, clock, fetchSnapshot: rest.fetchSnapshot, onState: (s, st: BookState) => states.push(`${s} ${st}`) });
    k.onFrame(event('BTCUSDT', 95, 100, [['10', '9']]));
    k.onFrame(event('BTCUSDT', 101, 104, [['11', '1']]));
    assert.equal(k.state('BTC/USDT'), 'syncing');
    assert.equal(rest.calls.length, 1);
    rest.calls[0]!.resolve({ lastUpdateId: 102, bids: [['10', '1']], asks: [['12', '1']] });
    await settle();
    assert.equal(k.state('BTC/USDT'), 'live');
    assert.deepEqual(k.top('BTC/USDT', 5)?.bids, [[11, 1], [10, 1]], 'the event ending before the snapshot was dropped');
    k.onFrame(event('BTCUSDT', 110, 111, [['13', '1']]));
    assert.equal(k.state('BTC/USDT'), 'resyncing');
    assert.deepEqual(k.counters('BTC/USDT'), { resyncs: 1, sequenceGaps: 1, checksumFailures: 0, overflowed: 0 });
    assert.equal(rest.calls.length, 1, 'the next request waits for the spacing');
    clock.advance(250);
    assert.equal(rest.calls.length, 2);
    k.onFrame(event('BTCUSDT', 112, 115, [['9', '4']]));
    rest.calls[1]!.resolve({ lastUpdateId: 113, bids: [['10', '2']], asks: [['12', '1']] });
    await settle();
    assert.equal(k.state('BTC/USDT'), 'live');
    assert.deepEqual(k.top('BTC/USDT', 5)?.bids, [[10, 2], [9, 4]]);
    assert.deepEqual(states, ['BTC/USDT syncing', 'BTC/USDT live', 'BTC/USDT resyncing', 'BTC/USDT live']);
  });

  test('snapshot requests go one at a time, spaced; a failed one is retried', async () => {
    const clock = new ManualClock();
    const rest = restDouble();
    const k = new BookKeeper({ venue, clock, fetchSnapshot: rest.fetchSnapshot, snapshotSpacingMs: 100, retryMs: 1000 });
    for (const s of ['AAAUSDT', 'BBBUSDT', 'CCCUSDT']) k.onFrame(event(s, 1, 2, [['1', '1']]));
    assert.deepEqual(rest.calls.map((c) => c.nativeId), ['AAAUSDT']);
    rest.calls[0]!.reject(new Error('429'));
    await settle();
    clock.advance(100);
    assert.deepEqual(rest.calls.map((c) => c.nativeId), ['AAAUSDT', 'BBBUSDT']);
    rest.calls[1]!.resolve({ lastUpdateId: 1, bids: [], asks: [] });
    await settle();
    clock.advance(100);
    assert.deepEqual(rest.calls.map((c) => c.nativeId), ['AAAUSDT', 'BBBUSDT', 'CCCUSDT']);
    assert.equal(k.state('BBB/USDT'), 'live');
    rest.calls[2]!.resolve({ lastUpdateId: 1, bids: [], asks: [] });
    await settle();
    clock.advance(1000); // AAA's retry is due
    assert.equal(rest.calls.at(-1)?.nativeId, 'AAAUSDT');
    assert.equal(k.state('AAA/USDT'), 'syncing');
  });

  test('a venue without REST snapshots asks for a resubscription when its sequence breaks', () => {
    const clock = new ManualClock();
    const bybit = bookVenue('bybit', 'spot');
    const p = bybit.createFrameParser();
    const resubscribed: string[] = [];
    const k = new BookKeeper({ venue: bybit, clock, fetchSnapshot: () => Promise.reject(new Error('unused')), resubscribe: (s) => resubscribed.push(s) });
    const frame = (type: string, u: number) => p(JSON.stringify({ topic: 'orderbook.50.BTCUSDT', ts: 1, type, data: { s: 'BTCUSDT', b: [['1', '1']], a: [], u, seq: u } }))[0]!;
    k.onFrame(frame('snapshot', 5));
    assert.equal(k.state('BTC/USDT'), 'live');
    k.onFrame(frame('delta', 7));
    assert.equal(k.state('BTC/USDT'), 'resyncing');
    assert.deepEqual(resubscribed, ['BTC/USDT']);
    assert.equal(k.top('BTC/USDT', 5), undefined, 'no book is shown while resyncing');
    k.onFrame(frame('snapshot', 20));
    assert.equal(k.state('BTC/USDT'), 'live');
  });

  test('Bybit: a delta with u == 1 (the venue restarted) is recorded as a snapshot of the new book, not as an update to the old one', () => {
    const clock = new ManualClock();
    const bybit = bookVenue('bybit', 'spot');
    const p = bybit.createFrameParser();
    const records: BookRecord[] = [];
    const k = new BookKeeper({ venue: bybit, clock, fetchSnapshot: () => Promise.reject(new Error('unused')), onRecord: (r) => records.push(r) });
    const frame = (type: string, u: number, b: [string, string][]) =>
      p(JSON.stringify({ topic: 'orderbook.50.BTCUSDT', ts: 1_700_000_000_000 + u, type, data: { s: 'BTCUSDT', b, a: [['30', '1']], u, seq: u } }))[0]!;
    k.onFrame(frame('snapshot', 5, [['10', '1'], ['9', '1']]));
    k.onFrame(frame('delta', 6, [['8', '1']]));
    k.onFrame(frame('delta', 1, [['20', '2']]));
    assert.deepEqual(records.map((r) => [r.kind, r.sequence]), [['snapshot', 5], ['update', 6], ['snapshot', 1]]);
    // rebuilt from the history, the book after the restart holds the new levels only
    assert.deepEqual(records[2]?.bids, [[20, 2]]);
    assert.deepEqual(k.top('BTC/USDT', 5)?.bids, [[20, 2]]);
  });

  test('OKX: an update with no snapshot to apply to seeds the book from REST (OKX sends none any more); a WebSocket snapshot that still comes wins', async () => {
    const okx = bookVenue('okx', 'spot');
    const parseOkx = okx.createFrameParser();
    const frame = (action: string, seqId: number, prevSeqId: number, ts: number) =>
      parseOkx(JSON.stringify({ arg: { channel: 'books', instId: 'BTC-USDT' }, action, data: [{ bids: [['100', '1', '0', '1']], asks: [['101', '1', '0', '1']], ts: String(ts), checksum: 0, seqId, prevSeqId }] }))[0]!;
    const clock = new ManualClock();
    const rest = restDouble();
    const k = new BookKeeper({ venue: okx, clock, fetchSnapshot: rest.fetchSnapshot });
    k.onFrame(frame('update', 11, 10, 1_000));
    assert.equal(rest.calls.length, 1, 'no snapshot: REST seeds the book');
    k.onFrame(frame('update', 12, 11, 1_500));
    k.onFrame(frame('update', 13, 12, 2_000));
    assert.equal(rest.calls.length, 1, 'asked once');
    assert.equal(k.state('BTC/USDT'), 'syncing');
    assert.match(okx.snapshotPath!('BTC-USDT'), /^\/api\/v5\/market\/books\?instId=BTC-USDT&sz=400$/);
    k.onFrame(frame('snapshot', 20, -1, 2_100));
    assert.equal(k.state('BTC/USDT'), 'live', 'the venue\'s snapshot starts the book at once');
    rest.calls[0]!.resolve({ code: '0', data: [{ bids: [['1', '1']], asks: [['2', '1']], ts: '900', seqId: 5 }] });
    await settle();
    assert.deepEqual(k.top('BTC/USDT', 1)?.bids.map(([p]) => p), [100], 'the late REST answer changed nothing');
    assert.equal(k.top('BTC/USDT', 1)?.sequence, 20);
  });

  test('OKX: seeded from REST, the buffered updates chain on its seqId; a break resyncs from REST again (not by resubscribing)', async () => {
    const okx = bookVenue('okx', 'spot');
    const parseOkx = okx.createFrameParser();
    const frame = (seqId: number, prevSeqId: number, bid: string) =>
      parseOkx(JSON.stringify({ arg: { channel: 'books', instId: 'BTC-USDT' }, action: 'update', data: [{ bids: [[bid, '1', '0', '1']], asks: [], ts: String(seqId), checksum: 0, seqId, prevSeqId }] }))[0]!;
    const clock = new ManualClock();
    const rest = restDouble();
    const resubscribed: string[] = [];
    const k = new BookKeeper({ venue: okx, clock, fetchSnapshot: rest.fetchSnapshot, resubscribe: (s) => resubscribed.push(s) });
    k.onFrame(frame(11, 10, '90'));
    k.onFrame(frame(12, 11, '91'));
    k.onFrame(frame(13, 12, '92'));
    rest.calls[0]!.resolve({ code: '0', data: [{ bids: [['100', '1', '0', '1']], asks: [['101', '1', '0', '1']], ts: '12', seqId: 12 }] });
    await settle();
    assert.equal(k.state('BTC/USDT'), 'live');
    assert.deepEqual(k.top('BTC/USDT', 3)?.bids.map(([p]) => p), [100, 92], 'updates up to the snapshot\'s seqId were already in it');
    k.onFrame(frame(20, 18, '93'));
    assert.equal(k.state('BTC/USDT'), 'resyncing');
    assert.deepEqual(resubscribed, [], 'a resubscription would bring no snapshot');
    clock.advance(250);
    await settle();
    assert.equal(rest.calls.length, 2, 'REST again');
  });

  test('update records carry [price, amount] pairs only: a Binance frame\'s levels as they are, OKX\'s without their wire texts', () => {
    const clock = new ManualClock();
    const records: BookRecord[] = [];
    const okx = bookVenue('okx', 'spot');
    const parseOkx = okx.createFrameParser();
    const k = new BookKeeper({ venue: okx, clock, fetchSnapshot: restDouble().fetchSnapshot, onRecord: (r) => records.push(r) });
    const okxFrame = (action: string, seqId: number, bids: string[][]) =>
      parseOkx(JSON.stringify({ arg: { channel: 'books', instId: 'BTC-USDT' }, action, data: [{ bids, asks: [['101.0', '2', '0', '1']], ts: '1000', checksum: 0, seqId, prevSeqId: seqId - 1 }] }))[0]!;
    k.onFrame(okxFrame('snapshot', 10, [['100.0', '1', '0', '1']]));
    k.onFrame(okxFrame('update', 11, [['99.50', '3', '0', '1']]));
    const update = records.find((r) => r.kind === 'update');
    assert.deepEqual(update?.bids, [[99.5, 3]]);
    assert.deepEqual(update?.asks, [[101, 2]]);
    // and the book kept the texts the checksum needs
    assert.deepEqual(k.top('BTC/USDT', 5)?.bids, [[100, 1], [99.5, 3]]);

    const records2: BookRecord[] = [];
    const rest = restDouble();
    const kb = new BookKeeper({ venue, clock, fetchSnapshot: rest.fetchSnapshot, onRecord: (r) => records2.push(r) });
    kb.onFrame(event('BTCUSDT', 1, 1, [['10', '1']]));
    rest.calls[0]!.resolve({ lastUpdateId: 1, bids: [], asks: [] });
    return settle().then(() => {
      const f = event('BTCUSDT', 2, 2, [['10.5', '2'], ['10', '0']]);
      kb.onFrame(f);
      const u = records2.find((r) => r.kind === 'update');
      assert.deepEqual(u?.bids, [[10.5, 2], [10, 0]]);
      assert.deepEqual(kb.top('BTC/USDT', 5)?.bids, [[10.5, 2]]);
      // the record holds the only other reference to the frame's levels: changing it cannot touch the book
      u!.bids[0]![1] = 99;
      assert.deepEqual(kb.top('BTC/USDT', 5)?.bids, [[10.5, 2]]);
    });
  });

  test('a frame buffered before the snapshot is the keeper\'s own copy: the parser\'s objects are not held', async () => {
    const clock = new ManualClock();
    const rest = restDouble();
    const k = new BookKeeper({ venue, clock, fetchSnapshot: rest.fetchSnapshot });
    const f = event('BTCUSDT', 101, 104, [['11', '1']]);
    k.onFrame(f);
    // what the parser made may be reused or dropped once handed over: the book must not depend on it
    f.bids[0]![1] = 7;
    f.bids.push([12, 3]);
    f.lastId = 200;
    rest.calls[0]!.resolve({ lastUpdateId: 102, bids: [['10', '1']], asks: [['13', '1']] });
    await settle();
    assert.equal(k.state('BTC/USDT'), 'live');
    assert.deepEqual(k.top('BTC/USDT', 5)?.bids, [[11, 1], [10, 1]]);
    assert.equal(k.top('BTC/USDT', 5)?.sequence, 104);
  });
});
