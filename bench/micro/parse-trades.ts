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
import { createBybitParser } from '../../src/exchanges/bybit/parser.js';
import { createOkxParser } from '../../src/exchanges/okx/parser.js';
import { createUpbitParser } from '../../src/exchanges/upbit/parser.js';
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

/** Bybit `publicTrade` frames of `perFrame` trades, as src/sim/venues/bybit.ts writes them */
function bybitFrames(perFrame: number): string[] {
  const out: string[] = [];
  for (let k = 0; k < Math.ceil(frames / perFrame); k++) {
    const s = SYMBOLS[k % SYMBOLS.length] as string;
    const ts = 1_700_000_000_000 + k;
    const entries: string[] = [];
    for (let j = 0; j < perFrame; j++) {
      const n = k * perFrame + j;
      entries.push(`{"T":${ts},"s":"${s}","S":"${n % 2 === 0 ? 'Buy' : 'Sell'}","v":"${((n % 997) / 1000 + 0.001).toFixed(3)}","p":"${(97000 + (n % 100) / 10).toFixed(1)}","L":"PlusTick","i":"${2_290_000_000_050_703_789n + BigInt(n)}","BT":false}`);
    }
    out.push(`{"topic":"publicTrade.${s}","type":"snapshot","ts":${ts},"data":[${entries.join(',')}]}`);
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

/** Upbit `trade` frames (DEFAULT format), as src/sim/venues/upbit.ts writes them */
function upbitFrames(): string[] {
  const out: string[] = [];
  for (let k = 0; k < frames; k++) {
    const ts = 1_700_000_000_000 + k;
    out.push(`{"type":"trade","code":"KRW-S${k % SYMBOLS.length}","timestamp":${ts + 40},"trade_date":"2023-11-14","trade_time":"22:13:20","trade_timestamp":${ts},"trade_price":${97_000_000 + (k % 100) * 1000},"trade_volume":${((k % 997) / 1000 + 0.001).toFixed(8)},"ask_bid":"${k % 2 === 0 ? 'ASK' : 'BID'}","prev_closing_price":96000000,"change":"RISE","change_price":1000000,"sequential_id":${ts}${String(k % 1000).padStart(4, '0')},"stream_type":"REALTIME"}`);
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
for (const perFrame of [1, 20]) {
  compare(`bybit futures publicTrade ×${perFrame}`, bybitFrames(perFrame), createBybitParser('futures'), createBybitParser('futures', undefined, { fastPath: false }), perFrame);
}
compare('okx spot trades ×1', okxFrames(1), createOkxParser('spot'), createOkxParser('spot', undefined, { fastPath: false }));
compare('upbit trade', upbitFrames(), createUpbitParser(), createUpbitParser(undefined, { fastPath: false }));
