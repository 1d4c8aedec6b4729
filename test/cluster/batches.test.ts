/**
 * The publishing side without a server: windows cut on exchange time give two nodes the same
 * batches and message ids whatever the arrival order; the codec round-trips and refuses garbage;
 * a failed publish is retried with the same id and counted, duplicates counted from the ack.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pack, unpack } from 'msgpackr';
import { decodeTradeBatch, decodeTradeBatchColumns, encodeTradeBatch, encodeTradeBatchRows, encodeTradeColumns } from '../../src/cluster/batch-codec.js';
import { cursorKey, CursorTracker } from '../../src/cluster/cursors.js';
import { TradePublisher, type PublishTarget } from '../../src/cluster/publisher.js';
import { subjectType, symbolToken, tickerSubject, tokenSymbol, tradeBatchMsgId, tradeColumnsMsgId, tradeSubject } from '../../src/cluster/subjects.js';
import { decodeTickerBatch, encodeTickerBatch, tickerEventKey } from '../../src/cluster/ticker-codec.js';
import { ClosedWindow, WindowBatcher } from '../../src/cluster/window-batcher.js';
import { tradeColumnsFrom } from '../../src/store/blocks/trade-rows.js';
import type { TradeRows } from '../../src/store/types.js';
import { Prng } from '../../src/prng.js';
import type { Ticker, Trade } from '../../src/records.js';
import { ManualClock } from '../../src/time/manual-clock.js';

const T0 = 1_764_000_000_000;

function trades(n: number, symbol = 'BTC/USDT', seed = 1): Trade[] {
  const prng = new Prng(seed);
  let ts = T0;
  return Array.from({ length: n }, (_, i) => {
    ts += prng.int(15);
    return { type: 'trade', exchange: 'binance', market: 'spot', symbol, id: String(1_000 + i), timestamp: ts, localTimestamp: ts + 20 + prng.int(30), price: 90_000 + prng.int(1000) / 100, amount: (1 + prng.int(9999)) / 100_000, side: prng.next() < 0.5 ? 'buy' : 'sell' };
  });
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const prng = new Prng(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = prng.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const idsOf = (windows: { exchange: Trade['exchange']; market: Trade['market']; symbol: string; windowStart: number; trades: Trade[] }[]) =>
  windows.map((w) => tradeBatchMsgId(w.exchange, w.market, w.symbol, w.windowStart, w.trades.map((t) => t.id))).sort();

describe('subjects and message ids', () => {
  test('symbols map to subject tokens one-to-one; dots and wildcards escaped', () => {
    for (const s of ['BTC/USDT', 'BTC/USDT:USDT', 'A.B/C', '50%/X', 'x*y>z']) {
      assert.ok(!/[.*>\s]/.test(symbolToken(s)), symbolToken(s));
      assert.equal(tokenSymbol(symbolToken(s)), s);
    }
    assert.equal(tradeSubject('okx', 'futures', 'BTC/USDT:USDT'), 'tickvisor.trade.okx.futures.BTC/USDT:USDT');
  });
  test('the id changes with any trade id of the batch, not only the count and the last', () => {
    const a = tradeBatchMsgId('binance', 'spot', 'X/Y', 0, ['1', '2', '4']);
    assert.equal(a, tradeBatchMsgId('binance', 'spot', 'X/Y', 0, ['1', '2', '4']));
    assert.notEqual(a, tradeBatchMsgId('binance', 'spot', 'X/Y', 0, ['1', '3', '4']));
    assert.notEqual(a, tradeBatchMsgId('binance', 'spot', 'X/Y', 50, ['1', '2', '4']));
  });
});

describe('window batcher', () => {
  const options = { windowMs: 50, graceMs: 250, maxPendingTrades: 1_000_000 };
  test('two nodes receiving the same trades in other orders and chunks cut identical batches', () => {
    const all = trades(3_000);
    const a = new WindowBatcher(options);
    const b = new WindowBatcher(options);
    a.add(all);
    const other = shuffled(all, 7);
    for (let i = 0; i < other.length; i += 37) b.add(other.slice(i, i + 37));
    b.add(other.slice(0, 5)); // a rotation overlap hands a few over twice
    const end = all.at(-1)!.timestamp + 1_000;
    const wa = a.takeClosed(end);
    const wb = b.takeClosed(end);
    assert.ok(wa.length > 100);
    assert.deepEqual(idsOf(wa), idsOf(wb));
    assert.equal(wa.reduce((n, w) => n + w.trades.length, 0), 3_000);
  });
  test('a window goes out only once local time is past its end plus the grace; a late trade goes out again on its own', () => {
    const b = new WindowBatcher(options);
    b.add([{ ...trades(1)[0]!, timestamp: T0 + 10 }]);
    assert.equal(b.takeClosed(T0 + 50 + 249).length, 0);
    const first = b.takeClosed(T0 + 300);
    assert.equal(first.length, 1);
    assert.equal(first[0]!.windowStart, T0);
    b.add([{ ...trades(1)[0]!, id: 'late', timestamp: T0 + 20 }]);
    const late = b.takeClosed(T0 + 301);
    assert.deepEqual(late.map((w) => [w.windowStart, w.trades.map((t) => t.id)]), [[T0, ['late']]]);
  });
  test('past maxPendingTrades the oldest windows go out early (memory stays bounded)', () => {
    const b = new WindowBatcher({ ...options, maxPendingTrades: 100 });
    b.add(trades(1_000));
    const out = b.takeClosed(T0); // nothing is due by time
    assert.ok(b.pending <= 100, `${b.pending} pending`);
    assert.equal(out.reduce((n, w) => n + w.trades.length, 0) + b.pending, 1_000);
    for (let i = 1; i < out.length; i++) assert.ok(out[i - 1]!.windowStart <= out[i]!.windowStart);
  });
});

describe('window batcher: columns in, as the runtime hands committed batches over', () => {
  const options = { windowMs: 50, graceMs: 250, maxPendingTrades: 1_000_000 };
  /** trades as one committed batch's columns (taken-batch.ts: one venue, numeric ids) */
  const rowsOf = (t: readonly Trade[]): TradeRows => ({
    exchange: t[0]!.exchange,
    market: t[0]!.market,
    symbols: t.map((x) => x.symbol),
    columns: tradeColumnsFrom(t),
  });
  const wire = (w: ClosedWindow) => [tradeColumnsMsgId(w.exchange, w.market, w.symbol, w.windowStart, w.columns), Buffer.from(encodeTradeColumns(w)).toString('hex')];

  test('the same trades as columns or as records, in any order and chunks, cut the same batches: same message ids, same bytes', () => {
    const all = [...trades(1_500, 'BTC/USDT', 1), ...trades(1_500, 'ETH/USDT', 2)].sort((a, b) => a.timestamp - b.timestamp);
    const records = new WindowBatcher(options);
    records.add(shuffled(all, 5));
    const columns = new WindowBatcher(options);
    const other = shuffled(all, 9);
    for (let i = 0; i < other.length; i += 41) columns.addRows(rowsOf(other.slice(i, i + 41)));
    columns.addRows(rowsOf(other.slice(0, 7))); // a rotation overlap hands a few over twice
    const end = all.at(-1)!.timestamp + 1_000;
    const a = records.takeClosed(end).map(wire).sort();
    const b = columns.takeClosed(end).map(wire).sort();
    assert.ok(a.length > 100);
    assert.deepEqual(b, a);
    assert.equal(columns.pending, 0);
  });

  test('a window is in (timestamp, id) order with each trade once; its message id is the one its ids as text give', () => {
    const t = trades(60);
    const b = new WindowBatcher({ ...options, windowMs: 1_000_000 });
    b.addRows(rowsOf([...t].reverse()));
    b.addRows(rowsOf(t.slice(10, 20)));
    const [w] = b.takeAll();
    assert.deepEqual(w!.trades, [...t].sort((x, y) => x.timestamp - y.timestamp || Number(x.id) - Number(y.id)));
    assert.equal(tradeColumnsMsgId(w!.exchange, w!.market, w!.symbol, w!.windowStart, w!.columns), tradeBatchMsgId(w!.exchange, w!.market, w!.symbol, w!.windowStart, w!.trades.map((x) => x.id)));
  });

  test('text ids (UUIDs, 17-digit ids) beside numeric ones keep their text and order as the store orders them', () => {
    const base = trades(3);
    const mixed: Trade[] = [
      { ...base[0]!, timestamp: T0, id: '18446744073709551617' },
      { ...base[1]!, timestamp: T0, id: '42' },
      { ...base[2]!, timestamp: T0, id: 'b1d2-uuid' },
    ];
    const b = new WindowBatcher(options);
    b.add(mixed);
    const [w] = b.takeAll();
    assert.equal(w!.columns.ids.kind, 'string');
    assert.deepEqual(w!.trades.map((x) => x.id), ['42', '18446744073709551617', 'b1d2-uuid']);
  });

  test('given the time, a trade whose window already went out rides in the oldest window not yet due; with none open it goes alone', () => {
    const b = new WindowBatcher(options); // window 50, grace 250
    const at = (id: string, timestamp: number): Trade => ({ ...trades(1)[0]!, id, timestamp });
    b.addRows(rowsOf([at('1', T0 + 10)]), T0 + 20);
    const first = b.takeClosed(T0 + 300);
    assert.deepEqual(first.map((w) => w.windowStart), [T0]);
    // windows T0+50 and T0+100 are open; T0+50 is due at T0+350, T0+100 at T0+400
    b.addRows(rowsOf([at('3', T0 + 60), at('4', T0 + 120)]), T0 + 330);
    b.addRows(rowsOf([at('2', T0 + 30)]), T0 + 360); // late: T0 went out, T0+50 is due already
    let floor: number | undefined;
    b.forEachOpen((w) => w.windowStart === T0 + 100 && (floor = w.floor));
    assert.equal(floor, T0 + 30, 'the window holding a late trade is held down to its time');
    const out = b.takeClosed(T0 + 400).map((w) => [w.windowStart, w.trades.map((t) => t.id), w.floor]);
    assert.deepEqual(out, [[T0 + 50, ['3'], T0 + 50], [T0 + 100, ['2', '4'], T0 + 30]]);
    // nothing open: the window due next is opened for it (at T0+500 with grace 250, T0+250 is due at T0+550), and trades of that window join it
    b.addRows(rowsOf([at('5', T0 + 40), at('5b', T0 + 260)]), T0 + 500);
    assert.equal(b.takeClosed(T0 + 549).length, 0);
    assert.deepEqual(b.takeClosed(T0 + 550).map((w) => [w.windowStart, w.trades.map((t) => t.id), w.floor]), [[T0 + 250, ['5', '5b'], T0 + 40]]);
    // without the time (a republish, the tests above) a late trade always starts its own window
    b.addRows(rowsOf([at('7', T0 + 560)]), T0 + 560);
    b.addRows(rowsOf([at('6', T0 + 45)]));
    assert.deepEqual(b.takeAll().map((w) => [w.windowStart, w.trades.map((t) => t.id)]).sort(), [[T0, ['6']], [T0 + 550, ['7']]]);
  });

  test('a window handed out keeps its trades when the batcher reuses its buffer for later windows', () => {
    const t = trades(400);
    const b = new WindowBatcher(options);
    b.addRows(rowsOf(t.slice(0, 200)));
    const first = b.takeAll();
    const before = first.map((w) => w.trades.map((x) => [x.id, x.timestamp, x.price]));
    b.addRows(rowsOf(t.slice(200)));
    b.takeAll();
    assert.deepEqual(first.map((w) => w.trades.map((x) => [x.id, x.timestamp, x.price])), before);
    assert.equal(first.reduce((n, w) => n + w.length, 0), 200);
  });

  test('an acked window moves its cursor as its trades as records would', async () => {
    const cursors = async (note: (tracker: CursorTracker, w: ClosedWindow) => void) => {
      const puts = new Map<string, unknown>();
      const tracker = new CursorTracker(async (key, value) => void puts.set(key, JSON.parse(new TextDecoder().decode(value))));
      const b = new WindowBatcher({ ...options, windowMs: 1_000_000 });
      const t = trades(30);
      // the newest timestamp twice: '1000' is newer than '999' (digit ids compare as numbers)
      b.add([...t, { ...t[29]!, timestamp: t[29]!.timestamp + 5, id: '999' }, { ...t[29]!, timestamp: t[29]!.timestamp + 5, id: '1000' }]);
      for (const w of b.takeAll()) note(tracker, w);
      await tracker.flush();
      return puts;
    };
    const byRecords = await cursors((tracker, w) => tracker.noteAcked(w.trades));
    const byWindow = await cursors((tracker, w) => tracker.noteAckedWindow(w));
    assert.deepEqual(byWindow, byRecords);
    assert.equal((byWindow.get('binance.spot.BTC/USDT') as { tradeId: string }).tradeId, '1000');
  });
});

describe('batch codec', () => {
  const base = { exchange: 'binance' as const, market: 'spot' as const, symbol: 'BTC/USDT', windowStart: T0 };
  test('round-trips every field exactly: numeric ids, 17-digit ids, UUIDs, any row order, 0.1 + 0.2', () => {
    const numeric = { ...base, trades: trades(200) };
    const upbit = { ...base, exchange: 'upbit' as const, symbol: 'BTC/KRW', trades: trades(50, 'BTC/KRW').map((t) => ({ ...t, exchange: 'upbit' as const, id: `1764000000000${t.id}000`, price: 0.1 + 0.2 })) };
    const uuid = (i: number) => `${(0x10000000 + i * 7919).toString(16)}-aaaa-4bbb-8ccc-${(0x100000000000 + i * 104729).toString(16)}`;
    const bybit = { ...base, exchange: 'bybit' as const, trades: trades(30).map((t, i) => ({ ...t, exchange: 'bybit' as const, id: uuid(i) })) };
    const unordered = { ...base, trades: shuffled(trades(100), 3) };
    for (const batch of [numeric, upbit, bybit, unordered]) assert.deepEqual(decodeTradeBatch(encodeTradeBatch(batch)), batch);
  });
  test('a message is a columnar block: consecutive ids and tick-sized prices cost a few bytes a trade, far under the rows of format 1', () => {
    const batch = { ...base, trades: trades(200) };
    const columns = encodeTradeBatch(batch).length / 200;
    const rows = encodeTradeBatchRows(batch).length / 200;
    assert.ok(columns < 12, `${columns.toFixed(1)} bytes a trade`);
    assert.ok(rows > 3 * columns, `rows ${rows.toFixed(1)} vs columns ${columns.toFixed(1)} bytes a trade`);
  });
  test('format 1 (msgpack rows, written by an earlier node) is still read, as records and as columns', () => {
    const batch = { ...base, trades: trades(20) };
    assert.deepEqual(decodeTradeBatch(encodeTradeBatchRows(batch)), batch);
    const c = decodeTradeBatchColumns(encodeTradeBatchRows(batch));
    assert.ok(!('error' in c));
    assert.equal(c.columns.length, 20);
    assert.equal(c.columns.ids.kind, 'numeric');
  });
  test('refuses malformed messages with a reason, never throws', () => {
    const good = { v: 1, x: 'binance', m: 'spot', s: 'BTC/USDT', w: T0, t: [['1', T0, T0, 1, 1, 0]] };
    const block = (encode: (b: typeof base & { trades: Trade[] }) => Uint8Array, t: Trade[]) => encode({ ...base, trades: t });
    const valid = block(encodeTradeBatch, trades(5));
    const truncated = { ...good, v: 2, t: undefined, b: (unpackB(valid) as Uint8Array).subarray(0, 6) };
    const nan = { ...good, v: 2, t: undefined, b: unpackB(block(encodeTradeBatch, trades(5).map((t, i) => (i === 2 ? { ...t, price: Number.NaN } : t)))) };
    const cases: [unknown, RegExp][] = [
      [{ ...good, v: 3 }, /batch format 3/],
      [{ ...good, x: 'kraken' }, /unknown exchange/],
      [{ ...good, t: [['1', T0, T0, 'x', 1, 0]] }, /trade 0 has a malformed field/],
      [{ ...good, t: [['1', T0]] }, /trade 0 is not a 6-field row/],
      [{ ...good, v: 2 }, /no trade block/],
      [truncated, /trade block cannot be read/],
      [nan, /trade 2 has a malformed field/],
      [null, /not an object/],
    ];
    for (const [wire, why] of cases) {
      const r = decodeTradeBatch(pack(wire));
      assert.ok('error' in r && why.test(r.error), JSON.stringify(r));
    }
    const r = decodeTradeBatch(new Uint8Array([0xc1, 0xff, 0x00]));
    assert.ok('error' in r);
  });
});

/** the block inside a format-2 message */
function unpackB(bytes: Uint8Array): unknown {
  return (unpack(bytes) as { b: unknown }).b;
}

describe('ticker codec', () => {
  const ticker = (over: Partial<Ticker> = {}): Ticker => ({ type: 'ticker', exchange: 'okx', market: 'futures', symbol: 'BTC/USDT:USDT', timestamp: T0, localTimestamp: T0 + 7, last: 0.1 + 0.2, bid: 97_000.5, ask: 97_001, volume24h: 1234.5678, ...over });
  test('round-trips every field exactly; a field the venue does not send stays absent', () => {
    const batch = { exchange: 'okx' as const, market: 'futures' as const, symbol: 'BTC/USDT:USDT', tickers: [ticker(), ticker({ timestamp: T0 + 1, bid: undefined, ask: undefined, high24h: 99_000, quoteVolume24h: 5e9 })] };
    // an absent field is not even a key after decoding
    const expected = batch.tickers.map((t) => Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined)));
    assert.deepEqual(decodeTickerBatch(encodeTickerBatch(batch)), { ...batch, tickers: expected });
  });
  test('refuses malformed messages with a reason, never throws', () => {
    const row = [T0, T0, 1, null, null, null, null, null, null, null, null];
    const good = { v: 1, x: 'okx', m: 'futures', s: 'BTC/USDT:USDT', k: [row] };
    assert.ok(!('error' in decodeTickerBatch(pack(good))));
    const cases: [unknown, RegExp][] = [
      [{ ...good, v: 3 }, /ticker batch format 3/],
      [{ ...good, m: 'options' }, /unknown market/],
      [{ ...good, k: [row.slice(0, 5)] }, /ticker 0 is not a 11-field row/],
      [{ ...good, k: [[T0, T0, 'x', ...row.slice(3)]] }, /ticker 0 has a malformed field/],
      [{ ...good, k: [[...row.slice(0, 4), 'bad', ...row.slice(5)]] }, /ticker 0 has a malformed ask/],
      [{ ...good, k: 5 }, /no tickers/],
    ];
    for (const [wire, why] of cases) {
      const r = decodeTickerBatch(pack(wire));
      assert.ok('error' in r && why.test(r.error), JSON.stringify(r));
    }
  });
  test('an exchange event is its time and values, not the local time it was received at', () => {
    assert.equal(tickerEventKey(ticker()), tickerEventKey(ticker({ localTimestamp: T0 + 900 })));
    assert.notEqual(tickerEventKey(ticker()), tickerEventKey(ticker({ last: 1 })));
    assert.notEqual(tickerEventKey(ticker()), tickerEventKey(ticker({ bid: undefined })));
    assert.notEqual(tickerEventKey(ticker()), tickerEventKey(ticker({ timestamp: T0 + 1 })));
  });
  test('subjects name their record type', () => {
    assert.equal(subjectType(tickerSubject('okx', 'futures', 'BTC/USDT:USDT')), 'ticker');
    assert.equal(subjectType(tradeSubject('binance', 'spot', 'A.B/USDT')), 'trade');
    assert.equal(subjectType('other.trade.x'), undefined);
  });
  test('the publisher sends one message per symbol at once; two nodes with the same tickers send the same ids', async () => {
    const sent: { subject: string; msgId: string; data: Uint8Array }[] = [];
    const target: PublishTarget = { publish: async (subject, data, msgId) => (sent.push({ subject, msgId, data }), { duplicate: false }) };
    const a = new TradePublisher(target, { clock: new ManualClock(T0) });
    const tickers = [ticker(), ticker({ symbol: 'ETH/USDT:USDT' }), ticker({ timestamp: T0 + 5 })];
    a.pushTickers(tickers);
    a.pushTickers(tickers.map((t) => ({ ...t, localTimestamp: t.localTimestamp + 3 })));
    await a.idle();
    assert.equal(sent.length, 4);
    assert.deepEqual(sent.map((m) => m.subject), [tickerSubject('okx', 'futures', 'BTC/USDT:USDT'), tickerSubject('okx', 'futures', 'ETH/USDT:USDT'), tickerSubject('okx', 'futures', 'BTC/USDT:USDT'), tickerSubject('okx', 'futures', 'ETH/USDT:USDT')]);
    assert.equal(sent[0]!.msgId, sent[2]!.msgId, 'other local times, the same events: the same id');
    assert.notEqual(sent[0]!.msgId, sent[1]!.msgId);
    const first = decodeTickerBatch(sent[0]!.data);
    assert.ok(!('error' in first) && first.tickers.length === 2);
    assert.equal(a.stats.tickers, 6);
    assert.equal(a.stats.backlog, 0);
  });
});

describe('publisher (fake stream)', () => {
  test('a failed publish is retried with the same id and bytes; duplicates are counted from the acks', async () => {
    const clock = new ManualClock(T0);
    const seen = new Map<string, number>();
    const calls: string[] = [];
    let failNext = 2;
    const target: PublishTarget = {
      publish: async (_subject, data, msgId) => {
        calls.push(msgId);
        if (failNext-- > 0) throw new Error('timeout');
        const duplicate = seen.has(msgId);
        seen.set(msgId, data.length);
        return { duplicate };
      },
    };
    const a = new TradePublisher(target, { clock, retryMinMs: 100 });
    const b = new TradePublisher(target, { clock, retryMinMs: 100 });
    const all = trades(500);
    a.push(all);
    b.push(shuffled(all, 3));
    clock.set(all.at(-1)!.timestamp + 1_000);
    a.flushClosed();
    await new Promise((r) => setImmediate(r));
    b.flushClosed();
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setImmediate(r));
      clock.advance(500);
    }
    await Promise.all([a.idle(), b.idle()]);
    assert.equal(a.stats.failedAttempts, 2);
    assert.equal(calls.filter((id) => id === calls[0]).length >= 2, true, 'the failed batch went out again under its id');
    // both sent every window once (acked); whichever copy came second was the duplicate
    assert.equal(a.stats.batches, seen.size);
    assert.equal(b.stats.batches, seen.size);
    assert.equal(a.stats.duplicatesDropped + b.stats.duplicatesDropped, seen.size);
    assert.ok(a.stats.duplicatesDropped >= 1, 'a retried batch landed after b\'s copy');
    assert.equal(a.stats.backlog + b.stats.backlog, 0);
    assert.equal(a.stats.trades, 500);
  });
});

describe('publisher timing', () => {
  test('a window goes out as soon as its end plus the grace has passed, whenever the publisher started', () => {
    // started 37 ms into a 50 ms window: ticking every 50 ms from there would wake 13 ms after each due time
    for (const startPhase of [0, 1, 37, 49]) {
      const start = T0 + startPhase;
      const clock = new ManualClock(start);
      const sent: number[] = [];
      const target: PublishTarget = {
        publish: async () => {
          sent.push(clock.now());
          return { duplicate: false };
        },
      };
      const p = new TradePublisher(target, { clock, windowMs: 50, graceMs: 100 });
      p.start();
      const windowStart = Math.floor(start / 50) * 50 + 50;
      p.push([{ ...trades(1)[0]!, timestamp: windowStart + 20 }]);
      const due = windowStart + 50 + 100;
      clock.advance(due - start - 1);
      assert.equal(sent.length, 0, `phase ${startPhase}: not before the window's end plus the grace`);
      clock.advance(2);
      assert.equal(sent.length, 1, `phase ${startPhase}: out within a millisecond of falling due`);
      void p.close(0);
    }
  });
});

describe('published cursors', () => {
  test('KV keys are KV-safe and one-to-one', () => {
    const keys = ['BTC/USDT', 'BTC/USDT:USDT', 'A=B/C', 'A.B/C', 'Ü/X'].map((s) => cursorKey('okx', 'futures', s));
    for (const k of keys) assert.match(k, /^[-/_=.A-Za-z0-9]+$/);
    assert.equal(new Set(keys).size, keys.length);
    assert.equal(keys[1], 'okx.futures.BTC/USDT=3AUSDT');
  });
  test('keeps the newest acked trade per symbol, writes only what moved, keeps a failed write for the next flush', async () => {
    const puts: [string, unknown][] = [];
    let fail = false;
    const tracker = new CursorTracker(async (key, value) => {
      if (fail) throw new Error('no answer');
      puts.push([key, JSON.parse(new TextDecoder().decode(value))]);
    });
    const t = trades(10);
    tracker.noteAcked(t.slice(5));
    tracker.noteAcked(t.slice(0, 5)); // an older batch acked late moves nothing back
    assert.equal(await tracker.flush(), 1);
    assert.deepEqual(puts, [['binance.spot.BTC/USDT', { tradeId: t[9]!.id, timestamp: t[9]!.timestamp }]]);
    assert.equal(await tracker.flush(), 0, 'nothing moved');
    // same timestamp: digit ids compare as numbers ('1000' after '999')
    tracker.noteAcked([{ ...t[9]!, id: '999' }, { ...t[9]!, id: '1000' }, { ...t[9]!, timestamp: t[9]!.timestamp + 1, id: '10000' }]);
    fail = true;
    assert.equal(await tracker.flush(), 0);
    fail = false;
    assert.equal(await tracker.flush(), 1);
    assert.deepEqual(puts.at(-1), ['binance.spot.BTC/USDT', { tradeId: '10000', timestamp: t[9]!.timestamp + 1 }]);
  });
  test('trades of several symbols in one call each move their own symbol\'s cursor', async () => {
    const puts = new Map<string, unknown>();
    const tracker = new CursorTracker(async (key, value) => void puts.set(key, JSON.parse(new TextDecoder().decode(value))));
    const btc = trades(4, 'BTC/USDT');
    const eth = trades(4, 'ETH/USDT', 2);
    const okx = { ...btc[3]!, exchange: 'okx' as const, id: 'x1' };
    // interleaved, the newest of each symbol not last: the key must follow every change of symbol
    tracker.noteAcked([btc[0]!, btc[3]!, eth[3]!, eth[0]!, okx, btc[1]!, eth[2]!]);
    assert.equal(await tracker.flush(), 3);
    assert.deepEqual(puts.get('binance.spot.BTC/USDT'), { tradeId: btc[3]!.id, timestamp: btc[3]!.timestamp });
    assert.deepEqual(puts.get('binance.spot.ETH/USDT'), { tradeId: eth[3]!.id, timestamp: eth[3]!.timestamp });
    assert.deepEqual(puts.get('okx.spot.BTC/USDT'), { tradeId: 'x1', timestamp: btc[3]!.timestamp });
  });
});

describe('published cursors and out-of-order acks', () => {
  test('a cursor is held back while an older batch of its symbol is unacked (a retry under way), and moves once it lands', async () => {
    const clock = new ManualClock(T0);
    const t = trades(40); // several 50 ms windows
    const firstWindow = Math.floor(t[0]!.timestamp / 50) * 50;
    let failFirst = true;
    const target: PublishTarget = {
      publish: async (_s, data) => {
        const batch = decodeTradeBatch(data);
        if ('error' in batch) throw new Error(batch.error);
        // the oldest window's first attempt times out (a leader election); the later ones land
        if (batch.windowStart === firstWindow && failFirst) {
          failFirst = false;
          throw new Error('timeout');
        }
        return { duplicate: false };
      },
    };
    const written: { tradeId: string; timestamp: number }[] = [];
    const tracker = new CursorTracker(async (_key, value) => void written.push(JSON.parse(new TextDecoder().decode(value)) as { tradeId: string; timestamp: number }));
    const p = new TradePublisher(target, { clock, retryMinMs: 1_000, onAcked: (batch) => tracker.noteAcked(batch.trades) });
    p.start();
    p.push(t);
    clock.advance(t[39]!.timestamp - T0 + 200); // every window due and sent
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    assert.ok(p.stats.batches > 1, 'the later windows were acked');
    const key = cursorKey('binance', 'spot', 'BTC/USDT');
    assert.equal(p.pendingFloors().get(key), firstWindow, 'the failed window is still pending');
    assert.equal(await tracker.flush(p.pendingFloors()), 0, 'no cursor past the unacked window');
    assert.deepEqual(written, []);
    clock.advance(1_000); // the retry goes out and lands
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    assert.equal(p.pendingFloors().size, 0);
    assert.equal(await tracker.flush(p.pendingFloors()), 1);
    assert.deepEqual(written, [{ tradeId: t[39]!.id, timestamp: t[39]!.timestamp }]);
    await p.close(0);
  });

  test('a late trade riding in a later window holds its symbol\'s floor at its own time until that window is acked', async () => {
    const clock = new ManualClock(T0 + 5);
    const sent: { windowStart: number; ids: string[] }[] = [];
    const target: PublishTarget = {
      publish: async (_s, data) => {
        const batch = decodeTradeBatch(data);
        if ('error' in batch) throw new Error(batch.error);
        sent.push({ windowStart: batch.windowStart, ids: batch.trades.map((x) => x.id) });
        return { duplicate: false };
      },
    };
    const p = new TradePublisher(target, { clock, graceMs: 20 });
    p.start();
    const at = (id: string, timestamp: number): Trade => ({ ...trades(1)[0]!, id, timestamp, localTimestamp: clock.now() });
    const rows = (t: readonly Trade[]): TradeRows => ({ exchange: 'binance', market: 'spot', symbols: t.map((x) => x.symbol), columns: tradeColumnsFrom(t) });
    p.pushRows(rows([at('1', T0 + 10)]));
    clock.advance(66); // T0+71: window T0 is due (50 + 20) and goes out
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(sent, [{ windowStart: T0, ids: ['1'] }]);
    p.pushRows(rows([at('3', T0 + 60)]));
    p.pushRows(rows([at('2', T0 + 40)])); // window T0 went out: rides in T0+50, not due before T0+120
    const key = cursorKey('binance', 'spot', 'BTC/USDT');
    assert.equal(p.pendingFloors().get(key), T0 + 40);
    clock.advance(50); // T0+121
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(sent.slice(1), [{ windowStart: T0 + 50, ids: ['2', '3'] }], 'one message, not a window of its own');
    assert.equal(p.pendingFloors().size, 0);
    await p.close(0);
  });
});

describe('publisher shutdown', () => {
  test('close() flushes open windows and says false when the acks do not come in time', async () => {
    const clock = new ManualClock(T0);
    const sent: string[] = [];
    const target: PublishTarget = {
      publish: (_s, _d, msgId) => {
        sent.push(msgId);
        return new Promise(() => {}); // NATS gone: no answer ever
      },
    };
    const p = new TradePublisher(target, { clock });
    p.push(trades(20)); // windows still open: close must send them anyway
    const closing = p.close(2_000);
    await new Promise((r) => setImmediate(r));
    assert.ok(sent.length > 0, 'open windows were sent on close');
    clock.advance(2_000);
    assert.equal(await closing, false);
    assert.equal(p.stats.backlog, 20);
  });
});

describe('published cursors and what the node still holds', () => {
  test('a unit floor (its pipeline\'s oldest uncommitted trade) holds back every cursor of that unit, and only that unit\'s', async () => {
    const puts = new Map<string, { tradeId: string; timestamp: number }>();
    const tracker = new CursorTracker(async (key, value) => void puts.set(key, JSON.parse(new TextDecoder().decode(value)) as { tradeId: string; timestamp: number }));
    const btc = trades(4, 'BTC/USDT');
    const okx = btc.map((t, i) => ({ ...t, exchange: 'okx' as const, id: `x${i}` }));
    tracker.noteAcked(btc);
    tracker.noteAcked(okx);
    // binance spot's pipeline still holds a trade older than the newest acked: that trade has not
    // reached the stream, and a cursor past it would have the next holder backfill from after it
    const held = new Map([['binance.spot', btc[1]!.timestamp]]);
    assert.equal(await tracker.flush(undefined, held), 1);
    assert.deepEqual([...puts.keys()], ['okx.spot.BTC/USDT']);
    // once the pipeline committed it (its floor is past the newest acked), the cursor moves
    assert.equal(await tracker.flush(undefined, new Map([['binance.spot', btc[3]!.timestamp + 1]])), 1);
    assert.deepEqual(puts.get('binance.spot.BTC/USDT'), { tradeId: btc[3]!.id, timestamp: btc[3]!.timestamp });
  });

  test('a symbol floor (the start of a hole not yet filled) holds that symbol\'s cursor at its last write', async () => {
    const puts: { key: string; tradeId: string }[] = [];
    const tracker = new CursorTracker(async (key, value) => void puts.push({ key, tradeId: (JSON.parse(new TextDecoder().decode(value)) as { tradeId: string }).tradeId }));
    const t = trades(6);
    tracker.noteAcked(t.slice(0, 2));
    assert.equal(await tracker.flush(), 1);
    // a hole opened after t[1]; live trades after it are acked while REST has not filled it
    tracker.noteAcked(t.slice(4));
    const key = cursorKey('binance', 'spot', 'BTC/USDT');
    assert.equal(await tracker.flush(new Map([[key, t[1]!.timestamp]])), 0, 'the cursor stays before the hole');
    assert.deepEqual(puts.map((p) => p.tradeId), [t[1]!.id]);
    assert.equal(await tracker.flush(new Map()), 1, 'the hole filled: the cursor moves');
    assert.deepEqual(puts.map((p) => p.tradeId), [t[1]!.id, t[5]!.id]);
  });
});
