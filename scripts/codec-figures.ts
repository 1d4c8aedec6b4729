/**
 * Figures for the columnar block codecs: encode and decode speed (trades/s) and bytes per trade on
 * realistic blocks, plus what raw deflate over the encoded value would add (size and inflate cost),
 * which is how the codec's "no general compressor" choice was made.
 * Run: npx tsx scripts/codec-figures.ts [--json]
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { tradeBlockCodec } from '../src/store/blocks/trade-codec.js';
import { tickerBlockCodec } from '../src/store/blocks/ticker-codec.js';
import type { BlockCodec } from '../src/store/blocks/columns.js';
import { binanceLike, bybitLike, okxSwapLike, tickerLike, upbitLike } from '../test/store/blocks/realistic-blocks.js';

const json = process.argv.includes('--json');
const TARGET_ROWS = 2_000_000;

/**
 * best of 5 runs of `fn` over enough blocks to reach TARGET_ROWS, in rows per CPU second of this
 * process (not wall time: on a shared machine wall time measures the neighbours)
 */
function rowsPerSec(rowsPerCall: number, fn: (i: number) => void): number {
  const calls = Math.max(1, Math.round(TARGET_ROWS / rowsPerCall));
  let best = Infinity;
  for (let run = 0; run < 5; run++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < calls; i++) fn(i);
    const c = process.cpuUsage(c0);
    const s = (c.user + c.system) / 1e6;
    best = Math.min(best, s);
  }
  return (calls * rowsPerCall) / best;
}

interface Figure {
  shape: string;
  rows: number;
  bytesPerRow: number;
  encodePerSec: number;
  decodePerSec: number;
  deflate1BytesPerRow: number;
  inflatePerSec: number;
}

function measure<C extends { length: number }>(shape: string, codec: BlockCodec<C>, make: (n: number, seed: number) => C, rows: number): Figure {
  const blocks = Array.from({ length: 8 }, (_, s) => make(rows, 100 + s));
  const encoded = blocks.map((b) => codec.encode(b));
  const deflated = encoded.map((e) => deflateRawSync(e, { level: 1 }));
  const avg = (xs: Uint8Array[]) => xs.reduce((a, x) => a + x.length, 0) / xs.length / rows;
  let sink = 0;
  const encodePerSec = rowsPerSec(rows, (i) => (sink += codec.encode(blocks[i % 8]!).length));
  const decodePerSec = rowsPerSec(rows, (i) => (sink += codec.decode(encoded[i % 8]!).length));
  const inflatePerSec = rowsPerSec(rows, (i) => (sink += inflateRawSync(deflated[i % 8]!).length));
  if (sink === 0) console.log('');
  return { shape, rows, bytesPerRow: avg(encoded), encodePerSec, decodePerSec, deflate1BytesPerRow: avg(deflated), inflatePerSec };
}

const figures: Figure[] = [];
for (const rows of [1024, 4096]) {
  figures.push(measure('binance BTCUSDT trades', tradeBlockCodec, binanceLike, rows));
  figures.push(measure('okx BTC swap trades', tradeBlockCodec, okxSwapLike, rows));
  figures.push(measure('upbit KRW-BTC trades', tradeBlockCodec, upbitLike, rows));
  figures.push(measure('bybit BTCUSDT trades', tradeBlockCodec, bybitLike, rows));
  figures.push(measure('binance tickers', tickerBlockCodec, tickerLike, rows));
}

if (json) {
  console.log(JSON.stringify(figures, null, 2));
} else {
  const m = (x: number) => `${(x / 1e6).toFixed(1)}M/s`.padStart(9);
  console.log('shape                      rows  bytes/row  encode    decode    deflate1 bytes/row  inflate alone');
  for (const f of figures) {
    console.log(
      `${f.shape.padEnd(26)} ${String(f.rows).padStart(5)}  ${f.bytesPerRow.toFixed(2).padStart(9)}  ${m(f.encodePerSec)} ${m(f.decodePerSec)}  ${f.deflate1BytesPerRow.toFixed(2).padStart(18)}  ${m(f.inflatePerSec)}`,
    );
  }
}
