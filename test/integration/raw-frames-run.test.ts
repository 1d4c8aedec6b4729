/**
 * `store.raw: true` in a whole run against the embedded simulator: every frame is kept with its
 * connection, garbage frames land in the quarantine (counted by reason on the instance), and a
 * reparse of the kept frames with the same parsers finds every trade already stored — the live
 * records and the reparsed ones are the same records.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openHistoryStore } from '../../src/store/index.js';
import { openRawDbs, readRawFrames } from '../../src/store/raw-frames.js';
import { openQuarantineDb, readQuarantine } from '../../src/store/quarantine.js';
import { reparseRawFrames } from '../../src/runtime/reparse.js';
import { allCoinsSubscribed, drive, driveUntil, quiesce, startSystem, storedTrades, type TestSystem } from '../support/system.js';

describe('store.raw in a run', () => {
  let sys: TestSystem;
  let live = 0;
  let quarantined = 0;
  before(async () => {
    sys = await startSystem({
      exchanges: [{ exchange: 'okx', market: 'spot', simulated: true, channels: ['trade'], sim: { symbols: ['BTC/USDT', 'ETH/USDT'] } }],
      simulator: { mode: 'manual', tradesPerSecond: 50, tickersPerSecond: 0 },
      store: { raw: true },
    });
    await driveUntil(sys.tv, 'subscribed', () => allCoinsSubscribed(sys.tv));
    sys.tv.sim!.inject({ kind: 'malformed', exchange: 'okx', market: 'spot', count: 3 });
    await drive(sys.tv, 600);
    await quiesce(sys.tv);
    await sys.tv.drain();
    live = (await storedTrades(sys.tv, 'okx', 'spot', ['BTC/USDT', 'ETH/USDT'])).length;
    quarantined = sys.tv.quarantineStats().reduce((n, r) => n + r.count, 0);
    await sys.tv.stop();
  });
  after(async () => sys?.close());

  test('the frames were kept, with connection ids; the garbage is in the quarantine', async () => {
    assert.ok(live > 10, `stored ${live}`);
    assert.ok(quarantined >= 1, 'the garbage frames were counted');
    const store = openHistoryStore({ path: sys.dir, noSync: true });
    try {
      const frames = [...readRawFrames(openRawDbs(store.env).frames)];
      assert.ok(frames.length > 0);
      assert.ok(frames.every((f) => f.exchange === 'okx' && f.market === 'spot' && /^[0-9a-f]{8}-\d+\/g\d+$/.test(f.connection)));
      assert.ok(frames.some((f) => f.frame.includes('"channel":"trades"')));
      const { counts } = readQuarantine(openQuarantineDb(store.env));
      assert.equal(counts.reduce((n, c) => n + c.count, 0), quarantined);

      const counts2 = await reparseRawFrames(store);
      assert.equal(counts2.written, 0, 'nothing new: every reparsed trade is the live one');
      // live also holds trades REST backfill brought (before the first live trade): no raw frame has those
      assert.ok(counts2.records > 10 && counts2.records <= live, `${counts2.records} records reparsed for ${live} stored`);
      assert.equal(counts2.duplicates, counts2.records);
    } finally {
      await store.close();
    }
  });
});
