/** The store sink: one batch per transaction, the open gaps asked at each write, a synchronous throw turned into a rejection. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RecordQueue } from '../../src/ingest/record-queue.js';
import { storeSink } from '../../src/ingest/store-sink.js';
import { TakenBatch } from '../../src/ingest/taken-batch.js';
import type { MarketRecord } from '../../src/records.js';
import type { TradeRows, WriteOptions } from '../../src/store/types.js';
import { trades } from './helpers.js';

const batchOf = (records: readonly MarketRecord[]) => TakenBatch.ofRecords(records);

/** the records as the pipeline's buffer hands them over: columns for numeric-id trades of one venue */
function taken(records: readonly MarketRecord[]): TakenBatch {
  const q = new RecordQueue();
  q.push(records);
  return q.take(records.length);
}

describe('store sink', () => {
  test('asks for the open gaps at each write, not once', async () => {
    const seen: Array<string[] | undefined> = [];
    let open = new Set(['BTC/USDT']);
    const sink = storeSink(
      {
        writeBatch: async (batch, options?: WriteOptions) => {
          seen.push(options?.openGaps ? [...options.openGaps] : undefined);
          return { written: batch.length, duplicates: 0 };
        },
      },
      () => open,
    );
    await sink(batchOf(trades(1, 2)));
    open = new Set();
    await sink(batchOf(trades(3, 2)));
    assert.deepEqual(seen, [['BTC/USDT'], []]);
  });

  test("the open gaps are asked about the batch being written: its rows' symbols", async () => {
    const asked: string[][] = [];
    const sink = storeSink({ writeBatch: async (batch) => ({ written: batch.length, duplicates: 0 }) }, (symbols) => {
      asked.push([...symbols]);
      return new Set<string>();
    });
    const records = [...trades(1, 2), ...trades(3, 1).map((t) => ({ ...t, symbol: 'ETH/USDT' }))];
    await sink(taken(records));
    await sink(batchOf(records));
    assert.deepEqual(asked, [records.map((r) => r.symbol), records.map((r) => r.symbol)]);
  });

  test('without an openGaps source the store is called with the batch alone', async () => {
    const args: number[] = [];
    const sink = storeSink({ writeBatch: async (...a: unknown[]) => (args.push(a.length), { written: 0, duplicates: 0 }) });
    await sink(batchOf(trades(1, 1)));
    assert.deepEqual(args, [1]);
  });

  test('a batch held as columns goes to writeTradeRows when the store has it, else to writeBatch as records', async () => {
    const records = trades(1, 5);
    const calls: string[] = [];
    const both = storeSink({
      writeBatch: async (batch) => (calls.push(`records ${batch.length}`), { written: batch.length, duplicates: 0 }),
      writeTradeRows: async (rows: TradeRows) => (calls.push(`rows ${rows.columns.length}`), { written: rows.columns.length, duplicates: 0 }),
    });
    await both(taken(records));
    await both(taken([...records.slice(0, 2), { type: 'ticker', exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', last: 1, timestamp: 1, localTimestamp: 1 }]));
    assert.deepEqual(calls, ['rows 5', 'records 3']);
    const got: MarketRecord[][] = [];
    const recordsOnly = storeSink({ writeBatch: async (batch) => (got.push([...batch]), { written: batch.length, duplicates: 0 }) });
    await recordsOnly(taken(records));
    assert.deepEqual(got, [records]);
  });

  test('a store that throws synchronously gives a rejected write, never a throw', async () => {
    const sink = storeSink({
      writeBatch: () => {
        throw new Error('env closed');
      },
    });
    let result: Promise<unknown> | undefined;
    assert.doesNotThrow(() => (result = sink(batchOf(trades(1, 1)))));
    await assert.rejects(result as Promise<unknown>, /env closed/);
  });
});
