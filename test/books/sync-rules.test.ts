/**
 * Each venue's book rules on small constructed streams: what is applied, dropped, waited for, and
 * where a broken sequence is caught — and that the book left is the last consistent one.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32Signed } from '../../src/books/crc32.js';
import { BookReplay } from '../../src/books/replay.js';
import { bookVenue } from '../../src/books/venues.js';
import type { Instrument } from '../../src/exchanges/types.js';
import { okxChecksum } from '../../src/exchanges/okx/book.js';
import { OrderBook, type BookLevel, type BookSide } from '../../src/books/order-book.js';

const lvl = (p: string, s: string): BookLevel => [Number(p), Number(s), p, s];
const prices = (side: BookSide) => side.top(side.length).map(([p]) => p);

/** feeds lines, returns "line N: problem" strings */
function feed(replay: BookReplay, lines: unknown[]): string[] {
  const out: string[] = [];
  lines.forEach((l, k) => {
    for (const p of replay.line(typeof l === 'string' ? l : JSON.stringify(l))) out.push(`line ${k + 1}: ${p}`);
  });
  return out;
}

describe('order book', () => {
  test('levels stay sorted best first; size 0 deletes; restore undoes a set', () => {
    for (const keepTexts of [false, true]) {
      const book = new OrderBook(keepTexts);
      book.apply([lvl('10', '1'), lvl('12', '2'), lvl('11', '3')], [lvl('14', '1'), lvl('13', '5')], 1);
      assert.deepEqual(prices(book.bids), [12, 11, 10]);
      assert.deepEqual(prices(book.asks), [13, 14]);
      const changes: Parameters<OrderBook['apply']>[3] = [];
      book.apply([lvl('11', '0'), lvl('12', '7'), lvl('9', '4')], [lvl('13.5', '1'), lvl('14', '0')], 2, changes);
      assert.deepEqual(book.bids.top(9), [[12, 7], [10, 1], [9, 4]]);
      assert.deepEqual(book.asks.top(9), [[13, 5], [13.5, 1]]);
      book.undo(changes, 1);
      assert.deepEqual(book.bids.top(9), [[12, 2], [11, 3], [10, 1]]);
      assert.deepEqual(book.asks.top(9), [[13, 5], [14, 1]]);
      // the texts come back with the levels where they are kept; elsewhere there are none
      assert.deepEqual(book.bids.levels(), keepTexts ? [[12, 2, '12', '2'], [11, 3, '11', '3'], [10, 1, '10', '1']] : [[12, 2], [11, 3], [10, 1]]);
      assert.equal(book.timestamp, 1);
      book.bids.truncate(1);
      assert.deepEqual(book.bids.levels(), keepTexts ? [[12, 2, '12', '2']] : [[12, 2]]);
    }
  });

  test('a deep book under random updates (near the top and far from it) equals a plain sorted model, with and without texts', () => {
    let seed = 7;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (const keepTexts of [false, true]) {
      const book = new OrderBook(keepTexts);
      const model = { bids: new Map<number, number>(), asks: new Map<number, number>() };
      for (let step = 0; step < 3000; step++) {
        const bids: BookLevel[] = [];
        const asks: BookLevel[] = [];
        for (let k = Math.floor(rand() * 12); k > 0; k--) {
          // most near the top (100 for bids, 101 for asks), some deep, a tenth removals
          const off = (rand() < 0.8 ? Math.floor(rand() * 10) : Math.floor(rand() * 400)) / 100;
          const amount = rand() < 0.1 ? 0 : Math.round(rand() * 1000) / 100;
          const side = rand() < 0.5;
          const price = side ? Math.round((100 - off) * 100) / 100 : Math.round((101 + off) * 100) / 100;
          (side ? bids : asks).push(lvl(String(price), String(amount)));
          const m = side ? model.bids : model.asks;
          if (amount === 0) m.delete(price);
          else m.set(price, amount);
        }
        book.apply(bids, asks, step);
      }
      const sorted = (m: Map<number, number>, desc: boolean) => [...m].sort((x, y) => (desc ? y[0] - x[0] : x[0] - y[0]));
      assert.ok(model.bids.size > 100, `${model.bids.size} bid levels: deep enough to reach the binary search`);
      assert.deepEqual(book.bids.top(10_000), sorted(model.bids, true));
      assert.deepEqual(book.asks.top(10_000), sorted(model.asks, false));
      // and an undo of changes deep in the book puts it back exactly
      const before = book.bids.levels();
      const changes: Parameters<OrderBook['apply']>[3] = [];
      book.apply([lvl('97.005', '1'), lvl('99.99', '0'), lvl('100', '3'), lvl('96.5', '0')], [], 1, changes);
      book.undo(changes, 0);
      assert.deepEqual(book.bids.levels(), before);
    }
  });

  test('CRC32 is the zlib one, signed', () => {
    assert.equal(crc32Signed('123456789'), 0xcbf43926 | 0);
    assert.equal(crc32Signed(''), 0);
  });

  test('OKX checksum interleaves bids and asks over the wire strings, the longer side running on', () => {
    const bids = [lvl('3366.1', '7'), lvl('3366', '6')];
    const asks = [lvl('3366.8', '9'), lvl('3368', '8'), lvl('3372', '8')];
    assert.equal(okxChecksum(bids, asks), crc32Signed('3366.1:7:3366.8:9:3366:6:3368:8:3372:8'));
    // "0.10" and "0.1" are different wire strings, so different checksums
    assert.notEqual(okxChecksum([lvl('1', '0.10')], []), okxChecksum([lvl('1', '0.1')], []));
  });
});

const depth = (U: number, u: number, b: [string, string][], a: [string, string][] = [], pu?: number) =>
  ({ e: 'depthUpdate', E: 1_700_000_000_000 + u, s: 'BTCUSDT', U, u, ...(pu !== undefined ? { pu } : {}), b, a });

describe('Binance spot', () => {
  const snapshot = { lastUpdateId: 100, bids: [['10', '1']], asks: [['11', '1']] };

  test('events up to the snapshot are dropped, the first applied one straddles it, a jump in U breaks', () => {
    const r = new BookReplay(bookVenue('binance', 'spot'), { snapshot });
    const problems = feed(r, [
      depth(90, 100, [['10', '5']]), // u <= lastUpdateId: dropped
      depth(99, 102, [['9', '2']]), // U <= 101 <= u: applied
      depth(103, 104, [['10', '0']]), // U == 102 + 1
      depth(106, 107, [['8', '1']]), // U > 104 + 1: missed events
      depth(105, 105, [['7', '1']]), // after the break nothing is applied
    ]);
    assert.deepEqual(problems, ['line 4: BTC/USDT: U=106 > local update id 104 + 1 (missed events)']);
    assert.equal(r.breaks, 1);
    const [book] = r.books(10);
    assert.deepEqual(book?.bids, [[9, 2]]);
    assert.deepEqual(book?.asks, [[11, 1]]);
  });

  test('a first event that starts after the snapshot is a gap, not a book', () => {
    const r = new BookReplay(bookVenue('binance', 'spot'), { snapshot });
    assert.deepEqual(feed(r, [depth(102, 103, [['9', '2']])]), ['line 1: BTC/USDT: U=102 > local update id 100 + 1 (missed events)']);
    assert.deepEqual(r.books(10)[0]?.bids, [[10, 1]]);
  });
});

describe('Binance USDⓈ-M futures', () => {
  const snapshot = { lastUpdateId: 100, E: 1, T: 1, bids: [['10', '1']], asks: [['11', '1']] };

  test('u < lastUpdateId dropped (an event ending on it is kept), then pu chains', () => {
    const r = new BookReplay(bookVenue('binance', 'futures'), { snapshot });
    const problems = feed(r, [
      depth(90, 99, [['10', '5']], [], 89), // u < 100: dropped
      depth(95, 100, [['9', '1']], [], 99), // U <= 100 <= u: applied (spot would drop it)
      depth(104, 110, [['9', '3']], [], 100), // pu == previous u; U is not previous u + 1, and that is fine
      depth(115, 120, [['8', '1']], [], 112), // pu != 110
    ]);
    assert.deepEqual(problems, ['line 4: BTC/USDT:USDT: pu 112 != previous u 110 (missed events)']);
    assert.deepEqual(r.books(10)[0]?.bids, [[10, 1], [9, 3]]);
  });
});

describe('Bybit', () => {
  const ob = (type: string, u: number, b: [string, string][], a: [string, string][] = []) =>
    ({ topic: 'orderbook.50.BTCUSDT', ts: 1_700_000_000_000 + u, type, data: { s: 'BTCUSDT', b, a, u, seq: u * 10 } });

  test('deltas before a snapshot wait; u must step by one; u == 1 resets the book', () => {
    const r = new BookReplay(bookVenue('bybit', 'spot'));
    assert.deepEqual(feed(r, [ob('delta', 5, [['1', '1']])]), []);
    assert.deepEqual(r.books(10), [], 'no snapshot yet: no book');
    assert.deepEqual(r.unsynced(), ['BTC/USDT']);
    const problems = feed(r, [
      ob('snapshot', 10, [['10', '1'], ['9', '1']], [['11', '1']]),
      ob('delta', 11, [['9', '0']]),
      ob('delta', 11, [['8', '8']]), // a repeat: ignored
      ob('delta', 1, [['20', '1']], [['21', '1']]), // service restart: a new book
      ob('delta', 2, [['19', '1']]),
      ob('delta', 4, [['18', '1']]), // 3 is missing
    ]);
    assert.deepEqual(problems, ['line 6: BTC/USDT: u 4 after 2: 1 update(s) missed']);
    assert.deepEqual(r.books(10)[0]?.bids, [[20, 1], [19, 1]]);
  });
});

describe('OKX', () => {
  const frame = (action: string, bids: [string, string][], asks: [string, string][], extra: Record<string, unknown>) =>
    ({ arg: { channel: 'books', instId: 'BTC-USDT-SWAP' }, action, data: [{ bids: bids.map((l) => [...l, '0', '1']), asks: asks.map((l) => [...l, '0', '1']), ts: '1700000000000', ...extra }] });
  const instruments: Instrument[] = [{ symbol: 'BTC/USDT:USDT', nativeId: 'BTC-USDT-SWAP', base: 'BTC', quote: 'USDT', settle: 'USDT', active: true, contractSize: 0.01 }];
  const sum = (bids: [string, string][], asks: [string, string][]) => okxChecksum(bids.map(([p, s]) => lvl(p, s)), asks.map(([p, s]) => lvl(p, s)));

  test('a checksum mismatch undoes the frame; 0 means not sent; sizes are contracts × ctVal', () => {
    const r = new BookReplay(bookVenue('okx', 'futures'), { instruments });
    const problems = feed(r, [
      frame('snapshot', [['100', '3']], [['101', '7']], { checksum: sum([['100', '3']], [['101', '7']]), seqId: 1, prevSeqId: -1 }),
      frame('update', [['99', '5']], [], { checksum: 0, seqId: 2, prevSeqId: 1 }), // no checksum sent: applied unchecked
      frame('update', [['98', '1']], [['101', '0']], { checksum: 12345, seqId: 3, prevSeqId: 2 }), // wrong checksum
    ]);
    assert.deepEqual(problems, [`line 3: BTC/USDT:USDT: checksum mismatch: frame says 12345, the book gives ${sum([['100', '3'], ['99', '5'], ['98', '1']], [])}`]);
    const [book] = r.books(10);
    assert.deepEqual(book?.bids, [[100, 0.03], [99, 0.05]], 'the last consistent book, in base units');
    assert.deepEqual(book?.asks, [[101, 0.07]]);
  });

  test('prevSeqId must be the previous seqId; an unchanged book repeats it', () => {
    const r = new BookReplay(bookVenue('okx', 'spot'));
    const problems = feed(r, [
      { ...frame('snapshot', [['100', '3']], [['101', '7']], { seqId: 10, prevSeqId: -1 }), arg: { channel: 'books', instId: 'BTC-USDT' } },
      { ...frame('update', [], [], { seqId: 10, prevSeqId: 10 }), arg: { channel: 'books', instId: 'BTC-USDT' } },
      { ...frame('update', [['99', '1']], [], { seqId: 12, prevSeqId: 10 }), arg: { channel: 'books', instId: 'BTC-USDT' } },
      { ...frame('update', [['98', '1']], [], { seqId: 15, prevSeqId: 13 }), arg: { channel: 'books', instId: 'BTC-USDT' } },
    ]);
    assert.deepEqual(problems, ['line 4: BTC/USDT: prevSeqId 13 != previous seqId 12 (missed updates)']);
  });

  test('seeded from REST: updates the snapshot holds are skipped, the straddling one applies', () => {
    const snapshot = { code: '0', data: [{ bids: [['100', '3', '0', '1']], asks: [['101', '7', '0', '1']], ts: '1700000000000', seqId: 20 }] };
    const r = new BookReplay(bookVenue('okx', 'spot'), { snapshot });
    const on = (f: object) => ({ ...f, arg: { channel: 'books', instId: 'BTC-USDT' } });
    const problems = feed(r, [
      on(frame('update', [['100', '9']], [], { seqId: 19, prevSeqId: 18 })), // in the snapshot already
      on(frame('update', [['99', '1']], [], { seqId: 22, prevSeqId: 19 })), // prevSeqId <= 20 < seqId
      on(frame('update', [['98', '1']], [], { seqId: 23, prevSeqId: 22 })),
    ]);
    assert.deepEqual(problems, []);
    assert.deepEqual(r.books(10)[0]?.bids, [[100, 3], [99, 1], [98, 1]]);
  });

  test('a swap book without the contract size is refused, not stored in contracts', () => {
    const r = new BookReplay(bookVenue('okx', 'futures'));
    const problems = feed(r, [frame('snapshot', [['100', '3']], [], {})]);
    assert.equal(r.malformed, 1);
    assert.match(problems[0] ?? '', /ctVal/);
  });
});

describe('Upbit', () => {
  test('each frame replaces the book; microsecond timestamps become ms; SIMPLE format too', () => {
    const r = new BookReplay(bookVenue('upbit', 'spot'));
    feed(r, [
      { type: 'orderbook', code: 'KRW-BTC', timestamp: 1_700_000_000_000_000, orderbook_units: [{ ask_price: 101, bid_price: 100, ask_size: 1, bid_size: 2 }, { ask_price: 102, bid_price: 99, ask_size: 3, bid_size: 4 }] },
      { ty: 'orderbook', cd: 'KRW-BTC', tms: 1_700_000_000_500, obu: [{ ap: 1.5e2, bp: 149, as: 1, bs: 2 }] },
    ]);
    const [book] = r.books(10);
    assert.equal(book?.symbol, 'BTC/KRW');
    assert.equal(book?.timestamp, 1_700_000_000_500);
    assert.deepEqual(book?.asks, [[150, 1]]);
    assert.deepEqual(book?.bids, [[149, 2]]);
  });
});

describe('malformed book frames are counted, never thrown', () => {
  for (const [name, exchange, market, frame] of [
    ['not JSON', 'binance', 'spot', '{"e":"depthUpdate",'],
    ['levels not pairs', 'binance', 'spot', JSON.stringify(depth(101, 101, [['1'] as unknown as [string, string]]))],
    ['negative size', 'bybit', 'spot', JSON.stringify({ topic: 'orderbook.1.BTCUSDT', ts: 1, type: 'snapshot', data: { s: 'BTCUSDT', b: [['1', '-1']], a: [], u: 1 } })],
    ['U after u', 'binance', 'spot', JSON.stringify(depth(105, 101, []))],
    ['units not an array', 'upbit', 'spot', JSON.stringify({ type: 'orderbook', code: 'KRW-BTC', timestamp: 1, orderbook_units: {} })],
  ] as const) {
    test(name, () => {
      const r = new BookReplay(bookVenue(exchange, market), exchange === 'binance' ? { snapshot: { lastUpdateId: 100, bids: [], asks: [] } } : {});
      const problems = feed(r, [frame]);
      assert.equal(r.malformed, 1);
      assert.equal(problems.length, 1);
      assert.equal(r.breaks, 0);
    });
  }
});
