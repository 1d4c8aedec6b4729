/**
 * Books on the cluster's stream, without a server: the codec round-trips and refuses garbage,
 * the message id follows the venue content (not the local times), BookSink tells what it
 * committed and the node links each record to the one before, the publisher sends one message per
 * symbol and commit and drops (counted) past its bound, and the archive's rule keeps one book.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pack } from 'msgpackr';
import { judgeBookRecord } from '../../src/cluster/book-archive.js';
import { bookRow, bookRowsHash, decodeBookBatch, encodeBookBatch, type LinkedBookRecord } from '../../src/cluster/book-codec.js';
import { BookLinks } from '../../src/cluster/book-feed.js';
import { TradePublisher, type PublishTarget } from '../../src/cluster/publisher.js';
import { bookBatchMsgId, subjectType } from '../../src/cluster/subjects.js';
import type { BookRecord } from '../../src/records.js';
import { createStoreFaultGate, openHistoryStore } from '../../src/store/index.js';
import { BookSink, type CommittedBookRun } from '../../src/store/books/sink.js';
import { ManualClock } from '../../src/time/manual-clock.js';
import { tempDir } from '../store/helpers.js';
import { BOOK_T0, nodeRecords, SYMBOL, timeOf, venueEvents } from './book-venue.js';

const base = { type: 'book', exchange: 'binance', market: 'spot', symbol: SYMBOL } as const;
const snapshot: BookRecord = { ...base, kind: 'snapshot', timestamp: BOOK_T0, localTimestamp: BOOK_T0 + 20, sequence: 100, bids: [[99.5, 1.25], [99.4, 0.1 + 0.2]], asks: [[100.5, 3]] };
const update: BookRecord = { ...base, kind: 'update', timestamp: BOOK_T0 + 10, localTimestamp: BOOK_T0 + 31, sequence: 101, bids: [[99.5, 0]], asks: [] };
const resync: BookRecord = { ...base, kind: 'resync', timestamp: BOOK_T0 + 50, localTimestamp: BOOK_T0 + 50, bids: [], asks: [], reason: 'u 110 after 101: 8 update(s) missed' };
const upbit: BookRecord = { type: 'book', exchange: 'upbit', market: 'spot', symbol: 'BTC/KRW', kind: 'snapshot', timestamp: BOOK_T0, localTimestamp: BOOK_T0 + 5, bids: [[1e8, 0.5]], asks: [[1.0001e8, 0.25]] };

const idOf = (records: LinkedBookRecord[]) => {
  const rows = records.map((l) => bookRow(l.record, l.prev));
  return bookBatchMsgId('binance', 'spot', SYMBOL, rows[0]![1], rows.length, bookRowsHash(rows));
};

describe('book codec and message ids', () => {
  test('round trip: every kind, with and without a sequence or a link, levels bit for bit', () => {
    const batch = { exchange: 'binance' as const, market: 'spot' as const, symbol: SYMBOL, records: [{ record: snapshot }, { record: update, prev: 100 }, { record: resync, prev: 101 }] };
    assert.deepEqual(decodeBookBatch(encodeBookBatch(batch)), batch);
    const whole = { exchange: 'upbit' as const, market: 'spot' as const, symbol: 'BTC/KRW', records: [{ record: upbit }] };
    assert.deepEqual(decodeBookBatch(encodeBookBatch(whole)), whole);
  });

  test('malformed messages are refused with a reason, never a crash', () => {
    const row = [1, BOOK_T0, BOOK_T0, 5, 4, [1, 2], [], null];
    const wire = (r: unknown[]) => pack({ v: 1, x: 'binance', m: 'spot', s: SYMBOL, r: [r] });
    assert.ok('records' in decodeBookBatch(wire(row)));
    for (const bad of [[7, ...row.slice(1)], [1, 'x', ...row.slice(2)], [...row.slice(0, 5), [1], [], null], [...row.slice(0, 5), [1, Number.NaN], [], null], [...row.slice(0, 7), 5], row.slice(0, 7)]) {
      const out = decodeBookBatch(wire(bad));
      assert.ok('error' in out, JSON.stringify(bad));
    }
    assert.ok('error' in decodeBookBatch(new Uint8Array([0xc1])));
    assert.ok('error' in decodeBookBatch(pack({ v: 2, x: 'binance', m: 'spot', s: SYMBOL, r: [] })));
  });

  test('the id is the same for the same venue content (other local times) and differs otherwise', () => {
    const a = [{ record: snapshot }, { record: update, prev: 100 }];
    const b = a.map((l) => ({ ...l, record: { ...l.record, localTimestamp: l.record.localTimestamp + 3 } }));
    assert.equal(idOf(a), idOf(b), 'a redundant node that committed the same records');
    assert.match(idOf(a), /^book\.binance\.spot\.BTC\/USDT\.1764000000000\.2\.[0-9a-f]{8}$/);
    assert.notEqual(idOf(a), idOf([a[0]!, { record: { ...update, bids: [[99.5, 0.5]] }, prev: 100 }]), 'another amount');
    assert.notEqual(idOf(a), idOf([a[0]!, { record: { ...update, sequence: 102 }, prev: 100 }]), 'another sequence');
    assert.notEqual(idOf(a), idOf([a[0]!, { record: update, prev: 99 }]), 'another link');
    assert.notEqual(idOf(a), idOf([a[0]!]), 'fewer records');
    assert.equal(subjectType('tickvisor.book.binance.spot.BTC/USDT'), 'book');
  });
});

describe('from the book store to the publisher', () => {
  test('BookSink tells each durable commit once; a failed commit tells nothing; the links follow the stored order', async (t) => {
    const store = openHistoryStore({ path: tempDir(t), noSync: true });
    t.after(() => store.close());
    const gate = createStoreFaultGate();
    const told: LinkedBookRecord[][] = [];
    const links = new BookLinks();
    const sink = new BookSink(store.env, {
      clock: new ManualClock(),
      durable: false,
      faultGate: gate,
      onCommitted: (runs: readonly CommittedBookRun[]) => {
        for (const r of links.rows(runs)) told.push(decodeRows(r.exchange, r.symbol, r.rows));
      },
    });
    const records = nodeRecords(venueEvents(101, 130), { syncAt: 100, until: 130, latencyMs: 20 }).map((l) => l.record);
    sink.write(records.slice(0, 10));
    gate.failUntil(Number.POSITIVE_INFINITY);
    await sink.flush();
    assert.equal(told.length, 0, 'nothing told while the commit fails');
    gate.clear();
    sink.write([...records.slice(10, 20), { ...resync, timestamp: timeOf(121), localTimestamp: timeOf(121) }, { ...records[20]!, kind: 'snapshot' }]);
    await sink.flush();
    sink.write(records.slice(21));
    await sink.close();
    const all = told.flat();
    assert.equal(told.length, 2, 'one batch per symbol per commit');
    assert.deepEqual(all.map((l) => l.record.sequence), [...records.slice(0, 20).map((r) => r.sequence), undefined, ...records.slice(20).map((r) => r.sequence)]);
    // each record links to the sequence stored before it: none at the start, none after the resync
    assert.deepEqual(all.map((l) => l.prev), [undefined, ...records.slice(0, 19).map((r) => r.sequence), 119, undefined, ...records.slice(20, -1).map((r) => r.sequence)]);
    assert.equal(sink.stats.listenerErrors, 0);
  });

  test('a listener that throws costs nothing stored', async (t) => {
    const store = openHistoryStore({ path: tempDir(t), noSync: true });
    t.after(() => store.close());
    const sink = new BookSink(store.env, { clock: new ManualClock(), durable: false, onCommitted: () => { throw new Error('boom'); } });
    sink.write([snapshot, update]);
    await sink.close();
    assert.equal(sink.stats.written, 2);
    assert.equal(sink.stats.listenerErrors, 1);
  });

  test('the publisher sends one message per symbol and commit, counts acked records, and drops the oldest waiting past its bound', async () => {
    const sent: { subject: string; msgId: string; data: Uint8Array }[] = [];
    let answer: (() => void) | undefined;
    const target: PublishTarget = {
      publish: (subject, data, msgId) => {
        sent.push({ subject, msgId, data });
        return new Promise((resolve) => (answer = () => resolve({ duplicate: false })));
      },
    };
    const clock = new ManualClock();
    const publisher = new TradePublisher(target, { clock, maxInFlight: 1, maxQueuedBookBytes: 600 });
    const rows = (records: LinkedBookRecord[]) => records.map((l) => bookRow(l.record, l.prev));
    publisher.pushBooks([
      { exchange: 'binance', market: 'spot', symbol: SYMBOL, rows: rows([{ record: snapshot }, { record: update, prev: 100 }]) },
      { exchange: 'upbit', market: 'spot', symbol: 'BTC/KRW', rows: rows([{ record: upbit }]) },
    ]);
    assert.equal(sent.length, 1, 'one in flight');
    assert.equal(sent[0]!.subject, 'tickvisor.book.binance.spot.BTC/USDT');
    const decoded = decodeBookBatch(sent[0]!.data);
    assert.ok('records' in decoded && decoded.records.length === 2 && decoded.records[1]!.prev === 100);
    // many more waiting than the bound: the oldest waiting go, counted
    const big: LinkedBookRecord = { record: { ...snapshot, bids: Array.from({ length: 20 }, (_, i) => [90 + i, 1] as [number, number]) } };
    for (let i = 0; i < 5; i++) publisher.pushBooks([{ exchange: 'binance', market: 'spot', symbol: SYMBOL, rows: rows([big]) }]);
    assert.ok(publisher.stats.bookRecordsDropped >= 1, 'dropped past the bound');
    const dropped = publisher.stats.bookRecordsDropped;
    while (answer !== undefined) {
      const a = answer;
      answer = undefined;
      a();
      await new Promise((r) => setImmediate(r));
    }
    await publisher.idle();
    assert.equal(publisher.stats.bookRecords, 2 + 1 + 5 - dropped);
    assert.equal(sent.at(-1)!.subject, 'tickvisor.book.binance.spot.BTC/USDT');
    assert.equal(publisher.stats.backlog, 0, 'books are no trade backlog');
  });
});

function decodeRows(exchange: BookRecord['exchange'], symbol: string, rows: ReturnType<typeof bookRow>[]): LinkedBookRecord[] {
  const out = decodeBookBatch(encodeBookBatchRows(exchange, symbol, rows));
  assert.ok('records' in out, 'error' in out ? out.error : '');
  return out.records;
}

function encodeBookBatchRows(exchange: BookRecord['exchange'], symbol: string, rows: ReturnType<typeof bookRow>[]): Uint8Array {
  return pack({ v: 1, x: exchange, m: 'spot', s: symbol, r: rows });
}

describe('the archive rule (book-archive.ts)', () => {
  const tip = { synced: true, lastKind: 'update' as const, sequence: 100, timestamp: timeOf(100) };
  const u = (sequence: number, prev: number | undefined, timestamp = timeOf(sequence)): LinkedBookRecord => ({ record: { ...update, sequence, timestamp, localTimestamp: timestamp + 20 }, ...(prev !== undefined ? { prev } : {}) });

  test('a record continuing the tip is stored; one at or before it is a duplicate', () => {
    assert.equal(judgeBookRecord(tip, u(101, 100)).outcome, 'stored');
    assert.equal(judgeBookRecord(tip, u(100, 99)).outcome, 'duplicate');
    assert.equal(judgeBookRecord(tip, u(95, 94)).outcome, 'duplicate');
    // a periodic snapshot in place of the update: continues too
    assert.equal(judgeBookRecord(tip, { record: { ...snapshot, sequence: 101, timestamp: timeOf(101) }, prev: 100 }).outcome, 'stored');
    // a snapshot restating the tip (a handover) once, then a duplicate
    const restated = judgeBookRecord(tip, { record: { ...snapshot, sequence: 100, timestamp: timeOf(100) }, prev: 100 });
    assert.equal(restated.outcome, 'stored');
    assert.equal(judgeBookRecord(restated.tip, { record: { ...snapshot, sequence: 100, timestamp: timeOf(100) }, prev: 100 }).outcome, 'duplicate');
  });

  test('ahead without continuing: waits the grace, then a resync at the tip (and the record if a snapshot)', () => {
    assert.equal(judgeBookRecord(tip, u(105, 104)).outcome, 'skipped');
    const late = judgeBookRecord(tip, u(900, 899), 1_000);
    assert.equal(late.outcome, 'gap');
    assert.deepEqual(late.store.map((r) => [r.kind, r.timestamp]), [['resync', timeOf(100)]]);
    assert.equal(late.tip?.synced, false);
    assert.equal(judgeBookRecord(late.tip, u(901, 900)).outcome, 'skipped', 'unsynced: an update has nothing to apply to');
    const snap = judgeBookRecord(tip, { record: { ...snapshot, sequence: 900, timestamp: timeOf(900) } }, 1_000);
    assert.deepEqual(snap.store.map((r) => r.kind), ['resync', 'snapshot']);
    assert.equal(snap.tip?.sequence, 900);
  });

  test('a resync is stored when it ends the chain stored; another chain\'s is skipped; a sequence reset is no duplicate', () => {
    const r = (prev: number | undefined): LinkedBookRecord => ({ record: resync, ...(prev !== undefined ? { prev } : {}) });
    const ended = judgeBookRecord(tip, r(100));
    assert.equal(ended.outcome, 'stored');
    assert.equal(judgeBookRecord(ended.tip, r(100)).outcome, 'skipped', 'a redelivery of it');
    assert.equal(judgeBookRecord(tip, r(97)).outcome, 'skipped');
    assert.equal(judgeBookRecord(tip, r(undefined)).outcome, 'skipped');
    // after the resync, a snapshot newer than the tip starts the book again; an old one is a duplicate
    assert.equal(judgeBookRecord(ended.tip, { record: { ...snapshot, sequence: 120, timestamp: timeOf(120) } }).outcome, 'stored');
    assert.equal(judgeBookRecord(ended.tip, { record: { ...snapshot, sequence: 90, timestamp: timeOf(90) } }).outcome, 'duplicate');
    // a venue that restarted its sequence: lower sequence, later time: not taken for a copy
    assert.equal(judgeBookRecord(ended.tip, { record: { ...snapshot, sequence: 1, timestamp: timeOf(200) } }).outcome, 'stored');
  });

  test('a venue without sequences keeps each whole book newer than the tip once', () => {
    const first = judgeBookRecord(undefined, { record: upbit });
    assert.equal(first.outcome, 'stored');
    assert.equal(judgeBookRecord(first.tip, { record: { ...upbit, localTimestamp: upbit.localTimestamp + 3 } }).outcome, 'duplicate');
    assert.equal(judgeBookRecord(first.tip, { record: { ...upbit, timestamp: upbit.timestamp + 100 } }).outcome, 'stored');
  });
});
