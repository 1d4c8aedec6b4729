/** The store sink: one batch per transaction, the open gaps asked at each write, a synchronous throw turned into a rejection. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { storeSink } from '../../src/ingest/store-sink.js';
import type { WriteOptions } from '../../src/store/types.js';
import { trades } from './helpers.js';

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
    await sink(trades(1, 2));
    open = new Set();
    await sink(trades(3, 2));
    assert.deepEqual(seen, [['BTC/USDT'], []]);
  });

  test('the open gaps are asked about the batch being written', async () => {
    const asked: string[][] = [];
    const sink = storeSink({ writeBatch: async (batch) => ({ written: batch.length, duplicates: 0 }) }, (batch) => {
      asked.push(batch.map((r) => (r.type === 'trade' ? r.id : '')));
      return new Set<string>();
    });
    const batch = trades(1, 3);
    await sink(batch);
    assert.deepEqual(asked, [batch.map((r) => r.id)]);
  });

  test('without an openGaps source the store is called with the batch alone', async () => {
    const args: number[] = [];
    const sink = storeSink({ writeBatch: async (...a: unknown[]) => (args.push(a.length), { written: 0, duplicates: 0 }) });
    await sink(trades(1, 1));
    assert.deepEqual(args, [1]);
  });

  test('a store that throws synchronously gives a rejected write, never a throw', async () => {
    const sink = storeSink({
      writeBatch: () => {
        throw new Error('env closed');
      },
    });
    let result: Promise<unknown> | undefined;
    assert.doesNotThrow(() => (result = sink(trades(1, 1))));
    await assert.rejects(result as Promise<unknown>, /env closed/);
  });
});
