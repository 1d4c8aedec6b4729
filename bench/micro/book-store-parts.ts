/**
 * Where storing a book update goes, part by part, without LMDB: the sink's copy of a record into
 * its symbol's columns (checked as copied), and encoding the blocks from records.
 * ns per update of each part, the best of a few passes (the same records each time).
 *
 *   node --import tsx bench/micro/book-store-parts.ts [symbols=50] [updates=2000] [changes=10]
 */
import type { BookLevelTuple, BookRecord } from '../../src/records.js';
import { encodeBookRecordsBlock } from '../../src/store/books/block-codec.js';
import { nextBookKey, type BookKey } from '../../src/store/books/keys.js';
import { PendingRun } from '../../src/store/books/pending-run.js';

const symbols = Number(process.argv[2] ?? 50);
const updates = Number(process.argv[3] ?? 2000);
const changes = Number(process.argv[4] ?? 10);

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const rand = lcg(42);
const T = 1_700_000_000_000;
const perSymbol: BookRecord[][] = Array.from({ length: symbols }, () => []);
const all: BookRecord[] = [];
for (let u = 0; u < updates; u++) {
  for (let s = 0; s < symbols; s++) {
    const bids: BookLevelTuple[] = [];
    const asks: BookLevelTuple[] = [];
    for (let c = 0; c < changes; c++) {
      const price = (2_615_040 + (c % 2 === 0 ? -1 : 1) * (1 + Math.floor(rand() * 50))) / 100;
      (c % 2 === 0 ? bids : asks).push([price, rand() < 0.2 ? 0 : (1 + Math.floor(rand() * 5000)) / 1000]);
    }
    const r: BookRecord = { type: 'book', exchange: 'binance', market: 'spot', symbol: `S${s}USDT`, kind: 'update', timestamp: T + u * 100, localTimestamp: T + u * 100 + 4, sequence: 1e6 + u * changes, bids, asks };
    perSymbol[s]!.push(r);
    all.push(r);
  }
}
const n = symbols * updates;

function best(name: string, f: () => void): void {
  let min = Infinity;
  for (let i = 0; i < 7; i++) {
    const t0 = process.hrtime.bigint();
    f();
    min = Math.min(min, Number(process.hrtime.bigint() - t0));
  }
  console.log(`${name.padEnd(20)} ${(min / n).toFixed(0).padStart(6)} ns per update`);
}

let sink = 0;
best('copy into columns', () => {
  const runs = perSymbol.map((rs) => new PendingRun('binance', 'spot', rs[0]!.symbol, rs[0]!.symbol));
  for (let u = 0; u < updates; u++) for (let s = 0; s < symbols; s++) if (runs[s]!.push(perSymbol[s]![u]!)) sink++;
});
const keys: BookKey[][] = perSymbol.map((rs) => {
  let k: BookKey | undefined;
  return rs.map((r) => (k = nextBookKey(k, r.timestamp)));
});
best('encode (256 a block)', () => {
  for (let s = 0; s < symbols; s++) {
    const rs = perSymbol[s]!;
    for (let from = 0; from < rs.length; from += 256) sink += encodeBookRecordsBlock(rs, keys[s]!, from, Math.min(rs.length, from + 256)).length;
  }
});
best('encode (100 a block)', () => {
  for (let s = 0; s < symbols; s++) {
    const rs = perSymbol[s]!;
    for (let from = 0; from < rs.length; from += 100) sink += encodeBookRecordsBlock(rs, keys[s]!, from, Math.min(rs.length, from + 100)).length;
  }
});
console.log(sink > 0 ? '' : '-');
