/**
 * Books on the live path, end to end against the simulated exchange: on all seven markets the
 * `book` channel subscribes each venue's real book stream, every book becomes Live (the Coin shows
 * Subscribed.Live), tv.book gives a consistent top of book with the venue's sequence, and the kept
 * records start with a whole snapshot followed by updates.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { embeddedSimulator } from '../../src/compose/embedded-simulator.js';
import { silentLogger } from '../../src/log/logger.js';
import type { BookRecord, ExchangeId, Market } from '../../src/records.js';
import { createTickvisor } from '../../src/runtime/tickvisor.js';
import type { ActorNode } from '../../src/runtime/state-tree.js';

const MARKETS: Array<{ exchange: ExchangeId; market: Market; symbol: string }> = [
  { exchange: 'binance', market: 'spot', symbol: 'BTC/USDT' },
  { exchange: 'binance', market: 'futures', symbol: 'BTC/USDT:USDT' },
  { exchange: 'bybit', market: 'spot', symbol: 'BTC/USDT' },
  { exchange: 'bybit', market: 'futures', symbol: 'BTC/USDT:USDT' },
  { exchange: 'okx', market: 'spot', symbol: 'BTC/USDT' },
  { exchange: 'okx', market: 'futures', symbol: 'BTC/USDT:USDT' },
  { exchange: 'upbit', market: 'spot', symbol: 'BTC/KRW' },
];

function* walk(n: ActorNode): IterableIterator<ActorNode> {
  yield n;
  for (const c of n.children) yield* walk(c);
}

describe('books on the live path', () => {
  test('all seven markets: every book Live, consistent, shown on the Coin, kept as snapshot then updates', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tickvisor-books-'));
    const config = {
      exchanges: MARKETS.map((m) => ({ exchange: m.exchange, market: m.market, simulated: true, symbols: [m.symbol], channels: ['trade' as const, 'book' as const], bookDepth: 5 })),
      simulator: { port: 0 },
      store: { path: dir },
      metrics: { enabled: false },
    };
    const tv = createTickvisor(config, { logger: silentLogger(), simulator: embeddedSimulator });
    const records: BookRecord[] = [];
    const sub = tv.bookUpdates$.subscribe((r) => records.push(r));
    try {
      await tv.start();
      const deadline = Date.now() + 20_000;
      const notLive = () => MARKETS.filter((m) => tv.book(m.exchange, m.market, m.symbol)?.state !== 'live');
      while (notLive().length > 0) {
        if (Date.now() > deadline) throw new Error(`books not live: ${notLive().map((m) => `${m.exchange}:${m.market} ${tv.book(m.exchange, m.market, m.symbol)?.state ?? 'none'}`).join(', ')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      // a few pushes more, so every book has applied updates after its snapshot
      await new Promise((r) => setTimeout(r, 600));
      const coins = [...walk(tv.state())].filter((n) => n.kind === 'coin');
      for (const m of MARKETS) {
        const b = tv.book(m.exchange, m.market, m.symbol);
        const what = `${m.exchange}:${m.market}`;
        assert.ok(b?.synced, `${what} synced`);
        assert.equal(b.bids.length, 5, `${what}: bookDepth levels by default`);
        assert.equal(b.asks.length, 5, what);
        assert.ok(b.bids[0]![0] < b.asks[0]![0], `${what}: not crossed`);
        for (let i = 1; i < 5; i++) {
          assert.ok(b.bids[i]![0] < b.bids[i - 1]![0], `${what}: bids best first`);
          assert.ok(b.asks[i]![0] > b.asks[i - 1]![0], `${what}: asks best first`);
        }
        if (m.exchange === 'upbit') assert.equal(b.sequence, undefined, 'Upbit books carry no sequence');
        else assert.ok(Number.isInteger(b.sequence), `${what}: sequence`);
        assert.equal(tv.book(m.exchange, m.market, m.symbol, 2)?.bids.length, 2, 'depth asked for');
        assert.deepEqual(tv.bookCounters(m.exchange, m.market, m.symbol), { resyncs: 0, sequenceGaps: 0, checksumFailures: 0, overflowed: 0 });
        const coin = coins.find((c) => c.id === `coin:${m.exchange}:${m.market}:${m.symbol}`);
        assert.equal(coin?.detail, 'Subscribed.Live', `${what}: the Coin shows its book`);
        const mine = records.filter((r) => r.exchange === m.exchange && r.market === m.market && r.symbol === m.symbol);
        assert.equal(mine[0]?.kind, 'snapshot', `${what}: the kept history starts with a whole book`);
        assert.ok(mine.length >= 3, `${what}: updates (or Upbit's whole books) follow`);
        assert.ok(!mine.some((r) => r.kind === 'resync'), `${what}: no break`);
      }
    } finally {
      sub.unsubscribe();
      await tv.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
