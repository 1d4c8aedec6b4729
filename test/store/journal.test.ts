/**
 * The trade journal (src/store/journal.ts): small batches of pure appends are one entry per commit,
 * folded into the blocks later; every read (records, columns, cursors, a read-only store) sees the
 * journaled rows; a write that is not a pure append folds first; exactly-once by id holds across
 * journal and blocks; a failed commit and a second writer read the journal back from the disk; a
 * clean close leaves no journal; a format-2 store opens and becomes format 3.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Prng } from '../../src/prng.js';
import type { Trade } from '../../src/records.js';
import { createStoreFaultGate } from '../../src/store/fault-gate.js';
import { openHistoryStore, type HistoryStore, type TradeRows } from '../../src/store/index.js';
import { decodeJournalEntry, encodeJournalEntry, FOLD_FROM_ROWS, FOLD_ROWS } from '../../src/store/journal.js';
import type { OpenedHistoryStore } from '../../src/store/open.js';
import { collect, rowsOf, tempDir, trade } from './helpers.js';

const journalDb = (store: OpenedHistoryStore) => store.env.openDB<Uint8Array, [number, number]>({ name: 'tradeJournal', encoding: 'binary' });
const journalSize = (store: OpenedHistoryStore): number => journalDb(store).getKeysCount();
const journalKeys = (store: OpenedHistoryStore): [number, number][] => [...journalDb(store).getKeys({})];
function journalRows(store: OpenedHistoryStore, keys: [number, number][]): number {
  let n = 0;
  for (const k of keys) {
    const v = journalDb(store).get(k);
    if (v !== undefined) n += decodeJournalEntry(v).columns.length;
  }
  return n;
}

const SYMBOLS = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'];

/** the trades a reader must see per symbol: the first copy of each id, in (timestamp, id) order */
class Model {
  readonly bySymbol = new Map<string, Map<string, Trade>>();
  add(t: Trade): boolean {
    let m = this.bySymbol.get(t.symbol);
    if (m === undefined) this.bySymbol.set(t.symbol, (m = new Map()));
    if (m.has(t.id)) return false;
    m.set(t.id, t);
    return true;
  }
  expected(symbol: string): Trade[] {
    return [...(this.bySymbol.get(symbol)?.values() ?? [])].sort((a, b) => a.timestamp - b.timestamp || Number(a.id) - Number(b.id));
  }
}

async function assertMatches(store: HistoryStore, model: Model, note: string): Promise<void> {
  for (const symbol of SYMBOLS) {
    const want = model.expected(symbol);
    const got = await collect(store.readRange({ exchange: 'binance', market: 'spot', symbol, type: 'trade' }));
    assert.deepEqual(got, want, `${note}: ${symbol} records`);
    let rows = 0;
    for (const c of store.readTradeColumns({ exchange: 'binance', market: 'spot', symbol })) rows += c.length;
    assert.equal(rows, want.length, `${note}: ${symbol} columns`);
    const cursor = store.readCursor('binance', 'spot', symbol);
    if (want.length === 0) {
      assert.equal(cursor, undefined);
      continue;
    }
    const last = want[want.length - 1] as Trade;
    assert.equal(cursor?.count, want.length, `${note}: ${symbol} count`);
    assert.equal(cursor?.lastTradeId, last.id, `${note}: ${symbol} last id`);
    assert.equal(cursor?.lastTimestamp, last.timestamp, `${note}: ${symbol} last time`);
    assert.equal(cursor?.resumeTradeId, last.id, `${note}: ${symbol} resume`);
  }
  const listed = store.listCursors().filter((c) => c.exchange === 'binance' && SYMBOLS.includes(c.symbol));
  for (const c of listed) assert.deepEqual(c, store.readCursor(c.exchange, c.market, c.symbol), `${note}: listed ${c.symbol} as read`);
  assert.deepEqual(listed.map((c) => c.symbol).sort(), SYMBOLS.filter((s) => model.expected(s).length > 0).sort(), `${note}: listed cursors`);
}

/** `count` live BTC/USDT trades (ids 100…, times 5,000 + i × step), each a batch of its own: journaled */
async function oneByOne(store: HistoryStore, model: Model, count: number, step: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const x = trade(String(100 + i), 5_000 + i * step);
    model.add(x);
    await store.writeTradeRows!(rowsOf([x]));
  }
}

describe('store: the trade journal', () => {
  test('an entry encodes and decodes to the same rows, symbols and open gap windows', () => {
    const rows = rowsOf([trade('7', 100, { symbol: 'A/USDT' }), trade('9', 101, { symbol: 'B/USDT', side: 'sell', price: 1.5 }), trade('8', 102, { symbol: 'A/USDT' })]);
    const back = decodeJournalEntry(encodeJournalEntry({ ...rows, holes: new Set(['B/USDT']) }));
    assert.equal(back.exchange, 'binance');
    assert.equal(back.market, 'spot');
    assert.deepEqual(back.symbols, rows.symbols);
    assert.deepEqual([...back.holes], ['B/USDT']);
    assert.deepEqual([...back.columns.timestamps], [...rows.columns.timestamps]);
    assert.deepEqual([...back.columns.ids.values], [7, 9, 8]);
    assert.deepEqual([...back.columns.prices], [...rows.columns.prices]);
    assert.deepEqual([...back.columns.sides], [0, 1, 0]);
    assert.throws(() => decodeJournalEntry(new Uint8Array([9, 0, 0])), { code: 'TV_ERR_STORE_CORRUPT_VALUE' });
  });

  test('small batches of live trades are journaled and read through; folded a group at a time, never past FOLD_ROWS, and whole at close', async (t) => {
    const path = tempDir(t);
    const store = openHistoryStore({ path, noSync: true });
    const model = new Model();
    const many = Array.from({ length: 40 }, (_, k) => `C${k}/USDT`);
    let id = 1_000;
    let foldedCommits = 0;
    for (let b = 0; b < 120; b++) {
      // 40 symbols in step (as the latency bench's), plus the three the model checks
      const batch = [...many, ...SYMBOLS].map((symbol, k) => trade(String(id++), 10_000 + b * 100 + k, { symbol }));
      for (const x of batch) model.add(x);
      const before = journalKeys(store);
      const rowsBefore = journalRows(store, before);
      const res = await store.writeTradeRows!(rowsOf(batch));
      assert.deepEqual(res, { written: batch.length, duplicates: 0 });
      const after = journalKeys(store);
      const gone = before.filter((k) => !after.some((a) => a[0] === k[0] && a[1] === k[1]));
      const groups = new Set(gone.map((k) => k[1]));
      assert.ok(journalRows(store, after) <= FOLD_ROWS, `batch ${b}: the journal stays within FOLD_ROWS`);
      if (rowsBefore < FOLD_FROM_ROWS) assert.equal(groups.size, 0, `batch ${b}: no fold below FOLD_FROM_ROWS`);
      else if (rowsBefore + batch.length <= FOLD_ROWS) assert.equal(groups.size, 1, `batch ${b}: one group folded`);
      if (groups.size > 0) foldedCommits++;
      // a folded group is gone whole
      for (const g of groups) assert.ok(!after.some((k) => k[1] === g && k[0] < (after[after.length - 1] as [number, number])[0]), `batch ${b}: group ${g} folded whole`);
    }
    assert.ok(foldedCommits > 20, `folds spread over many commits (${foldedCommits})`);
    assert.deepEqual(store.listCursors().map((c) => [c.symbol, c.count]).sort(), [...many, ...SYMBOLS].map((s) => [s, 120]).sort());
    await assertMatches(store, model, 'journal in use');
    // a reader of the same files (read-only, as `tickvisor query`) sees the journaled rows too
    const reader = openHistoryStore({ path, readOnly: true });
    await assertMatches(reader, model, 'read-only');
    await reader.close();
    await store.close();
    const reopened = openHistoryStore({ path, noSync: true });
    assert.equal(journalKeys(reopened).length, 0, 'a clean close folds the journal');
    await assertMatches(reopened, model, 'reopened');
    await reopened.close();
  });

  test('a group is a range of symbols; a symbol keeps its group while it has journaled rows, and moves with the ranges once folded', async (t) => {
    const store = openHistoryStore({ path: tempDir(t), noSync: true });
    const name = (prefix: string, k: number) => `${prefix}${String(k).padStart(2, '0')}/USDT`;
    let id = 1_000;
    let at = 10_000;
    const write = (symbols: string[]) => store.writeTradeRows!(rowsOf(symbols.map((symbol) => trade(String(id++), at++, { symbol }))));
    /** the group of each symbol's rows in the newest commit's entries */
    const newestGroups = (): Map<string, number> => {
      const keys = journalKeys(store);
      const seq = Math.max(...keys.map((k) => k[0]));
      const out = new Map<string, number>();
      for (const k of keys.filter((k) => k[0] === seq)) for (const s of decodeJournalEntry(journalDb(store).get(k) as Uint8Array).symbols) out.set(s, k[1]);
      return out;
    };
    const ms = Array.from({ length: 64 }, (_, k) => name('M', k));
    await write(ms);
    const first = newestGroups();
    assert.equal(new Set(first.values()).size, 8, 'eight groups over 64 symbols');
    for (let k = 1; k < ms.length; k++) assert.ok((first.get(ms[k] as string) as number) >= (first.get(ms[k - 1] as string) as number), 'groups are ranges in key order');
    // 96 symbols sorting before the M's move the boundaries: M00's range is now a later group ...
    await write(Array.from({ length: 96 }, (_, k) => name('A', k)));
    assert.ok(journalRows(store, journalKeys(store)) < FOLD_FROM_ROWS, 'nothing folded yet');
    await write([ms[0] as string]);
    // ... but its journaled rows are in group 0, and its new row joins them there
    assert.equal(newestGroups().get(ms[0] as string), first.get(ms[0] as string));
    // once folded (a trade written directly folds the journal whole), it takes its range's group
    await store.writeBatch([trade(String(id++), at++, { symbol: 'Z/USDT' })]);
    assert.equal(journalKeys(store).length, 0);
    await write([ms[0] as string]);
    assert.ok((newestGroups().get(ms[0] as string) as number) > (first.get(ms[0] as string) as number), 'M00 moved to the range the A\'s pushed it into');
    await store.close();
  });

  test('a duplicate or an older trade folds first: exactly once by id across journal and blocks', async (t) => {
    const store = openHistoryStore({ path: tempDir(t), noSync: true });
    const model = new Model();
    await oneByOne(store, model, 10, 10);
    assert.equal(journalSize(store), 10);
    // id 105 again (another timestamp, as a REST backfill may give it), and an older new trade
    const again = trade('105', 5_051);
    const older = trade('99', 4_000);
    model.add(older);
    assert.deepEqual(await store.writeTradeRows!(rowsOf([again, older])), { written: 1, duplicates: 1 });
    assert.equal(journalSize(store), 0);
    await assertMatches(store, model, 'after the fold');
    // the records path (writeBatch) folds too, and refuses a journaled id
    const live = trade('200', 9_000);
    model.add(live);
    await store.writeTradeRows!(rowsOf([live]));
    assert.equal(journalSize(store), 1);
    assert.deepEqual(await store.writeBatch([trade('200', 9_001)]), { written: 0, duplicates: 1 });
    assert.equal(journalSize(store), 0);
    await assertMatches(store, model, 'records path');
    await store.close();
  });

  test('a read begun before a fold sees each row once', async (t) => {
    const store = openHistoryStore({ path: tempDir(t), noSync: true });
    const model = new Model();
    await oneByOne(store, model, 20, 1);
    const columns = store.readTradeColumns({ exchange: 'binance', market: 'spot', symbol: 'BTC/USDT' });
    const older = trade('1', 10);
    model.add(older);
    await store.writeTradeRows!(rowsOf([older])); // folds: the rows move from the journal to the blocks
    assert.equal(journalSize(store), 0);
    const ids: number[] = [];
    for (const c of columns) ids.push(...(c.ids.values as Float64Array));
    // the blocks were scanned after the fold (they hold everything); the journal read before it adds nothing twice
    assert.deepEqual(ids, model.expected('BTC/USDT').map((x) => Number(x.id)));
    await store.close();
  });

  test('a failed commit and a second writer read the journal back from the disk; random workload matches the model', async (t) => {
    const path = tempDir(t);
    let now = 0;
    const gate = createStoreFaultGate(() => now);
    const store = openHistoryStore({ path, noSync: true, faultGate: gate });
    const model = new Model();
    const rnd = new Prng(7);
    const next = new Map(SYMBOLS.map((s) => [s, { id: 1_000, ts: 100_000 }]));
    for (let step = 0; step < 400; step++) {
      const batch: Trade[] = [];
      const n = 1 + rnd.int(6);
      for (let k = 0; k < n; k++) {
        const symbol = SYMBOLS[rnd.int(SYMBOLS.length)] as string;
        const s = next.get(symbol) as { id: number; ts: number };
        const roll = rnd.next();
        if (roll < 0.05) batch.push(trade(String(s.id - 1 - rnd.int(20)), s.ts - rnd.int(50), { symbol })); // a duplicate or a late one
        else {
          s.id += 1 + rnd.int(2); // ids may skip (another venue's gap)
          s.ts += rnd.int(3);
          batch.push(trade(String(s.id), s.ts, { symbol, price: 100 + rnd.int(100) / 10 }));
        }
      }
      if (rnd.next() < 0.03) {
        gate.failUntil(now + 1);
        await assert.rejects(store.writeTradeRows!(rowsOf(batch)), { code: 'TV_ERR_STORE_WRITE_FAILED' });
        now += 2;
      }
      let fresh = 0;
      for (const x of batch) if (model.add(x)) fresh++;
      const res = await store.writeTradeRows!(rowsOf(batch));
      assert.equal(res.written, fresh, `step ${step}`);
      if (step % 50 === 49) await assertMatches(store, model, `step ${step}`);
    }
    assert.ok(journalSize(store) > 0);
    // a second writer on the same files (a restart after a crash): its first write reads the journal from the disk
    const second = openHistoryStore({ path, noSync: true });
    const s = next.get('ETH/USDT') as { id: number; ts: number };
    const late = trade(String(s.id - 3), s.ts - 5, { symbol: 'ETH/USDT' });
    const fresh = model.add(late) ? 1 : 0;
    assert.equal((await second.writeBatch([late])).written, fresh);
    await assertMatches(second, model, 'second writer');
    await second.close();
    await store.close();
  });

  test('a format-2 store (blocks, no journal) opens for writing and is marked format 3', async (t) => {
    const path = tempDir(t);
    const first = openHistoryStore({ path, noSync: true });
    await first.writeBatch([trade('1', 100), trade('2', 200)]);
    const meta = first.env.openDB<unknown, string>({ name: 'meta', encoding: 'msgpack' });
    await meta.put('format', 2);
    await first.close();
    const reader = openHistoryStore({ path, readOnly: true });
    assert.equal((await collect(reader.readRange({ exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', type: 'trade' }))).length, 2);
    await reader.close();
    const writer = openHistoryStore({ path, noSync: true });
    assert.equal(writer.env.openDB<unknown, string>({ name: 'meta', encoding: 'msgpack' }).get('format'), 3);
    await writer.writeTradeRows!(rowsOf([trade('3', 300)]));
    assert.equal(writer.readCursor('binance', 'spot', 'BTC/USDT')?.count, 3);
    await writer.close();
  });
});
