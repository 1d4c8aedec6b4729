/**
 * A venue's books across its connections, on a manual clock with a REST double: one owner per
 * symbol (the first connection whose book is consistent), a make-before-break rotation hands the
 * book over with a whole snapshot and no break, a connection lost with no other holding the book
 * records a resync (nothing continues across it), and snapshot requests of all connections are
 * spaced venue-wide.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bookVenue } from '../../src/books/venues.js';
import type { RestResponse } from '../../src/exchanges/types.js';
import { VenueBooks } from '../../src/ingest/venue-books.js';
import type { BookRecord } from '../../src/records.js';
import { ManualClock } from '../../src/time/manual-clock.js';

const event = (U: number, u: number, bid: string) => JSON.stringify({ e: 'depthUpdate', E: 1_700_000_000_000 + u, s: 'BTCUSDT', U, u, b: [[bid, '1']], a: [['200', '1']] });
const settle = () => new Promise<void>((r) => setImmediate(r));

function setup() {
  const clock = new ManualClock(1_700_000_000_000);
  const calls: { url: string; resolve: (r: RestResponse) => void }[] = [];
  const rest = (url: string) => new Promise<RestResponse>((resolve) => calls.push({ url, resolve }));
  const records: BookRecord[] = [];
  const states: string[] = [];
  const books = new VenueBooks({
    venue: bookVenue('binance', 'spot'),
    depth: 5,
    clock,
    instruments: () => [],
    rest,
    restUrl: 'http://sim',
    sink: { write: (r) => records.push(...r) },
    onState: (symbol, state) => states.push(`${symbol} ${state}`),
  });
  const answer = (i: number, lastUpdateId: number) => calls[i]!.resolve({ status: 200, headers: {}, body: { lastUpdateId, bids: [['100', '1']], asks: [['200', '1']] } });
  const link = (name: string) => {
    const l = books.open(name, () => {});
    return { take: (text: string) => l.take(l.parse(text), clock.now()), close: (why = 'closed') => l.close(why) };
  };
  return { clock, calls, records, states, books, answer, link };
}

describe('venue books', () => {
  test('a rotation hands the book over with a snapshot and no break; the second book was never kept twice', async () => {
    const t = setup();
    const a = t.link('a');
    a.take(event(10, 11, '101'));
    await settle();
    assert.match(t.calls[0]!.url, /^http:\/\/sim\/api\/v3\/depth\?symbol=BTCUSDT&limit=1000$/);
    t.answer(0, 10);
    await settle();
    assert.equal(t.books.book('BTC/USDT')?.state, 'live');
    a.take(event(12, 12, '102'));
    // the replacement connection syncs the same symbol meanwhile
    const b = t.link('b');
    b.take(event(12, 12, '102'));
    t.clock.advance(250);
    await settle();
    assert.equal(t.calls.length, 2);
    t.answer(1, 11);
    await settle();
    a.take(event(13, 13, '103'));
    b.take(event(13, 13, '103'));
    await settle();
    assert.deepEqual(t.records.map((r) => `${r.kind} ${r.sequence}`), ['snapshot 11', 'update 12', 'update 13'], 'only the owner (a) is kept');
    a.close('rotated');
    b.take(event(14, 14, '104'));
    await settle();
    assert.deepEqual(t.records.slice(3).map((r) => `${r.kind} ${r.sequence}`), ['snapshot 13', 'update 14'], 'b takes over from a whole book');
    assert.deepEqual(t.states, ['BTC/USDT syncing', 'BTC/USDT live'], 'the coin never saw the rotation');
    assert.deepEqual(t.books.book('BTC/USDT', 2)?.bids, [[104, 1], [103, 1]]);
    assert.equal(t.books.book('BTC/USDT')?.sequence, 14);
  });

  test('the only connection lost: a resync is recorded, the book shows resyncing, and a new connection makes it live from a snapshot', async () => {
    const t = setup();
    const a = t.link('a');
    a.take(event(10, 11, '101'));
    await settle();
    t.answer(0, 10);
    await settle();
    a.close('connection lost: 1006');
    await settle();
    assert.deepEqual(t.records.map((r) => r.kind), ['snapshot', 'resync']);
    assert.equal(t.records[1]!.reason, 'connection lost: 1006');
    assert.equal(t.books.book('BTC/USDT')?.state, 'resyncing');
    assert.equal(t.books.book('BTC/USDT')?.synced, false);
    const b = t.link('b');
    b.take(event(30, 31, '105'));
    assert.equal(t.books.book('BTC/USDT')?.state, 'resyncing', 'a book built again is resyncing, not syncing for the first time');
    t.clock.advance(250);
    await settle();
    t.answer(1, 30);
    await settle();
    assert.equal(t.books.book('BTC/USDT')?.state, 'live');
    assert.deepEqual(t.records.map((r) => r.kind), ['snapshot', 'resync', 'snapshot']);
    assert.deepEqual(t.states, ['BTC/USDT syncing', 'BTC/USDT live', 'BTC/USDT resyncing', 'BTC/USDT live']);
  });

  test('a gap on the owner: resync recorded, counted, and the next snapshot request waits its turn venue-wide', async () => {
    const t = setup();
    const a = t.link('a');
    a.take(event(10, 11, '101'));
    await settle();
    t.answer(0, 10);
    await settle();
    a.take(event(20, 21, '102'));
    await settle();
    assert.deepEqual(t.records.map((r) => r.kind), ['snapshot', 'resync']);
    assert.match(t.records[1]!.reason ?? '', /missed events/);
    assert.deepEqual(t.books.counters('BTC/USDT'), { resyncs: 1, sequenceGaps: 1, checksumFailures: 0, overflowed: 0 });
    assert.equal(t.calls.length, 1, 'spaced: not asked again at once');
    t.clock.advance(250);
    await settle();
    assert.equal(t.calls.length, 2);
  });

  test('nothing is built when nobody keeps or watches the records', async () => {
    const clock = new ManualClock();
    const calls: Array<(r: RestResponse) => void> = [];
    const books = new VenueBooks({ venue: bookVenue('binance', 'spot'), depth: 5, clock, instruments: () => [], rest: () => new Promise((r) => calls.push(r)), restUrl: '' });
    const seen: BookRecord[] = [];
    const l = books.open('a', () => {});
    l.take(l.parse(event(10, 11, '101')), 0);
    await settle();
    calls[0]!({ status: 200, headers: {}, body: { lastUpdateId: 10, bids: [], asks: [] } });
    await settle();
    const sub = books.records$.subscribe((r) => seen.push(r));
    l.take(l.parse(event(12, 12, '102')), 0);
    await settle();
    sub.unsubscribe();
    assert.deepEqual(seen.map((r) => r.kind), ['update'], 'a watcher sees records from when it subscribed');
  });

  test('unsubscribed: the book ends with a resync and is no longer shown; subscribed again it syncs afresh', async () => {
    const t = setup();
    const l = t.books.open('a', () => {});
    l.take(l.parse(event(10, 11, '101')), 0);
    await settle();
    t.answer(0, 10);
    await settle();
    l.drop(['BTC/USDT']);
    assert.deepEqual(t.records.map((r) => `${r.kind}${r.reason ? ` ${r.reason}` : ''}`), ['snapshot', 'resync unsubscribed']);
    assert.equal(t.books.book('BTC/USDT'), undefined);
    assert.equal(t.states.at(-1), 'BTC/USDT resyncing', 'the coin is told its book stopped');
    l.take(l.parse(event(40, 41, '101')), 0);
    assert.equal(t.books.book('BTC/USDT')?.state, 'syncing');
  });
});
