/**
 * Micro-bench of the frame parsers alone: ns per trade frame through the fast path (the
 * hand-written scanner) and through the JSON.parse path, on frames shaped like the simulator's
 * (the bench's burst sends these). One process, both parsers alternating round by round so that
 * machine noise hits both alike; the figure is the best round (least disturbed).
 *
 *   node --import tsx bench/micro/parse-trades.ts [frames=200000] [rounds=7]
 */
import { createBinanceParser } from '../../src/exchanges/binance/parser.js';
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

function run(parser: FrameParser, input: readonly string[]): number {
  let sink = 0;
  const start = process.hrtime.bigint();
  for (const frame of input) sink += parser.parse(frame, 1).records.length;
  const ns = Number(process.hrtime.bigint() - start);
  if (sink !== input.length) throw new Error(`parsed ${sink} records of ${input.length} frames`);
  return ns / input.length;
}

function compare(name: string, input: readonly string[], fast: FrameParser, slow: FrameParser): void {
  let bestFast = Infinity;
  let bestSlow = Infinity;
  for (let r = 0; r < rounds; r++) {
    bestSlow = Math.min(bestSlow, run(slow, input));
    bestFast = Math.min(bestFast, run(fast, input));
  }
  console.log(`${name.padEnd(24)} JSON.parse path ${bestSlow.toFixed(0).padStart(5)} ns/frame · fast path ${bestFast.toFixed(0).padStart(5)} ns/frame · ×${(bestSlow / bestFast).toFixed(2)}`);
}

for (const futures of [false, true]) {
  const market = futures ? 'futures' : 'spot';
  compare(`binance ${market} ${futures ? 'aggTrade' : 'trade'}`, binanceFrames(futures), createBinanceParser(market), createBinanceParser(market, undefined, { fastPath: false }));
}
