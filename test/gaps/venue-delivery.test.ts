/**
 * The data path of one venue (VenueRuntime.deliver → pipeline → gap tracker → REST backfill)
 * with a real pipeline on a hand-driven clock, a fake store and a fake exchange whose REST
 * history is the ground truth. Every test ends comparing the store with that truth.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createAdapter } from '../../src/exchanges/index.js';
import type { BackfillRequest, ExchangeAdapter, Instrument } from '../../src/exchanges/types.js';
import { createPipeline } from '../../src/ingest/index.js';
import type { Trade } from '../../src/records.js';
import { VenueRuntime } from '../../src/runtime/venue-io.js';
import { FakeStore, ManualClock } from '../ingest/helpers.js';

const T0 = 1_700_000_000_000;
const silent = { warn: () => undefined, info: () => undefined, error: () => undefined };

function venue(options: { exchange: 'binance' | 'okx'; maxClockSkewMs?: number }) {
  const clock = new ManualClock(T0);
  const store = new FakeStore();
  const pipeline = createPipeline({ store, clock, batchMaxDelayMs: 1, maxClockSkewMs: options.maxClockSkewMs ?? 60_000 });
  const truth: Trade[] = [];
  const requests: BackfillRequest[] = [];
  const base = createAdapter(options.exchange, 'spot');
  const instruments: Instrument[] = ['BTC/USDT', 'QUIET/USDT'].map((symbol) => ({
    symbol, nativeId: symbol.replace('/', options.exchange === 'okx' ? '-' : ''), base: symbol.split('/')[0]!, quote: 'USDT', active: true,
  }));
  const adapter: ExchangeAdapter = {
    ...base,
    listInstruments: async () => instruments,
    // the exchange's history: everything it published in the window, after afterId when given
    backfillTrades: async (_http, request) => {
      requests.push(request);
      const after = request.afterId === undefined ? Number.NEGATIVE_INFINITY : Number(request.afterId);
      const trades = truth
        .filter((t) => t.symbol === request.instrument.symbol && t.timestamp >= request.from && t.timestamp <= request.to && Number(t.id) > after)
        .map((t) => ({ ...t, localTimestamp: clock.now() }));
      return { trades, complete: true };
    },
  };
  const rest = async () => ({ status: 500, headers: {}, body: null });
  const runtime = new VenueRuntime(adapter, 'ws://unused', 'http://unused', pipeline, rest, silent, [], undefined, { clock });
  /** the exchange publishes a trade (ground truth) and returns it */
  let nextId = 1000;
  const publish = (symbol: string, timestamp: number): Trade => {
    const t: Trade = { type: 'trade', exchange: options.exchange, market: 'spot', symbol, id: String(nextId++), price: 10, amount: 1, side: 'buy', timestamp, localTimestamp: 0 };
    truth.push(t);
    return t;
  };
  /** a frame received now (the clock), carrying these trades */
  const receive = (trades: Trade[]) => runtime.deliver(trades.map((t) => ({ ...t, localTimestamp: clock.now() })));
  const settle = async () => {
    await runtime.filler.whenIdle();
    await pipeline.flush();
  };
  const storedIds = (symbol: string) => store.tradeIds().filter((id) => truth.find((t) => t.id === id)?.symbol === symbol).sort();
  const truthIds = (symbol: string) => truth.filter((t) => t.symbol === symbol).map((t) => t.id).sort();
  return { clock, store, pipeline, runtime, truth, requests, publish, receive, settle, storedIds, truthIds };
}

describe('validation before gap accounting', () => {
  test('frames 8 s late under a 5 s skew limit are stored and counted late, not rejected and lost', async () => {
    const v = venue({ exchange: 'okx', maxClockSkewMs: 5_000 });
    await v.runtime.list();
    v.runtime.subscribing(['BTC/USDT']);
    v.clock.advance(8_000);
    for (let i = 0; i < 30; i++) {
      v.clock.advance(100);
      // the slow server: every frame arrives 8 s after its trade was made
      v.receive([v.publish('BTC/USDT', v.clock.now() - 8_000)]);
    }
    await v.settle();
    assert.equal(v.pipeline.rejected.timestamp, 0);
    assert.equal(v.pipeline.stats().late, 30);
    assert.deepEqual(v.storedIds('BTC/USDT'), v.truthIds('BTC/USDT'));
    assert.equal(v.pipeline.stats().clockOffsetMs, 8_000);
  });

  test('65 s late under the default 60 s limit: stored as well', async () => {
    const v = venue({ exchange: 'binance' });
    await v.runtime.list();
    const trades = [v.publish('BTC/USDT', T0), v.publish('BTC/USDT', T0 + 5), v.publish('BTC/USDT', T0 + 10)];
    v.clock.advance(65_000);
    v.receive(trades);
    await v.settle();
    assert.equal(v.pipeline.stats().late, 3);
    assert.deepEqual(v.storedIds('BTC/USDT'), v.truthIds('BTC/USDT'));
  });

  test('a really invalid trade is refused and does not advance the tracker: the hole it leaves is backfilled', async () => {
    // Binance numbers trades densely; a corrupted timestamp (an hour ahead) hides trade 1003
    const v = venue({ exchange: 'binance', maxClockSkewMs: 5_000 });
    await v.runtime.list();
    const ts = [0, 100, 200, 300, 400, 500].map((d) => T0 + d);
    const trades = ts.map((t) => v.publish('BTC/USDT', t));
    v.clock.advance(600);
    v.receive(trades.slice(0, 3));
    v.receive([{ ...trades[3]!, timestamp: T0 + 3_600_000 }]);
    v.receive(trades.slice(4));
    await v.settle();
    assert.equal(v.pipeline.rejected.timestamp, 1);
    assert.equal(v.requests.length, 1);
    assert.deepEqual({ afterId: v.requests[0]!.afterId, untilId: v.requests[0]!.untilId }, { afterId: '1002', untilId: '1004' });
    assert.deepEqual(v.storedIds('BTC/USDT'), v.truthIds('BTC/USDT'));
    assert.equal(v.runtime.gaps.last('BTC/USDT')?.id, '1005');
  });

  test('a frame refused whole reaches neither the store nor the tracker', async () => {
    const v = venue({ exchange: 'okx' });
    await v.runtime.list();
    v.runtime.deliver([{ ...v.publish('BTC/USDT', T0), timestamp: Number.NaN, localTimestamp: T0 }]);
    await v.settle();
    assert.equal(v.runtime.gaps.last('BTC/USDT'), undefined);
    assert.equal(v.store.stored.size, 0);
  });
});

describe('every subscribed symbol is covered from its subscription on', () => {
  for (const exchange of ['binance', 'okx'] as const) {
    test(`${exchange}: the first five trades of a quiet symbol are dropped right after subscribing; REST brings them back`, async () => {
      const v = venue({ exchange });
      await v.runtime.list();
      v.runtime.subscribing(['BTC/USDT', 'QUIET/USDT']);
      const dropped: Trade[] = [];
      for (let i = 0; i < 60; i++) {
        v.clock.advance(100);
        const btc = v.publish('BTC/USDT', v.clock.now() - 20);
        const frame = [btc];
        if (i % 10 === 5) {
          const q = v.publish('QUIET/USDT', v.clock.now() - 20);
          if (dropped.length < 5) dropped.push(q);
          else frame.push(q);
        }
        v.clock.advance(20);
        v.receive(frame);
      }
      await v.settle();
      assert.equal(v.runtime.gaps.pendingBreaks(), 0);
      const quiet = v.requests.filter((r) => r.instrument.symbol === 'QUIET/USDT');
      assert.equal(quiet.length, 1);
      assert.equal(quiet[0]!.afterId, undefined, 'a window by time: nothing was held before it');
      assert.ok(quiet[0]!.from <= T0, 'from the subscription on');
      assert.deepEqual(v.storedIds('QUIET/USDT'), v.truthIds('QUIET/USDT'));
      assert.deepEqual(v.storedIds('BTC/USDT'), v.truthIds('BTC/USDT'));
      for (const t of dropped) assert.ok(v.store.tradeIds().includes(t.id));
    });
  }

  test('a ticker-only venue opens no window it could never close', async () => {
    const v = venue({ exchange: 'okx' });
    const runtime = new VenueRuntime(v.runtime.adapter, 'ws://x', 'http://x', v.pipeline, async () => ({ status: 500, headers: {}, body: null }), silent, [], undefined, {
      trades: false, clock: v.clock,
    });
    runtime.subscribing(['BTC/USDT']);
    assert.equal(runtime.gaps.pendingBreaks(), 0);
  });

  test('a delisted symbol does not keep a window open forever', async () => {
    const v = venue({ exchange: 'okx' });
    await v.runtime.list();
    v.runtime.subscribing(['BTC/USDT', 'QUIET/USDT']);
    assert.equal(v.runtime.gaps.pendingBreaks(), 2);
    const listing = v.runtime.adapter.listInstruments;
    (v.runtime.adapter as { listInstruments: typeof listing }).listInstruments = async (http, url) =>
      (await listing(http, url)).filter((i) => i.symbol !== 'QUIET/USDT');
    await v.runtime.list();
    assert.equal(v.runtime.gaps.pendingBreaks(), 1);
  });
});
