/**
 * Silent loss on venues without dense trade ids, against the simulator: the `drop-messages` fault
 * drops trades on a socket that stays up. On Upbit, Bybit and OKX no hole in the ids shows it and
 * no reconnect opens a window, so without the REST audit the store keeps missing them; with the
 * audit (its interval scaled down) the store ends up equal to what the exchange published.
 * Real sockets and the simulator's real clock: waits are bounded and wait for things to happen.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ExchangeId, Market, Trade } from '../../src/records.js';
import { allCoinsSubscribed, nodes, startSystem, storedTrades, waitFor, type TestSystem } from '../support/system.js';

const VENUES: { exchange: ExchangeId; market: Market; symbols: string[]; dropped: string }[] = [
  { exchange: 'upbit', market: 'spot', symbols: ['BTC/KRW', 'ETH/KRW'], dropped: 'BTC/KRW' },
  { exchange: 'bybit', market: 'spot', symbols: ['BTC/USDT', 'ETH/USDT'], dropped: 'BTC/USDT' },
  { exchange: 'okx', market: 'spot', symbols: ['BTC/USDT', 'ETH/USDT'], dropped: 'ETH/USDT' },
];
const DROPS = 5;

async function start(audit: boolean): Promise<TestSystem> {
  return startSystem({
    exchanges: VENUES.map(({ exchange, market, symbols }) => ({
      exchange,
      market,
      simulated: true,
      channels: ['trade'] as const,
      sim: { symbols },
      audit: audit ? { intervalMs: 100, settleMs: 400 } : { enabled: false },
    })),
    rest: { requestsPerSecond: 20, burst: 20, timeoutMs: 5_000 },
    simulator: { tradesPerSecond: 20, tickersPerSecond: 0 },
  });
}

/** Per venue: the trades published in [each symbol's first stored trade, until] that the store lacks, and any stored twice. */
async function missingUpTo(sys: TestSystem, until: number) {
  const out: Record<string, { missing: Trade[]; duplicated: number; checked: number }> = {};
  for (const { exchange, market, symbols } of VENUES) {
    const stored = await storedTrades(sys.tv, exchange, market, symbols);
    const ids = new Map<string, number>();
    for (const t of stored) ids.set(`${t.symbol} ${t.id}`, (ids.get(`${t.symbol} ${t.id}`) ?? 0) + 1);
    const firstStored = new Map<string, number>();
    for (const t of stored) firstStored.set(t.symbol, Math.min(firstStored.get(t.symbol) ?? Infinity, t.timestamp));
    const truth = sys.tv.sim!.groundTruth({ exchange, market }).filter((t) => t.timestamp >= (firstStored.get(t.symbol) ?? Infinity) && t.timestamp <= until);
    out[`${exchange}:${market}`] = {
      missing: truth.filter((t) => !ids.has(`${t.symbol} ${t.id}`)),
      duplicated: [...ids.values()].filter((n) => n > 1).length,
      checked: truth.length,
    };
  }
  return out;
}

/** Subscribe, let trades flow, drop DROPS trades of one symbol per venue on a live socket; returns when the drops happened. */
async function dropSilently(sys: TestSystem): Promise<number> {
  await waitFor('every coin Subscribed', () => allCoinsSubscribed(sys.tv) && nodes(sys.tv.state(), 'coin').length === 6, 15_000);
  await waitFor('trades delivered for every symbol', () => sys.tv.cache().filter((s) => s.trade !== undefined).length === 6, 10_000);
  const flowing = Date.now();
  await waitFor('a second of trades on every symbol', () => sys.tv.cache().every((s) => (s.trade?.timestamp ?? 0) > flowing + 1_000), 10_000);
  for (const { exchange, market, dropped } of VENUES) sys.tv.sim!.inject({ kind: 'drop-messages', exchange, market, symbols: [dropped], count: DROPS });
  await waitFor(`${DROPS} trades dropped on every venue`, () => sys.tv.sim!.stats().venues.every((v) => v.tradesDropped === DROPS), 10_000);
  const droppedBy = Date.now();
  // live trades published after the drops are stored: the socket stayed up and kept delivering
  await waitFor('live trades after the drops delivered', () => sys.tv.cache().every((s) => (s.trade?.timestamp ?? 0) > droppedBy + 500), 10_000);
  const reconnects = nodes(sys.tv.state(), 'connector').reduce((n, c) => n + (c.counters.recoveryAttempts ?? 0), 0);
  assert.equal(reconnects, 0, 'the sockets stayed up: nothing but the audit can see the loss');
  return droppedBy;
}

describe('REST audit: silent loss on Upbit, Bybit and OKX is found and filled', () => {
  test('without the audit, trades dropped on a live socket stay lost', { timeout: 60_000 }, async () => {
    const sys = await start(false);
    try {
      const droppedBy = await dropSilently(sys);
      await waitFor('gap backfill idle', () => sys.tv.gapStats().every((g) => g.idle), 5_000);
      await sys.tv.drain();
      const result = await missingUpTo(sys, droppedBy);
      for (const { exchange, market, dropped } of VENUES) {
        const r = result[`${exchange}:${market}`]!;
        assert.equal(r.missing.length, DROPS, `${exchange} ${market}: the ${DROPS} dropped trades are missing`);
        assert.ok(r.missing.every((t) => t.symbol === dropped));
        assert.equal(r.duplicated, 0);
      }
      assert.deepEqual(sys.tv.auditStats(), [], 'no audit ran');
    } finally {
      await sys.close();
    }
  });

  test('with the audit, the store equals what the exchange published once the audit has passed', { timeout: 60_000 }, async () => {
    const sys = await start(true);
    try {
      const droppedBy = await dropSilently(sys);
      const auditedPast = (t: number) => {
        const rows = sys.tv.auditStats();
        return rows.length === 6 && rows.every((r) => (r.auditedUntil ?? 0) >= t);
      };
      await waitFor('every symbol audited past the drops', () => auditedPast(droppedBy), 20_000);
      await sys.tv.drain();
      const until = Math.min(...sys.tv.auditStats().map((r) => r.auditedUntil!));
      const result = await missingUpTo(sys, until);
      for (const { exchange, market } of VENUES) {
        const r = result[`${exchange}:${market}`]!;
        // the simulator keeps only what the venue's REST history serves: Bybit spot's last 60 trades
        assert.ok(r.checked > (exchange === 'bybit' && market === 'spot' ? 20 : 40), `${exchange} ${market}: ${r.checked} trades compared`);
        assert.deepEqual({ missing: r.missing.map((t) => `${t.symbol} ${t.id}`), duplicated: r.duplicated }, { missing: [], duplicated: 0 }, `${exchange} ${market}`);
        const rows = sys.tv.auditStats().filter((a) => a.exchange === exchange && a.market === market);
        const filled = rows.reduce((n, a) => n + a.filled, 0);
        assert.equal(filled, DROPS, `${exchange} ${market}: the audit filled exactly the dropped trades`);
        assert.ok(rows.every((a) => a.windows > 0 && a.unfilled === 0 && a.failures === 0), JSON.stringify(rows));
      }
    } finally {
      await sys.close();
    }
  });
});
