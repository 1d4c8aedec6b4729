/**
 * One venue's data path alone (VenueDataPath), on a ManualClock with a real pipeline and a fake
 * store: only admitted records reach the gap tracker, malformed and quarantined frames are counted
 * and bounded in the log, subscriptions open windows at the clock's time, refusals and delistings
 * release them, raw frames are kept only when asked.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createAdapter } from '../../src/exchanges/index.js';
import { RESUME_SKEW_MS } from '../../src/ingest/gap-filler.js';
import { createPipeline } from '../../src/ingest/pipeline.js';
import { RESUME_REACH_BACK_MS, VenueDataPath, type VenueDataPathOptions } from '../../src/ingest/venue-data-path.js';
import type { MarketRecord } from '../../src/records.js';
import { FakeStore, ManualClock, NOW, trade } from './helpers.js';

function setup(over: Partial<VenueDataPathOptions> = {}) {
  const clock = new ManualClock(NOW);
  const store = new FakeStore();
  const pipeline = createPipeline({ store, clock, batchMaxDelayMs: 1 });
  const warnings: Array<{ obj: object; msg: string }> = [];
  const activity: Array<{ records: number; receivedAt: number }> = [];
  const path = new VenueDataPath({
    adapter: createAdapter('binance', 'spot'),
    pipeline,
    rest: async () => ({ status: 500, headers: {}, body: null }),
    restUrl: 'http://unused',
    instrument: () => undefined,
    log: { warn: (obj, msg) => warnings.push({ obj, msg }), info: () => undefined },
    activity: { record: (_e, _m, records, receivedAt) => activity.push({ records: records.length, receivedAt }) },
    clock,
    ...over,
  });
  return { clock, store, pipeline, path, warnings, activity };
}

describe('venue data path', () => {
  test('a refused trade never reaches the gap tracker: the next good id still opens the window from the last stored one', () => {
    const { path, pipeline } = setup();
    path.deliver([trade(1)]);
    // id 2 is refused (bad price): had it counted as received, 1, 2, 3 would look whole and 2 would never be refilled
    path.deliver([trade(2, { price: -5 }), trade(3)]);
    assert.equal(pipeline.stats().rejectedTotal, 1);
    assert.equal(path.filler.counters.detected, 1, 'the hole before 3 is a window');
  });

  test('activity is told once per frame with the frame receive time, before admission', () => {
    const { path, activity } = setup();
    path.deliver([trade(1, { localTimestamp: NOW + 7 }), trade(2, { price: -1, localTimestamp: NOW + 7 })]);
    assert.deepEqual(activity, [{ records: 2, receivedAt: NOW + 7 }]);
  });

  test('a subscription opens a window at the clock time; a refusal or a delisting releases it', () => {
    const { clock, path } = setup();
    clock.advance(1234);
    path.subscribing(['BTC/USDT', 'ETH/USDT', 'SOL/USDT']);
    assert.deepEqual([...path.openGapSymbols()].sort(), ['BTC/USDT', 'ETH/USDT', 'SOL/USDT']);
    path.refused(['ETH/USDT']);
    path.delisted(['SOL/USDT']);
    assert.deepEqual([...path.openGapSymbols()], ['BTC/USDT']);
  });

  test("a write's open gaps are those of its own symbols, asked at the time of the write", () => {
    const { path } = setup();
    path.subscribing(['BTC/USDT', 'ETH/USDT', 'SOL/USDT']);
    path.refused(['SOL/USDT']);
    const batch = [trade(1, { symbol: 'ETH/USDT' }), trade(2, { symbol: 'ETH/USDT' }), trade(3, { symbol: 'SOL/USDT' }), trade(4, { symbol: 'XRP/USDT' }), trade(5, { symbol: 'ETH/USDT' })].map((t) => t.symbol);
    // ETH is open; SOL was released; XRP never opened; BTC is open but not in this write
    assert.deepEqual([...path.openGapsAmong(batch)], ['ETH/USDT']);
    assert.deepEqual([...path.openGapsAmong(batch)].every((s) => path.openGapSymbols().has(s)), true);
    path.refused(['ETH/USDT']);
    assert.equal(path.openGapsAmong(batch).size, 0);
    assert.equal(path.openGapsAmong([]).size, 0);
  });

  test('ticker-only subscriptions open nothing: no trade would close the window', () => {
    const { path } = setup({ trades: false });
    path.subscribing(['BTC/USDT']);
    assert.equal(path.openGapSymbols().size, 0);
  });

  test('malformed frames: every one counted, the log told only every 100th', () => {
    const { path, warnings } = setup();
    for (let i = 0; i < 250; i++) path.malformed(`bad ${i}`, 'x'.repeat(500), 0);
    assert.equal(path.counters.malformed, 250);
    assert.equal(path.counters.lastMalformed, 'bad 249');
    assert.equal(warnings.length, 3);
    assert.ok(warnings.every((w) => String((w.obj as { frame: string }).frame).length <= 120), 'the frame is cut in the log');
  });

  test('quarantined frames: tallied per reason with the last words, rows for the metric', () => {
    const { path } = setup();
    path.quarantine({ reason: 'unknown-kind', message: 'kline', frame: 'a', receivedAt: NOW, connection: 'c' });
    path.quarantine({ reason: 'unknown-kind', message: 'depth', frame: 'b', receivedAt: NOW, connection: 'c' });
    assert.deepEqual(path.quarantined.get('unknown-kind'), { count: 2, lastMessage: 'depth', lastFrame: 'b' });
    assert.deepEqual(path.quarantineRows(), [{ exchange: 'binance', market: 'spot', reason: 'unknown-kind', count: 2 }]);
  });

  test('raw frames: absent unless a writer is given (the connection skips them at no cost)', () => {
    assert.equal(setup().path.raw, undefined);
    const kept: Array<[string, number]> = [];
    const raw = { add: (_e: string, _m: string, frame: string | Buffer, at: number) => void kept.push([String(frame), at]), listing: () => undefined };
    const { path } = setup({ raw: raw as unknown as VenueDataPathOptions['raw'] });
    path.raw?.('{"x":1}', NOW, 'c');
    assert.deepEqual(kept, [['{"x":1}', NOW]]);
  });

  test('delivered records reach the store through the pipeline', async () => {
    const { path, pipeline, store } = setup();
    const frame: MarketRecord[] = [trade(1), trade(2)];
    path.deliver(frame);
    await pipeline.flush();
    assert.deepEqual(store.tradeIds(), ['1', '2']);
  });
});

/**
 * A restart on a venue whose trade ids show no hole (OKX): frames dropped silently just before the
 * crash moved the store's resume point on all the same, and the dead process's audit had not judged
 * them yet. The restart's backfill must reach back to where the audit stood, or the hole is left to
 * a resumed audit that pages every newer trade before it gets there.
 */
describe('venue data path: resuming on a venue without dense ids', () => {
  const ETH = { symbol: 'ETH/USDT', nativeId: 'ETH-USDT', base: 'ETH', quote: 'USDT', active: true };
  /** the exchange's ETH trades: ids 1000..1299, one every 500 ms from NOW − 200 s */
  const START = NOW - 200_000;
  const ts = (id: number) => START + (id - 1000) * 500;
  const rows = Array.from({ length: 300 }, (_, k) => ({ instId: 'ETH-USDT', tradeId: String(1000 + k), px: '2000', sz: '1', side: 'buy', ts: String(ts(1000 + k)) }));
  /** history-trades, type=1: newest first, `after` → strictly older ids, 100 a page */
  const rest = async (url: string) => {
    const after = new URL(url).searchParams.get('after');
    const older = after === null ? rows : rows.filter((r) => Number(r.tradeId) < Number(after));
    return { status: 200, headers: {}, body: { code: '0', msg: '', data: older.slice(-100).reverse() } };
  };
  // the store ends at 1200, and 1100..1149 were dropped silently before it: no gap was ever open
  const cursor = { exchange: 'okx', market: 'spot', symbol: ETH.symbol, lastTradeId: '1200', lastTimestamp: ts(1200), count: 150, resumeTradeId: '1200', resumeTimestamp: ts(1200) } as const;

  async function restart(auditFrom?: ReadonlyMap<string, number>) {
    const { path, pipeline, store } = setup({
      adapter: createAdapter('okx', 'spot'),
      rest,
      instrument: (s) => (s === ETH.symbol ? ETH : undefined),
      cursors: [cursor],
      ...(auditFrom ? { auditFrom } : {}),
    });
    path.subscribing([ETH.symbol]);
    path.deliver([trade(1250, { exchange: 'okx', symbol: ETH.symbol, timestamp: ts(1250), localTimestamp: ts(1250) + 30 })]);
    await path.filler.whenIdle();
    await pipeline.flush();
    return new Set(store.tradeIds());
  }
  const hole = Array.from({ length: 50 }, (_, k) => String(1100 + k));

  test('the resume window reaches back to the audit position: the silent hole before it is backfilled', async () => {
    const ids = await restart(new Map([[ETH.symbol, ts(1090)]]));
    assert.deepEqual(hole.filter((id) => !ids.has(id)), []);
    // (a time-bound restart window is asked RESUME_SKEW_MS earlier: REST may stamp trades apart from the socket)
    const first = 1090 - RESUME_SKEW_MS / 500;
    assert.ok(ids.has(String(first)) && !ids.has(String(first - 1)) && ids.has('1249'), 'from the audit position (less the REST skew reach) to the first live trade');
  });

  test('an audit position ahead of the resume point changes nothing: the window starts after the resume trade', async () => {
    const ids = await restart(new Map([[ETH.symbol, ts(1230)]]));
    assert.ok(ids.has('1201') && !ids.has('1200') && !ids.has('1149'));
  });

  test('a lagging audit is reached back to by RESUME_REACH_BACK_MS at most', async () => {
    const ids = await restart(new Map([[ETH.symbol, ts(1200) - RESUME_REACH_BACK_MS - 1_000]]));
    assert.equal(ts(1080), ts(1200) - RESUME_REACH_BACK_MS);
    const first = 1080 - RESUME_SKEW_MS / 500;
    assert.ok(ids.has(String(first)) && !ids.has(String(first - 1)), 'from 60 s before the resume point (less the REST skew reach), not from the audit position');
  });

  test('control: without audit positions the window starts after the resume trade, and the hole stays', async () => {
    const ids = await restart();
    assert.ok(hole.every((id) => !ids.has(id)) && ids.has('1201') && !ids.has('1200'));
  });
});
