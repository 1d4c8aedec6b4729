/**
 * Micro-bench of the frame parsers alone: CPU-ns per trade through the fast path (the
 * hand-written scanner) and through the JSON.parse path, on frames shaped like the simulator's
 * (the bench's burst sends Binance spot trades). One process, both parsers alternating round by
 * round so that machine noise hits both alike; the figure is the best round (least disturbed),
 * in CPU time rather than wall time (on a shared machine wall time counts other processes too).
 *
 *   node --import tsx bench/micro/parse-trades.ts [frames=200000] [rounds=7]
 */
import { createBinanceParser } from '../../src/exchanges/binance/parser.js';
import { createOkxParser } from '../../src/exchanges/okx/parser.js';
import type { FrameParser } from '../../src/exchanges/types.js';

const frames = Number(process.argv[2] ?? 200_000);
const rounds = Number(process.argv[3] ?? 7);

const SYMBOLS = Array.from({ length: 50 }, (_, k) => `S${k}USDT`);

/** Binance spot `trade` and futures `aggTrade` frames as src/sim/venues/binance.ts writes them */
function binanceFrames(futures: boolean): string[] {
  const out: string[] = [];
  let price = 97000;
  for (let k = 0; k < frames; k++) {
    price += (k % 7) - 3;
    const ts = 1_700_000_000_000 + k;
    const s = SYMBOLS[k % SYMBOLS.length] as string;
    const p = (price + (k % 100) / 100).toFixed(futures ? 2 : 8);
    const q = ((k % 997) / 1000 + 0.001).toFixed(futures ? 3 : 8);
    out.push(futures
      ? `{"e":"aggTrade","E":${ts},"s":"${s}","a":${1_000_000 + k},"p":"${p}","q":"${q}","f":${k},"l":${k},"T":${ts},"m":${k % 2 === 0}}`
      : `{"e":"trade","E":${ts},"s":"${s}","t":${1_000_000 + k},"p":"${p}","q":"${q}","T":${ts},"m":${k % 2 === 0},"M":true}`);
  }
  return out;
}

/** OKX `trades` frames (SPOT) of `perFrame` trades, as src/sim/venues/okx.ts writes them */
function okxFrames(perFrame: number): string[] {
  const out: string[] = [];
  for (let k = 0; k < Math.ceil(frames / perFrame); k++) {
    const s = `S${k % SYMBOLS.length}-USDT`;
    const rows: string[] = [];
    for (let j = 0; j < perFrame; j++) {
      const n = k * perFrame + j;
      rows.push(`{"instId":"${s}","tradeId":"${130_639_474 + n}","px":"${(97000 + (n % 100) / 10).toFixed(1)}","sz":"${((n % 997) / 1000 + 0.001).toFixed(8)}","side":"${n % 2 === 0 ? 'buy' : 'sell'}","ts":"${1_700_000_000_000 + k}","count":"1"}`);
    }
    out.push(`{"arg":{"channel":"trades","instId":"${s}"},"data":[${rows.join(',')}]}`);
  }
  return out;
}

/** CPU ns per trade (this process's CPU: the GC's helper threads count too, as in the burst's figure) */
function run(parser: FrameParser, input: readonly string[], perFrame: number): number {
  let sink = 0;
  const start = process.cpuUsage();
  for (const frame of input) sink += parser.parse(frame, 1).records.length;
  const used = process.cpuUsage(start);
  if (sink !== input.length * perFrame) throw new Error(`parsed ${sink} records of ${input.length * perFrame}`);
  return ((used.user + used.system) * 1000) / sink;
}

function compare(name: string, input: readonly string[], fast: FrameParser, slow: FrameParser, perFrame = 1): void {
  let bestFast = Infinity;
  let bestSlow = Infinity;
  for (let r = 0; r < rounds; r++) {
    bestSlow = Math.min(bestSlow, run(slow, input, perFrame));
    bestFast = Math.min(bestFast, run(fast, input, perFrame));
  }
  console.log(`${name.padEnd(28)} JSON.parse path ${bestSlow.toFixed(0).padStart(5)} CPU-ns/trade · fast path ${bestFast.toFixed(0).padStart(5)} · ×${(bestSlow / bestFast).toFixed(2)}`);
}

for (const futures of [false, true]) {
  const market = futures ? 'futures' : 'spot';
  compare(`binance ${market} ${futures ? 'aggTrade' : 'trade'}`, binanceFrames(futures), createBinanceParser(market), createBinanceParser(market, undefined, { fastPath: false }));
}
compare('okx spot trades ×1', okxFrames(1), createOkxParser('spot'), createOkxParser('spot', undefined, { fastPath: false }));
