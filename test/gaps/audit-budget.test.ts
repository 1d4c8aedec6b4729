import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createAuditBudget } from '../../src/audit/audit-budget.js';
import { VenueAuditor } from '../../src/audit/venue-auditor.js';
import type { RestClient } from '../../src/exchanges/types.js';
import { createRestClient } from '../../src/rest/http-client.js';
import { manualClock } from './audit-fakes.js';

const quiet = { warn: () => undefined, info: () => undefined };

/** the most requests in any window of `windowMs` */
function peak(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

function timed() {
  const time = manualClock();
  const sleep = (ms: number) => new Promise<void>((resolve) => time.clock.setTimeout(resolve, ms));
  return { time, sleep };
}

describe('audits stay inside their share of the REST budget', () => {
  test('however many audits ask at once, they go out at share × requestsPerSecond per host', async () => {
    const { time, sleep } = timed();
    const sent: Record<string, number[]> = {};
    const rest: RestClient = async (url) => {
      (sent[new URL(url).host] ??= []).push(time.now());
      return { status: 200, headers: {}, body: [] };
    };
    const budget = createAuditBudget(rest, { requestsPerSecond: 10, now: time.now, sleep });
    const spot = budget.clientFor(0.2);
    const futures = budget.clientFor(0.2); // another venue on the same host: the same lane
    const other = budget.clientFor(0.2);
    const all = [
      ...Array.from({ length: 10 }, (_, i) => spot(`http://api.bybit.test/spot?${i}`)),
      ...Array.from({ length: 10 }, (_, i) => futures(`http://api.bybit.test/linear?${i}`)),
      ...Array.from({ length: 10 }, (_, i) => other(`http://www.okx.test/x?${i}`)),
    ];
    await time.advance(20_000);
    await Promise.all(all);
    const bybit = sent['api.bybit.test']!;
    assert.equal(bybit.length, 20);
    assert.ok(peak(bybit, 1_000) <= 2, `at most 2/s on one host (0.2 × 10/s), got ${peak(bybit, 1_000)}`);
    assert.ok(bybit[19]! - bybit[0]! >= 19 * 500, 'the two venues on one host share one lane');
    assert.ok(peak(sent['www.okx.test']!, 1_000) <= 2);
    assert.ok(sent['www.okx.test']![0]! - time.now() + 20_000 < 1, 'another host is not held up by this one');
  });

  test('gap backfills keep the rest of the pace while audits queue up', async () => {
    const { time, sleep } = timed();
    const sent: { kind: string; at: number }[] = [];
    const shared = createRestClient({
      requestsPerSecond: 10,
      burst: 1,
      now: time.now,
      sleep,
      transport: async (url) => {
        sent.push({ kind: url.includes('audit') ? 'audit' : 'backfill', at: time.now() });
        return { status: 200, headers: {}, text: '[]' };
      },
    });
    const audit = createAuditBudget(shared, { requestsPerSecond: 10, now: time.now, sleep }).clientFor(0.2);
    const start = time.now();
    // 40 audit requests asked first, then 40 backfill pages of a reconnect
    const audits = Array.from({ length: 40 }, (_, i) => audit(`http://venue.test/audit?${i}`));
    const backfills = Array.from({ length: 40 }, (_, i) => shared(`http://venue.test/backfill?${i}`));
    await time.advance(60_000);
    await Promise.all([...audits, ...backfills]);
    const auditTimes = sent.filter((s) => s.kind === 'audit').map((s) => s.at);
    const backfillTimes = sent.filter((s) => s.kind === 'backfill').map((s) => s.at);
    assert.ok(peak(auditTimes, 1_000) <= 2, `audits at most 2/s, got ${peak(auditTimes, 1_000)}`);
    const lastBackfill = Math.max(...backfillTimes) - start;
    // 40 pages at 10/s take 4 s alone; with audits at their 2/s share, 40 / 8 = 5 s at most
    assert.ok(lastBackfill <= 5_000, `the backfill finished after ${lastBackfill} ms`);
  });

  test('an auditor whose schedule asks for far more stays within its share', async () => {
    const { time, sleep } = timed();
    const requests: number[] = [];
    const rest: RestClient = async () => {
      requests.push(time.now());
      return { status: 200, headers: {}, body: [] };
    };
    const client = createAuditBudget(rest, { requestsPerSecond: 10, now: time.now, sleep }).clientFor(0.1);
    const auditor = new VenueAuditor({
      exchange: 'upbit',
      market: 'spot',
      // an audit every 10 ms, five pages each: 500 requests/s asked for, 1/s allowed
      options: { intervalMs: 10, share: 0.1, settleMs: 0, maxTrades: 1_000 },
      io: {
        recentTrades: async (symbol, from) => {
          for (let p = 0; p < 5; p++) await client(`http://upbit.test/trades?${symbol}&${p}`);
          return { trades: [{ type: 'trade', exchange: 'upbit', market: 'spot', symbol, id: String(time.now()), price: 1, amount: 1, side: 'buy', timestamp: Math.max(from, time.now() - 1), localTimestamp: 0 }], complete: true };
        },
        storedIds: async () => new Set<string>(),
        backfill: (t) => t.length,
      },
      subscribed: () => ['BTC/KRW', 'ETH/KRW'],
      backfillBusy: () => false,
      clock: time.clock,
      log: quiet,
    });
    auditor.start();
    await time.advance(60_000);
    auditor.stop();
    assert.ok(requests.length >= 55, `the audit kept running (${requests.length} requests)`);
    assert.ok(requests.length <= 61, `60 s at 1/s: ${requests.length} requests`);
    assert.ok(peak(requests, 1_000) <= 1);
  });
});
