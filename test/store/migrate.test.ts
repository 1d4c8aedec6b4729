/**
 * A store truly written by tickvisor 0.1 (fixtures/v1-store, made by fixtures/make-v1-store.ts with
 * the 0.1 store code, with a JSONL dump of every record and cursor beside it) is refused in one line
 * by this version, then migrated, by the function and by the CLI, with every record and cursor intact.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { migrateStore, openHistoryStore, type TradeCursor } from '../../src/store/index.js';
import type { MarketRecord } from '../../src/records.js';
import { collect, tempDir, trade } from './helpers.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/v1-store/', import.meta.url));
const DUMP = fileURLToPath(new URL('./fixtures/v1-store.jsonl', import.meta.url));
const CLI = ['--import', 'tsx', 'test/cli/run-cli.ts'];

function dump(): { records: MarketRecord[]; cursors: TradeCursor[] } {
  const records: MarketRecord[] = [];
  const cursors: TradeCursor[] = [];
  for (const line of readFileSync(DUMP, 'utf8').split('\n')) {
    if (line === '') continue;
    const row = JSON.parse(line) as { record?: MarketRecord; cursor?: TradeCursor };
    if (row.record) records.push(row.record);
    if (row.cursor) cursors.push(row.cursor);
  }
  return { records, cursors };
}

function copyFixture(t: { after: (fn: () => void) => void }): string {
  const dir = join(tempDir(t), 'store');
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

const refusal = (path: string) => `the store at ${path} was written by tickvisor 0.1 (store format 1); convert it with: tickvisor migrate --db ${path}`;

/** every record and cursor of the dump, read back from the migrated store */
async function assertSameAsDump(path: string): Promise<void> {
  const want = dump();
  const store = openHistoryStore({ path, readOnly: true });
  try {
    assert.deepEqual(store.listCursors(), want.cursors);
    const got: MarketRecord[] = [];
    for (const c of store.listCursors()) got.push(...(await collect(store.readRange({ exchange: c.exchange, market: c.market, symbol: c.symbol }))));
    assert.equal(got.length, want.records.length);
    assert.deepEqual(got, want.records);
  } finally {
    await store.close();
  }
}

describe('tickvisor migrate: store format 1 → current', () => {
  test('the fixture is what the migration test needs: four venues, both id kinds, tickers, a resume point behind', () => {
    const { records, cursors } = dump();
    assert.equal(cursors.length, 4);
    assert.ok(records.some((r) => r.type === 'trade' && r.exchange === 'upbit' && r.id.length === 17));
    assert.ok(records.some((r) => r.type === 'trade' && r.exchange === 'bybit' && r.id.includes('-')));
    assert.ok(records.some((r) => r.type === 'ticker' && r.bid === undefined) && records.some((r) => r.type === 'ticker' && r.bid !== undefined));
    assert.ok(cursors.some((c) => c.resumeTradeId !== c.lastTradeId));
  });

  test('opening a 0.1 store is refused in one line naming the migration, for writing and for reading', async (t) => {
    const path = copyFixture(t);
    assert.throws(() => openHistoryStore({ path, noSync: true }), (e: Error & { code?: string; userError?: boolean }) => {
      assert.equal(e.code, 'TV_ERR_STORE_FORMAT');
      assert.equal(e.userError, true);
      assert.equal(e.message, refusal(path));
      return true;
    });
    assert.throws(() => openHistoryStore({ path, readOnly: true }), { code: 'TV_ERR_STORE_FORMAT', message: refusal(path) });
  });

  test('a store in a newer format is refused in one line saying a newer tickvisor wrote it; migrate leaves it alone', async (t) => {
    const path = tempDir(t);
    const store = openHistoryStore({ path, noSync: true });
    await store.writeBatch([trade('1', 100)]);
    await store.env.openDB<unknown, string>({ name: 'meta', encoding: 'msgpack' }).put('format', 4);
    await store.close();
    const newer = /^the store at .* is in store format 4, written by a newer tickvisor; this one reads format 3: upgrade tickvisor to read it$/;
    assert.throws(() => openHistoryStore({ path, noSync: true }), { code: 'TV_ERR_STORE_FORMAT', message: newer });
    assert.throws(() => openHistoryStore({ path, readOnly: true }), { code: 'TV_ERR_STORE_FORMAT', message: newer });
    await assert.rejects(migrateStore(path), { code: 'TV_ERR_STORE_FORMAT', message: newer });
  });

  test('migrateStore keeps every record and cursor, exactly-once by id still holds, and the file shrinks', async (t) => {
    const path = copyFixture(t);
    const before = statSync(join(path, 'data.mdb')).size;
    const want = dump();
    const result = await migrateStore(path);
    assert.deepEqual(result, {
      status: 'migrated',
      trades: want.records.filter((r) => r.type === 'trade').length,
      tickers: want.records.filter((r) => r.type === 'ticker').length,
      symbols: 4,
    });
    await assertSameAsDump(path);
    assert.ok(statSync(join(path, 'data.mdb')).size < before, 'compacted');

    // the migrated store writes on: stored ids (numeric and string) under other timestamps are refused
    const store = openHistoryStore({ path, noSync: true });
    const binance = want.records.find((r) => r.type === 'trade' && r.exchange === 'binance');
    const bybit = want.records.find((r) => r.type === 'trade' && r.exchange === 'bybit');
    assert.ok(binance?.type === 'trade' && bybit?.type === 'trade');
    const cursor = want.cursors.find((c) => c.exchange === 'binance') as TradeCursor;
    const next = trade(String(Number(cursor.lastTradeId) + 1), cursor.lastTimestamp + 1);
    assert.deepEqual(
      await store.writeBatch([{ ...binance, timestamp: binance.timestamp + 500 }, { ...bybit, timestamp: 1 }, next]),
      { written: 1, duplicates: 2 },
    );
    assert.equal(store.readCursor('binance', 'spot', 'BTC/USDT')?.count, cursor.count + 1);
    assert.deepEqual((await collect(store.readRange({ exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', type: 'trade', from: next.timestamp }))), [next]);
    await store.close();
    // a second run finds it current and changes nothing
    assert.equal((await migrateStore(path)).status, 'current');
  });

  test('a migration interrupted half-way leaves format 1 (still refused); run again, it starts over and loses nothing', async (t) => {
    const path = copyFixture(t);
    await assert.rejects(migrateStore(path, { chunk: 300, flushRows: 100, crashAfterChunks: 3, compact: false }));
    assert.throws(() => openHistoryStore({ path, noSync: true }), { code: 'TV_ERR_STORE_FORMAT' });
    const result = await migrateStore(path, { chunk: 300, flushRows: 100 });
    assert.equal(result.trades + result.tickers, dump().records.length);
    await assertSameAsDump(path);
  });

  test('the CLI: one line with the counts, then "already current" with exit 0; a missing store is one line', async (t) => {
    const path = copyFixture(t);
    const want = dump();
    const trades = want.records.filter((r) => r.type === 'trade').length;
    const run = (...args: string[]) => spawnSync(process.execPath, [...CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
    const refused = run('query', '--db', path, '--list');
    assert.equal(refused.status, 2);
    assert.equal(refused.stderr, `tickvisor query: ${refusal(path)}\n`);
    const first = run('migrate', '--db', path);
    assert.equal(first.status, 0, first.stderr);
    assert.equal(first.stdout, `migrated ${trades} trades and ${want.records.length - trades} tickers of 4 symbols in ${path} (format 1 → 3)\n`);
    const again = run('migrate', '--db', path);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.stdout, `the store at ${path} is already in store format 3; nothing to do\n`);
    await assertSameAsDump(path);
    const missing = run('migrate', '--db', join(path, 'nope'));
    assert.equal(missing.status, 2);
    assert.equal(missing.stderr.trim().split('\n').length, 1);
  });
});
