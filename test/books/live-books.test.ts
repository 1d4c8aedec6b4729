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

/** the book the records describe: the last snapshot, then the updates after it (amount 0 deletes) */
function rebuild(records: readonly BookRecord[], depth: number): { bids: [number, number][]; asks: [number, number][] } {
  const bids = new Map<number, number>();
  const asks = new Map<number, number>();
  for (const r of records) {
    if (r.kind === 'snapshot') {
      bids.clear();
      asks.clear();
    }
    for (const [p, a] of r.bids) a === 0 ? bids.delete(p) : bids.set(p, a);
    for (const [p, a] of r.asks) a === 0 ? asks.delete(p) : asks.set(p, a);
  }
  return {
    bids: [...bids].sort((x, y) => y[0] - x[0]).slice(0, depth),
    asks: [...asks].sort((x, y) => x[0] - y[0]).slice(0, depth),
  };
}

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
        // the store kept what was emitted: the book rebuilt from the records equals the stored one
        await tv.drain();
        const last = mine.at(-1)!;
        const stored = tv.bookAt(m.exchange, m.market, m.symbol, last.timestamp, 5);
        assert.ok(stored?.synced, `${what}: stored and synced at its last record`);
        assert.deepEqual({ bids: stored.bids, asks: stored.asks }, rebuild(mine, 5), `${what}: the stored book is the records' book`);
      }
    } finally {
      sub.unsubscribe();
      await tv.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('book faults on the wire: each broken book resyncs (a resync record, counted) and is Live again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tickvisor-books-'));
    const markets = MARKETS.filter((m) => m.exchange !== 'upbit');
    const config = {
      exchanges: markets.map((m) => ({ exchange: m.exchange, market: m.market, simulated: true, symbols: [m.symbol], channels: ['book' as const] })),
      simulator: { port: 0 },
      store: { path: dir },
      metrics: { enabled: false },
    };
    const tv = createTickvisor(config, { logger: silentLogger(), simulator: embeddedSimulator });
    const records: BookRecord[] = [];
    const sub = tv.bookUpdates$.subscribe((r) => records.push(r));
    const until = async (what: string, ok: () => boolean) => {
      const deadline = Date.now() + 20_000;
      while (!ok()) {
        if (Date.now() > deadline) throw new Error(`timed out: ${what}; now ${markets.map((m) => `${m.exchange}:${m.market} ${tv.book(m.exchange, m.market, m.symbol)?.state} ${JSON.stringify(tv.bookCounters(m.exchange, m.market, m.symbol))}`).join(', ')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      await tv.start();
      await until('all live', () => markets.every((m) => tv.book(m.exchange, m.market, m.symbol)?.state === 'live'));
      const sim = tv.sim!;
      const fault = { binance: 'book-drop', bybit: 'book-drop', okx: 'book-out-of-order' } as const;
      for (const m of markets) sim.inject({ kind: fault[m.exchange as keyof typeof fault], exchange: m.exchange, market: m.market, count: 1 });
      await until('every book resynced once', () => markets.every((m) => (tv.bookCounters(m.exchange, m.market, m.symbol)?.resyncs ?? 0) >= 1));
      await until(`all live again (${markets.map((m) => `${m.exchange}:${m.market} ${tv.book(m.exchange, m.market, m.symbol)?.state}`).join(', ')})`, () => markets.every((m) => tv.book(m.exchange, m.market, m.symbol)?.state === 'live'));
      for (const m of markets) {
        const what = `${m.exchange}:${m.market}`;
        const c = tv.bookCounters(m.exchange, m.market, m.symbol)!;
        assert.equal(c.resyncs, 1, `${what}: one fault, one resync`);
        assert.equal(c.sequenceGaps, 1, `${what}: found by the sequence ids`);
        const kinds = records.filter((r) => r.exchange === m.exchange && r.market === m.market).map((r) => r.kind);
        const broke = kinds.indexOf('resync');
        assert.ok(broke > 0, `${what}: the break is recorded`);
        assert.equal(kinds.slice(broke + 1).find((k) => k !== 'resync'), 'snapshot', `${what}: what follows the break starts from a whole book`);
      }
    } finally {
      sub.unsubscribe();
      await tv.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
