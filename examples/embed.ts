/**
 * Embedding tickvisor as a library: start it on two simulated exchanges, subscribe to the record
 * stream (an Observable, and `for await`), read the memory cache and the stored history, stop.
 *
 *   npx tsx examples/embed.ts                               (in this repository)
 *   npx tsx node_modules/tickvisor/examples/embed.ts        (in an app that installed tickvisor)
 *
 * For real exchanges drop `simulated: true` (production endpoints are the defaults) and list the
 * symbols you want — see examples/config.example.yaml for every setting.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTickvisor, type Trade } from 'tickvisor';

const dataDir = mkdtempSync(join(tmpdir(), 'tickvisor-embed-'));
const tv = createTickvisor({
  exchanges: [
    { exchange: 'binance', market: 'spot', simulated: true, sim: { symbols: ['BTC/USDT', 'ETH/USDT'] } },
    { exchange: 'okx', market: 'futures', simulated: true, sim: { symbols: ['BTC/USDT:USDT'] } },
  ],
  store: { path: dataDir },
  simulator: { tradesPerSecond: 50 },
  metrics: { enabled: false },
  log: { level: 'warn' },
});

await tv.start();

// 1. the record stream: validated, deduplicated records as they go to the store
let trades = 0;
const subscription = tv.records$.subscribe((record) => {
  if (record.type === 'trade') trades++;
});

// 2. the same stream with `for await`: the first five BTC/USDT trades; `break` unsubscribes
let n = 0;
for await (const t of tv.trades({ exchange: 'binance', market: 'spot', symbol: 'BTC/USDT' })) {
  console.log(`live trade ${t.id} ${t.side} ${t.amount} @ ${t.price}`);
  if (++n === 5) break;
}

// wait a moment for more data to flow
await new Promise((resolve) => setTimeout(resolve, 1_500));

// 3. the memory cache: latest ticker and last trade per symbol
const btc = tv.latest('binance', 'spot', 'BTC/USDT');
console.log(`BTC/USDT last trade ${btc?.trade?.price} (${btc?.trade?.side}), ticker last ${btc?.ticker?.last}`);
console.log(`symbols in the cache: ${tv.cache().map((s) => `${s.exchange}:${s.market}:${s.symbol}`).join(', ')}`);

// 4. the live supervision tree
const tree = tv.state();
console.log(`tree: ${tree.children.map((c) => `${c.id} ${c.state}`).join(', ')}`);

// 5. history: what is committed to LMDB so far, one symbol's time range
let stored = 0;
let last: Trade | undefined;
for await (const r of tv.history({ exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', type: 'trade' })) {
  stored++;
  last = r as Trade;
}
console.log(`stored BTC/USDT trades: ${stored}; newest id ${last?.id}`);

// 6. stop: subscriptions closed, pipelines flushed, store closed
subscription.unsubscribe();
await tv.stop();
console.log(`records seen on the stream: ${trades} trades`);
rmSync(dataDir, { recursive: true, force: true });
