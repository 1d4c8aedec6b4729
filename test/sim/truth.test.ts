import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startSimExchange, type SimExchange, type SimOptions } from '../../src/sim/index.js';
import type { ExchangeId, Market } from '../../src/records.js';
import { connect, fakeClock, waitFor } from './helpers.js';

async function withSim(options: SimOptions, body: (sim: SimExchange) => Promise<void>): Promise<void> {
  const sim = await startSimExchange(options);
  try {
    await body(sim);
  } finally {
    await sim.stop();
  }
}

const one = (exchange: ExchangeId, market: Market, symbol: string, tradesPerSecond = 100) => ({
  exchange,
  market,
  symbols: [{ symbol, tradesPerSecond, tickersPerSecond: 1 }],
});

describe('simulator ground truth: where collection began', () => {
  test('Binance: the first acknowledged SUBSCRIBE is recorded at its place in the ledger, later ones as resubscriptions', async () => {
    const clock = fakeClock();
    await withSim({ mode: 'manual', now: clock.now, keepTruth: true, venues: [one('binance', 'spot', 'BTC/USDT')] }, async (sim) => {
      sim.advance(500); // 50 trades nobody subscribed to
      const c = await connect(sim.endpoints('binance', 'spot').wsUrl);
      c.send({ method: 'SUBSCRIBE', params: ['btcusdt@ticker'], id: 1 });
      await waitFor(() => c.frames.length >= 1);
      assert.equal(sim.truth()[0]!.subscribedAt, undefined, 'a ticker subscription is not a trade subscription');
      c.send({ method: 'SUBSCRIBE', params: ['btcusdt@trade'], id: 2 });
      await waitFor(() => c.frames.some((f) => f.includes('"id":2')));
      sim.advance(300);
      await waitFor(() => c.frames.filter((f) => f.includes('"e":"trade"')).length === 30);
      const t = sim.truth()[0]!;
      assert.equal(t.subscribedAt?.seq, 50);
      assert.equal(t.generated, 80);
      const firstStreamed = JSON.parse(c.frames.find((f) => f.includes('"e":"trade"'))!) as { t: number };
      assert.equal(String(firstStreamed.t), [...t.ids()][50], 'the first trade streamed is the one at the ack position');
      await c.close();
      sim.advance(200);
      const again = await connect(sim.endpoints('binance', 'spot').wsUrl);
      again.send({ method: 'SUBSCRIBE', params: ['btcusdt@trade'], id: 3 });
      await waitFor(() => again.frames.length >= 1);
      assert.deepEqual(sim.truth()[0]!.resubscribedAt, [100]);
      await again.close();
    });
  });

  test('Upbit (no acks): collection begins when the request starts the trade stream', async () => {
    await withSim({ mode: 'manual', now: fakeClock().now, keepTruth: true, venues: [one('upbit', 'spot', 'BTC/KRW', 40)] }, async (sim) => {
      sim.advance(1000);
      const c = await connect(sim.endpoints('upbit', 'spot').wsUrl);
      c.send([{ ticket: 't' }, { type: 'trade', codes: ['KRW-BTC'] }]);
      await waitFor(() => c.frames.length === 1);
      assert.equal(sim.truth()[0]!.subscribedAt?.seq, 40);
      await c.close();
    });
  });

  test('Bybit and OKX record their subscribe acks; Bybit declares its REST reach', async () => {
    await withSim(
      { mode: 'manual', now: fakeClock().now, keepTruth: true, venues: [one('bybit', 'futures', 'BTC/USDT:USDT'), one('okx', 'spot', 'BTC/USDT')] },
      async (sim) => {
        sim.advance(100);
        const b = await connect(sim.endpoints('bybit', 'futures').wsUrl);
        b.send({ op: 'subscribe', args: ['publicTrade.BTCUSDT'] });
        const o = await connect(sim.endpoints('okx', 'spot').wsUrl);
        o.send({ op: 'subscribe', args: [{ channel: 'trades', instId: 'BTC-USDT' }] });
        await waitFor(() => b.frames.length >= 1 && o.frames.length >= 1);
        const [bybit, okx] = [sim.truth({ exchange: 'bybit' })[0]!, sim.truth({ exchange: 'okx' })[0]!];
        assert.equal(bybit.subscribedAt?.seq, 10);
        assert.equal(bybit.restHistoryReach, 1000);
        assert.equal(okx.subscribedAt?.seq, 10);
        assert.equal(okx.restHistoryReach, undefined);
        await Promise.all([b.close(), o.close()]);
      },
    );
  });
});

describe('simulator ids and memory', () => {
  test('a second run continues the ids of the first instead of reusing them (row 9)', async () => {
    const venues = [one('binance', 'spot', 'BTC/USDT'), one('binance', 'futures', 'BTC/USDT:USDT'), one('okx', 'futures', 'BTC/USDT:USDT'), one('bybit', 'spot', 'BTC/USDT'), one('upbit', 'spot', 'BTC/KRW')];
    const clock = fakeClock(1_796_000_000_000);
    const ids = async () => {
      let out: Record<string, string[]> = {};
      await withSim({ mode: 'manual', seed: 1, now: clock.now, keepTruth: true, venues }, async (sim) => {
        sim.advance(10_000); // 1,000 trades per symbol
        clock.advance(10_000);
        out = Object.fromEntries(sim.truth().map((t) => [`${t.exchange}:${t.market}`, [...t.ids()]]));
      });
      return out;
    };
    const first = await ids();
    clock.advance(60_000); // restarted a minute later, same seed
    const second = await ids();
    for (const venue of Object.keys(first)) {
      const a = first[venue]!;
      const b = second[venue]!;
      const seen = new Set(a);
      assert.equal(b.filter((id) => seen.has(id)).length, 0, `${venue}: no id of the first run comes back`);
      if (/^\d+$/.test(a[0]!)) {
        assert.ok(BigInt(b[0]!) > BigInt(a.at(-1)!), `${venue}: ids keep growing (${a.at(-1)} then ${b[0]})`);
        if (venue === 'upbit:spot') {
          // Upbit's sequential_id is 17 digits since 2024 (ms + a 4-digit counter), above 2^53, as the venue sends it
          assert.ok(b.every((id) => /^[1-9]\d{16}$/.test(id) && !Number.isSafeInteger(Number(id))), `${venue}: 17-digit ids above 2^53`);
        } else if (venue === 'bybit:spot') {
          // Bybit spot's execId is 19 digits, as the venue sends it
          assert.ok(b.every((id) => /^[1-9]\d{18}$/.test(id)), `${venue}: 19-digit ids`);
        } else {
          assert.ok(b.every((id) => Number.isSafeInteger(Number(id))), `${venue}: ids stay below 2^53`);
        }
      }
    }
  });

  test('the REST ledger is bounded by the venue reach and the limit, while the truth keeps every id', async () => {
    await withSim(
      {
        mode: 'manual',
        now: fakeClock().now,
        keepTruth: true,
        ledgerLimitPerSymbol: 5_000,
        venues: [one('bybit', 'futures', 'BTC/USDT:USDT', 2_000), one('okx', 'spot', 'BTC/USDT', 2_000)],
      },
      async (sim) => {
        sim.advance(10_000); // 20,000 trades each
        assert.equal(sim.groundTruth({ exchange: 'bybit' }).length, 1_000, "Bybit's REST reach");
        assert.equal(sim.groundTruth({ exchange: 'okx' }).length, 5_000, 'the ledger limit');
        for (const t of sim.truth()) assert.equal([...t.ids()].length, 20_000);
      },
    );
  });

  test('the default ledger is bounded, and a large one is read without spreading it onto the stack (row 6)', async () => {
    await withSim({ mode: 'manual', now: fakeClock().now, venues: [one('binance', 'spot', 'BTC/USDT', 50_000)] }, async (sim) => {
      sim.advance(1_000);
      assert.equal(sim.groundTruth().length, 10_000);
      assert.equal(sim.truth()[0]!.firstKept, 40_000, 'without keepTruth the truth is what the ledger still holds');
    });
    await withSim({ mode: 'manual', now: fakeClock().now, ledgerLimitPerSymbol: 300_000, venues: [one('binance', 'spot', 'BTC/USDT', 300_000)] }, async (sim) => {
      sim.advance(1_000);
      assert.equal(sim.groundTruth().length, 300_000);
    });
  });

  test('clearFaults({ keepTimed }) ends open-ended faults and keeps the ones with a duration', async () => {
    const clock = fakeClock();
    await withSim({ mode: 'manual', now: clock.now, keepTruth: true, venues: [one('binance', 'spot', 'BTC/USDT', 10)] }, async (sim) => {
      const c = await connect(sim.endpoints('binance', 'spot').wsUrl);
      c.send({ method: 'SUBSCRIBE', params: ['btcusdt@trade'], id: 1 });
      await waitFor(() => c.frames.length === 1);
      sim.inject({ kind: 'drop-messages' }); // open-ended
      sim.clearFaults({ keepTimed: true });
      sim.advance(1_000);
      await waitFor(() => c.frames.length === 11, 2000, 'open-ended fault cleared: 10 trades through');
      sim.inject({ kind: 'drop-messages', durationMs: 5_000 });
      sim.clearFaults({ keepTimed: true });
      sim.advance(1_000);
      assert.equal(sim.stats().venues[0]!.tradesDropped, 10, 'the timed fault outlived clearFaults');
      await c.close();
    });
  });
});
