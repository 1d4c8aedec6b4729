/**
 * Books need no store format bump (src/store/books/keys.ts says why): a 0.1 store migrates as
 * before and takes books afterwards, and migrate leaves a current store with books untouched.
 */
import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { BookSink, migrateStore, openHistoryStore, STORE_FORMAT, storedBookAt, storedBookRange } from '../../src/store/index.js';
import { ManualClock } from '../../src/time/manual-clock.js';
import { evolveBook } from './book-evolution.js';
import { tempDir } from './helpers.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/v1-store/', import.meta.url));

test('a 0.1 store migrates, then stores books; migrating again leaves them as they were; books did not change the format (3: the trade journal)', async (t) => {
  assert.equal(STORE_FORMAT, 3);
  const path = join(tempDir(t), 'store');
  cpSync(FIXTURE, path, { recursive: true });
  assert.equal((await migrateStore(path)).status, 'migrated');
  const steps = evolveBook({ steps: 40, snapshotEvery: 20 });
  const store = openHistoryStore({ path, noSync: true });
  const sink = new BookSink(store.env, { clock: new ManualClock(), durable: false });
  for (const s of steps) sink.write(s.records);
  await sink.close();
  const trades = [...store.readRange({ exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', type: 'trade' })].length;
  await store.close();

  assert.equal((await migrateStore(path)).status, 'current');
  const reopened = openHistoryStore({ path, readOnly: true });
  t.after(() => reopened.close());
  assert.equal([...reopened.readRange({ exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', type: 'trade' })].length, trades);
  assert.equal([...storedBookRange(reopened.env, { exchange: 'binance', market: 'spot', symbol: 'BTC/USDT' })].length, steps.reduce((n, s) => n + s.records.length, 0));
  const last = steps.at(-1)!;
  const book = storedBookAt(reopened.env, 'binance', 'spot', 'BTC/USDT', last.time, 40);
  assert.ok(book?.synced);
  assert.deepEqual(book.bids, last.bids);
});
