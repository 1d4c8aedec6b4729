import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPipeline, type CommittedBatch, type PipelineOptions } from '../../src/ingest/index.js';
import type { MarketRecord } from '../../src/records.js';
import { FakeStore, ManualClock, NOW, settle, trade, trades } from './helpers.js';

function setup(over: Partial<PipelineOptions> = {}, manual = false) {
  const clock = new ManualClock(NOW);
  const store = new FakeStore(manual);
  const warnings: string[] = [];
  const errors: string[] = [];
  const logger = { warn: (_: object, msg: string) => warnings.push(msg), error: (_: object, msg: string) => errors.push(msg) };
  const pipeline = createPipeline({ store, clock, logger, batchMaxRecords: 5, batchMaxDelayMs: 100, highWaterMark: 20, lowWaterMark: 10, hardLimit: 40, ...over });
  return { clock, store, pipeline, warnings, errors };
}

describe('pipeline batching', () => {
  test('a full batch is written at once; a partial batch waits batchMaxDelayMs of virtual time', async () => {
    const { clock, store, pipeline } = setup();
    const committed: CommittedBatch[] = [];
    pipeline.committed$.subscribe((b) => committed.push(b));
    pipeline.push(trades(1, 7));
    await settle();
    assert.deepEqual(store.batches, [5]);
    clock.advance(99);
    await settle();
    assert.deepEqual(store.batches, [5]);
    clock.advance(1);
    await settle();
    assert.deepEqual(store.batches, [5, 2]);
    assert.deepEqual(committed.map((b) => [b.records.length, b.written, b.duplicates]), [[5, 5, 0], [2, 2, 0]]);
    assert.equal(pipeline.stats().committed, 7);
    assert.equal(clock.pending, 0, 'no timer left behind when the buffer is empty');
  });

  test('never more than one write in flight: records pushed meanwhile wait for the commit', async () => {
    const { store, pipeline } = setup({}, true);
    pipeline.push(trades(1, 5));
    pipeline.push(trades(6, 5));
    pipeline.push(trades(11, 5));
    await settle();
    assert.equal(store.inFlight, 1);
    assert.deepEqual(pipeline.stats().inFlight, 5);
    assert.equal(pipeline.stats().buffered, 10);
    while (store.completeNext()) await settle();
    assert.equal(store.maxConcurrent, 1);
    assert.deepEqual(store.tradeIds(), Array.from({ length: 15 }, (_, i) => String(i + 1)));
  });

  test('records that arrive during a commit wait batchMaxDelayMs from their arrival, not from the end of the commit', async () => {
    const { clock, store, pipeline } = setup({}, true);
    pipeline.push(trades(1, 2));
    clock.advance(100);
    await settle();
    assert.equal(store.inFlight, 1, 'the first partial batch is being written');
    pipeline.push(trades(3, 2));
    clock.advance(100); // their delay runs out while the first write is still in flight
    await settle();
    assert.equal(store.inFlight, 1, 'still one write at a time');
    store.completeNext();
    await settle();
    assert.equal(store.inFlight, 1, 'the second batch went out as soon as the first committed');
    assert.equal(pipeline.stats().inFlight, 2);
    store.completeNext();
    await settle();
    assert.deepEqual(store.batches, [2, 2]);
    assert.equal(clock.pending, 0, 'no timer left behind when the buffer is empty');
  });

  test('a record that arrives during a commit is not written before its own delay is up', async () => {
    const { clock, store, pipeline } = setup({}, true);
    pipeline.push(trades(1, 2));
    clock.advance(100);
    await settle();
    pipeline.push(trades(3, 1));
    clock.advance(50);
    store.completeNext(); // the commit ends half-way through the new record's delay
    await settle();
    assert.equal(store.inFlight, 0);
    clock.advance(49);
    await settle();
    assert.equal(store.inFlight, 0);
    clock.advance(1);
    await settle();
    assert.equal(store.inFlight, 1);
  });
});

describe('pipeline validation and dedup', () => {
  test('submit tells which records were accepted: only those, in order, the input itself when all pass', async () => {
    const { pipeline } = setup();
    const all = trades(1, 3);
    assert.equal(pipeline.submit(all).accepted, all);
    const mixed = [trade(10), trade(11, { price: Number.NaN }), trade(12), trade(10)];
    const result = pipeline.submit(mixed);
    assert.deepEqual(result.accepted.map((t) => (t as { id: string }).id), ['10', '12']);
    assert.equal(result.writable, true);
    await pipeline.flush();
  });

  test('every rejected record is counted by reason and never reaches the store or the cache', async () => {
    const { store, pipeline } = setup({ knownSymbols: new Set(['BTC/USDT']) });
    const bad = [
      { ...trade(1), exchange: 'nope' },
      trade(2, { price: -1 }),
      trade(3, { amount: 0 }),
      trade(4, { timestamp: NOW + 3_600_000 }),
      trade(5, { symbol: 'DOGE/USDT' }),
    ] as MarketRecord[];
    pipeline.push([trade(10), ...bad, trade(11)]);
    await pipeline.flush();
    assert.deepEqual(pipeline.rejected, { schema: 1, price: 1, amount: 1, timestamp: 1, symbol: 1 });
    assert.equal(pipeline.stats().rejectedTotal, 5);
    assert.deepEqual(store.tradeIds(), ['10', '11']);
    assert.equal(pipeline.cache.get('binance', 'spot', 'DOGE/USDT'), undefined);
    assert.equal(pipeline.cache.get('binance', 'spot', 'BTC/USDT')?.trade?.id, '11');
  });

  test('late is not invalid: live trades delivered 8 s and 65 s after their exchange time are stored and counted late', async () => {
    // the slow-server run: a 5 s skew limit refused these as "timestamp" and lost them
    const { store, pipeline } = setup({ maxClockSkewMs: 5_000 });
    const first = pipeline.submit(trades(1, 3, { timestamp: NOW - 8_000 }));
    const second = pipeline.submit(trades(4, 2, { timestamp: NOW - 65_000 }));
    await pipeline.flush();
    assert.equal(first.accepted.length, 3);
    assert.equal(second.accepted.length, 2);
    assert.equal(pipeline.rejected.timestamp, 0);
    assert.equal(pipeline.stats().late, 5);
    assert.deepEqual(store.tradeIds(), ['1', '2', '3', '4', '5']);
  });

  test('on time is not late; late duplicates are dropped, not counted late; backfill is never counted late', async () => {
    const { pipeline } = setup({ maxClockSkewMs: 5_000 });
    pipeline.push(trades(1, 2, { timestamp: NOW - 5_000 })); // exactly at the bound: on time
    pipeline.push(trades(3, 1, { timestamp: NOW - 9_000 }));
    pipeline.push(trades(3, 1, { timestamp: NOW - 9_000 })); // the same trade again
    pipeline.push(trades(10, 4, { timestamp: NOW - 3_600_000 }), 'backfill');
    await pipeline.flush();
    const s = pipeline.stats();
    assert.equal(s.late, 1);
    assert.equal(s.dedupDropped, 1);
    assert.equal(s.committed, 7);
  });

  test('really invalid times are refused, live or backfill: far future, older than the age limit', async () => {
    const { store, pipeline } = setup({ maxClockSkewMs: 5_000, backfillMaxAgeMs: 86_400_000 });
    const live = pipeline.submit([trade(1, { timestamp: NOW + 5_001 }), trade(2, { timestamp: NOW - 86_400_001 }), trade(3)]);
    pipeline.push([trade(4, { timestamp: NOW + 3_600_000 }), trade(5, { timestamp: NOW - 86_400_001 }), trade(6, { timestamp: NOW - 86_400_000 })], 'backfill');
    await pipeline.flush();
    assert.deepEqual(live.accepted.map((t) => (t as { id: string }).id), ['3']);
    assert.equal(pipeline.rejected.timestamp, 4);
    assert.deepEqual(store.tradeIds(), ['3', '6']);
  });

  test('duplicates: dropped by the dedup window or refused by the store, counted either way, stored once', async () => {
    const { store, pipeline } = setup({ dedupWindowPerSymbol: 4 });
    // sparse ids: each one an entry of the window (a run of consecutive ids would be one entry)
    const odd = (...ids: number[]) => ids.map((i) => trade(i));
    pipeline.push(odd(1, 3, 5, 7, 9, 11, 13, 15, 17, 19));
    pipeline.push(odd(15, 17, 19)); // inside the window of 4 entries: dropped here
    await pipeline.flush();
    pipeline.push(odd(1, 3), 'backfill'); // forgotten by the window: the store refuses them
    await pipeline.flush();
    const s = pipeline.stats();
    assert.equal(s.dedupDropped, 3);
    assert.equal(s.storeDuplicates, 2);
    assert.equal(s.duplicates, 5);
    assert.equal(s.committed, 10);
    assert.equal(store.stored.size, 10);
  });

  test('records$ carries what passed validation and dedup, one array per push', () => {
    const { pipeline } = setup();
    const seen: string[][] = [];
    pipeline.records$.subscribe((rs) => seen.push(rs.map((r) => (r.type === 'trade' ? r.id : 't'))));
    const all = trades(1, 3);
    pipeline.push(all);
    pipeline.push([trade(3), trade(4, { price: 0 }), trade(5)]);
    assert.deepEqual(seen, [['1', '2', '3'], ['5']]);
  });

  test('records$ carries copies of trades: a subscriber keeps what it got though the pushed objects are filled again (lent)', () => {
    const { pipeline } = setup();
    const kept: MarketRecord[] = [];
    pipeline.records$.subscribe((rs) => kept.push(...rs));
    const lent = trade(1, { price: 10 });
    pipeline.push([lent]);
    Object.assign(lent, { id: '2', price: 20 });
    pipeline.push([lent]);
    Object.assign(lent, { id: '3', price: 30 });
    assert.deepEqual(kept.map((r) => (r.type === 'trade' ? `${r.id}@${r.price}` : '')), ['1@10', '2@20']);
  });
});

describe('pipeline backpressure', () => {
  test('pressure turns on over the high-water mark and off only under the low-water mark', async () => {
    const { store, pipeline } = setup({}, true);
    const states: boolean[] = [];
    pipeline.pressure$.subscribe((p) => states.push(p));
    assert.equal(pipeline.push(trades(1, 20)), true); // 15 buffered + 5 in flight
    assert.equal(pipeline.push(trades(21, 6)), false); // 21 buffered > 20
    assert.deepEqual(states, [false, true]);
    store.completeNext(); // next batch taken: 16 buffered, still over the low mark
    await settle();
    assert.equal(pipeline.stats().pressure, true);
    const writable = pipeline.whenWritable();
    let resolved = false;
    void writable.then(() => (resolved = true));
    store.completeNext(); // 11
    await settle();
    assert.equal(resolved, false);
    store.completeNext(); // 6 ≤ 10: off
    await settle();
    assert.equal(resolved, true);
    assert.deepEqual(states, [false, true, false]);
  });

  test('a slow store keeps the buffer bounded and loses nothing: every pushed record is written exactly once', async () => {
    const { clock, store, pipeline } = setup({ batchMaxRecords: 50, highWaterMark: 200, lowWaterMark: 100, hardLimit: 400 }, true);
    const frame = 30;
    const total = 3000;
    let next = 1;
    let maxBuffered = 0;
    let pausedTimes = 0;
    // producer: a socket reading 3 frames (90 records) per turn until told to stop, resuming on
    // whenWritable; the store below takes at most one 50-record batch per turn
    const producer = (async () => {
      while (next <= total) {
        let ok = true;
        for (let f = 0; f < 3 && ok && next <= total; f++) {
          const n = Math.min(frame, total - next + 1);
          ok = pipeline.push(trades(next, n, { timestamp: clock.now() }));
          next += n;
          maxBuffered = Math.max(maxBuffered, pipeline.stats().buffered);
        }
        if (!ok) {
          pausedTimes++;
          await pipeline.whenWritable();
        } else {
          await settle();
        }
      }
    })();
    // the store commits one write every 10 ms of virtual time: slower than the producer
    while (next <= total || store.inFlight > 0 || pipeline.stats().buffered > 0) {
      clock.advance(10);
      store.completeNext();
      await settle();
    }
    await producer;
    await pipeline.flush();
    assert.ok(pausedTimes > 0, 'the producer was told to pause');
    assert.ok(maxBuffered <= 200 + frame, `buffered peaked at ${maxBuffered}`);
    const ids = store.tradeIds();
    assert.equal(ids.length, total);
    assert.equal(new Set(ids).size, total);
    assert.equal(pipeline.stats().committed, total);
    assert.equal(pipeline.stats().overLimitPushes, 0);
  });

  test('a producer that ignores pressure past the hard limit loses nothing, and is counted and logged once', async () => {
    const { store, pipeline, warnings } = setup({}, true);
    for (let i = 0; i < 12; i++) pipeline.push(trades(i * 5 + 1, 5));
    const s = pipeline.stats();
    assert.equal(s.buffered, 55);
    assert.equal(s.overLimitPushes, 3);
    assert.equal(warnings.length, 1);
    while (store.completeNext()) await settle();
    assert.equal(store.tradeIds().length, 60);
  });
});

describe('pipeline flush, close and failures', () => {
  test('flush resolves once everything pushed before it is committed, without waiting for the batch timer', async () => {
    const { store, pipeline } = setup({}, true);
    pipeline.push(trades(1, 7));
    let flushed = false;
    const f = pipeline.flush().then(() => (flushed = true));
    pipeline.push(trades(8, 1)); // after the flush call: not awaited by it, but may ride along
    store.completeNext();
    await settle();
    assert.equal(flushed, false);
    store.completeNext();
    await f;
    assert.ok(store.tradeIds().length >= 7);
    assert.ok(['1', '2', '3', '4', '5', '6', '7'].every((id) => store.tradeIds().includes(id)));
    await pipeline.flush(); // nothing to wait for once empty... except record 8
    assert.equal(store.tradeIds().length, 8);
  });

  test('a failed write is retried after a backoff, in order, with nothing lost', async () => {
    const { clock, store, pipeline, errors } = setup();
    store.failNext = 2;
    pipeline.push(trades(1, 5));
    await settle();
    assert.equal(pipeline.stats().writeErrors, 1);
    assert.equal(pipeline.stats().buffered, 5);
    clock.advance(250); // first retry fails too
    await settle();
    clock.advance(499);
    await settle();
    assert.equal(store.stored.size, 0);
    clock.advance(1); // second retry after a doubled delay
    await settle();
    assert.deepEqual(store.tradeIds(), ['1', '2', '3', '4', '5']);
    assert.equal(pipeline.stats().writeErrors, 2);
    assert.equal(errors.length, 2);
  });

  test('close flushes, completes the observables and refuses later pushes with a coded error', async () => {
    const { store, pipeline } = setup();
    let completed = 0;
    pipeline.committed$.subscribe({ complete: () => completed++ });
    pipeline.pressure$.subscribe({ complete: () => completed++ });
    pipeline.push(trades(1, 3));
    await pipeline.close();
    assert.equal(store.tradeIds().length, 3);
    assert.equal(completed, 2);
    assert.throws(() => pipeline.push(trades(4, 1)), { code: 'TV_ERR_PIPELINE_CLOSED' });
    await pipeline.close();
  });

  test('inconsistent water marks are refused', () => {
    assert.throws(() => setup({ highWaterMark: 10, lowWaterMark: 10 }), { code: 'TV_ERR_PIPELINE_OPTIONS' });
  });
});
