/**
 * The gap tracker alone, with hand-made trades: exchange time in `timestamp`, receive time in
 * `localTimestamp`, subscription times passed in. No clock anywhere.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GapTracker, type GapTrackerOptions, type GapWindow } from '../../src/ingest/gap-tracker.js';
import type { Trade } from '../../src/records.js';

const T0 = 1_700_000_000_000;
/** receive delay of every trade unless said otherwise */
const DELAY = 30;

function trade(symbol: string, id: string | number, timestamp: number, localTimestamp = timestamp + DELAY): Trade {
  return { type: 'trade', exchange: 'okx', market: 'spot', symbol, id: String(id), price: 1, amount: 1, side: 'buy', timestamp, localTimestamp };
}

/** a steady stream: `count` trades of `symbol` every `everyMs` from `start`, ids from `firstId` */
function stream(symbol: string, firstId: number, start: number, count: number, everyMs: number): Trade[] {
  return Array.from({ length: count }, (_, i) => trade(symbol, firstId + i, start + i * everyMs));
}

/** feeds trades one frame each, collecting every window */
function feed(tracker: GapTracker, trades: readonly Trade[]): GapWindow[] {
  const out: GapWindow[] = [];
  for (const t of trades) out.push(...tracker.observe([t]));
  return out;
}

describe('gap tracker: dense ids (Binance)', () => {
  test('a hole in the ids opens a sequence window from the last id held to the next one seen', () => {
    const g = new GapTracker(true);
    const w = feed(g, [trade('BTC', 100, T0), trade('BTC', 101, T0 + 10), trade('BTC', 105, T0 + 50)]);
    assert.deepEqual(w, [{ symbol: 'BTC', afterId: '101', from: T0 + 10, to: T0 + 50, untilId: '105', missing: 3, reason: 'sequence' }]);
    assert.deepEqual(g.last('BTC'), { id: '105', timestamp: T0 + 50 });
  });

  test('ids beyond 2^53 are counted exactly: neighbours are not a gap, a hole of one id is one missing', () => {
    // as numbers, 9007199254740993 rounds to …992: …992 → …993 would look like a duplicate, …993 → …995 like one missing of 2
    const g = new GapTracker(true);
    const ids = ['9007199254740991', '9007199254740992', '9007199254740993', '9007199254740995', '17883351803770004', '17883351803770005'];
    const w = feed(g, ids.map((id, i) => trade('BTC', id, T0 + i)));
    assert.deepEqual(w, [
      { symbol: 'BTC', afterId: '9007199254740993', from: T0 + 2, to: T0 + 3, untilId: '9007199254740995', missing: 1, reason: 'sequence' },
      { symbol: 'BTC', afterId: '9007199254740995', from: T0 + 3, to: T0 + 4, untilId: '17883351803770004', missing: Number(17883351803770004n - 9007199254740995n - 1n), reason: 'sequence' },
    ]);
    assert.deepEqual(g.last('BTC'), { id: '17883351803770005', timestamp: T0 + 5 });
    // a straggler just below the newest is not newer, however close
    assert.deepEqual(g.observe([trade('BTC', '17883351803770004', T0 + 6)]), []);
    assert.deepEqual(g.last('BTC'), { id: '17883351803770005', timestamp: T0 + 5 });
  });

  test('duplicates and stragglers never move the last id back nor open windows', () => {
    const g = new GapTracker(true);
    const w = feed(g, [trade('BTC', 100, T0), trade('BTC', 101, T0 + 1), trade('BTC', 99, T0 - 5), trade('BTC', 101, T0 + 1), trade('BTC', 102, T0 + 2)]);
    assert.deepEqual(w, []);
    assert.equal(g.last('BTC')?.id, '102');
  });

  test('no silence windows on dense ids: a pause with consecutive ids lost nothing', () => {
    const g = new GapTracker(true, { silenceFloorMs: 100, warmupIntervals: 2 });
    const w = feed(g, [...stream('BTC', 1, T0, 30, 10), trade('BTC', 31, T0 + 60_000)]);
    assert.deepEqual(w, []);
  });
});

describe('gap tracker: breaks (reconnect, restart, rotation)', () => {
  test('a reconnect opens a window from the last trade held to the first trade of the new stream', () => {
    const g = new GapTracker(true);
    feed(g, [trade('BTC', 100, T0), trade('BTC', 101, T0 + 10)]);
    g.markBroken(['BTC'], T0 + 20);
    assert.equal(g.pendingBreaks(), 1);
    const w = feed(g, [trade('BTC', 150, T0 + 900)]);
    assert.deepEqual(w, [{ symbol: 'BTC', afterId: '101', from: T0 + 10, to: T0 + 900, untilId: '150', reason: 'reconnect' }]);
    assert.equal(g.pendingBreaks(), 0);
  });

  test('a straggler from the old stream does not close the window; the first newer trade does', () => {
    const g = new GapTracker(false);
    feed(g, [trade('ETH', 'a', T0), trade('ETH', 'b', T0 + 10)]);
    g.markBroken(['ETH'], T0 + 20);
    assert.deepEqual(feed(g, [trade('ETH', 'x', T0 + 5)]), []);
    assert.equal(g.pendingBreaks(), 1);
    const w = feed(g, [trade('ETH', 'c', T0 + 500)]);
    assert.deepEqual(w.map((x) => [x.afterId, x.from, x.to, x.reason]), [['b', T0 + 10, T0 + 500, 'reconnect']]);
  });

  test('an exchange clock that went back: the first trade after a restart closes the window although stamped earlier', () => {
    // the store ends at T0 + 30 s; the exchange's clock then went back 20 s: every new trade is
    // stamped before the last one held, and taken for a straggler the window would never close
    const g = new GapTracker(false);
    g.seed('ETH', 'h500', T0 + 30_000);
    g.markBroken(['ETH'], T0 + 31_000);
    const w = feed(g, [trade('ETH', 'h520', T0 + 12_000)]);
    assert.deepEqual(w.map((x) => [x.afterId, x.untilId, x.from, x.to, x.reason]), [['h500', 'h520', T0 + 12_000, T0 + 12_000, 'resume']]);
    assert.equal(g.pendingBreaks(), 0);
    // and the stream goes on from the new clock: a later silence is judged against it
    assert.deepEqual(g.last('ETH'), { id: 'h520', timestamp: T0 + 12_000 });
  });

  test('a second break before the stream rejoins keeps the first start', () => {
    const g = new GapTracker(true);
    feed(g, [trade('BTC', 7, T0)]);
    g.markBroken(['BTC'], T0 + 100);
    g.markBroken(['BTC'], T0 + 5_000);
    const w = feed(g, [trade('BTC', 9, T0 + 6_000)]);
    assert.deepEqual(w.map((x) => [x.afterId, x.from, x.reason]), [['7', T0, 'reconnect']]);
  });

  test('seeded from the store after a crash: the first live trade opens a resume window', () => {
    const g = new GapTracker(true);
    g.seed('BTC', '500', T0);
    g.markBroken(['BTC'], T0 + 60_000); // the subscription after the restart keeps the resume start
    const w = feed(g, [trade('BTC', 640, T0 + 61_000)]);
    assert.deepEqual(w, [{ symbol: 'BTC', afterId: '500', from: T0, to: T0 + 61_000, untilId: '640', reason: 'resume' }]);
  });

  test('seeded with the history known whole only up to an earlier time: the resume window starts there, by time', () => {
    // ids without density (OKX): frames dropped before the crash moved the resume point on, and
    // the audit had judged the history only up to T0 + 2 s
    const g = new GapTracker(false);
    g.seed('ETH', '500', T0 + 5_000, T0 + 2_000);
    g.markBroken(['ETH'], T0 + 60_000);
    const w = feed(g, [trade('ETH', 640, T0 + 61_000)]);
    assert.deepEqual(w, [{ symbol: 'ETH', from: T0 + 2_000, to: T0 + 61_000, untilId: '640', reason: 'resume' }]);
    // known whole past the resume point: the window starts after the resume trade, as without it
    g.seed('BTC', '700', T0 + 5_000, T0 + 9_000);
    assert.deepEqual(feed(g, [trade('BTC', 800, T0 + 61_000)]).map((x) => [x.afterId, x.from]), [['700', T0 + 5_000]]);
  });

  test('a refused first subscription holds no window; a symbol that traded keeps its own', () => {
    const g = new GapTracker(false);
    feed(g, [trade('ETH', 'a', T0)]);
    g.markBroken(['ETH', 'NEW'], T0 + 10);
    g.refused(['ETH', 'NEW']);
    assert.equal(g.pendingBreaks(), 1);
    g.markBroken(['NEW'], T0 + 5_000); // the retry, acknowledged this time
    const w = feed(g, [trade('NEW', 'n1', T0 + 6_000, T0 + 6_000)]);
    assert.deepEqual(w.map((x) => [x.symbol, x.reason, x.from]), [['NEW', 'subscribe', T0 + 5_000 - 1_000]]);
  });

  test('release drops open windows of delisted symbols; a symbol that traded keeps its last trade', () => {
    const g = new GapTracker(false);
    feed(g, [trade('ETH', 'a', T0)]);
    g.markBroken(['ETH', 'NEW'], T0 + 10);
    assert.equal(g.pendingBreaks(), 2);
    g.release(['ETH', 'NEW', 'UNKNOWN']);
    assert.equal(g.pendingBreaks(), 0);
    assert.deepEqual(g.last('ETH'), { id: 'a', timestamp: T0 });
    assert.equal(g.last('NEW'), undefined);
  });
});

describe('gap tracker: every subscribed symbol is covered from its subscription on', () => {
  test('a symbol that never traded gets a window from its subscription, closed by its first trade', () => {
    // the issue: dropped first frames on a quiet symbol opened no window and were lost
    const g = new GapTracker(true);
    g.markBroken(['QUIET'], T0);
    assert.equal(g.pendingBreaks(), 1);
    assert.equal(g.last('QUIET'), undefined);
    // its first five trades were dropped; the sixth arrives 30 ms after its exchange time
    const w = feed(g, [trade('QUIET', 1006, T0 + 4_000)]);
    assert.equal(w.length, 1);
    const win = w[0]!;
    assert.equal(win.reason, 'subscribe');
    assert.equal(win.afterId, undefined, 'nothing held before it: backfill by time');
    assert.equal(win.untilId, '1006');
    assert.equal(win.to, T0 + 4_000);
    // subscription time in exchange time, minus the receive delay and the 1 s slack: earlier is safe
    assert.equal(win.from, T0 - DELAY - 1_000);
    assert.equal(g.pendingBreaks(), 0);
  });

  test('an exchange clock ahead of ours moves the start later by that lead, never past the first trade', () => {
    const g = new GapTracker(false, { subscribeSlackMs: 0 });
    g.markBroken(['A', 'B'], T0);
    // exchange clock 5 s ahead, 20 ms delay: stamped T0+5000+x, received T0+20+x
    const [wa] = feed(g, [trade('A', 'a1', T0 + 5_000 + 400, T0 + 20 + 400)]);
    assert.equal(wa!.from, T0 + 5_000 - 20, 'the exchange time at subscription, minus the delay');
    // a trade stamped before the computed start still bounds it
    const [wb] = feed(g, [trade('B', 'b1', T0 - 50, T0 + 10_000)]);
    assert.equal(wb!.from, T0 - 50 - 10_000);
    assert.ok(wb!.from <= wb!.to);
  });

  test('a reconnect before the first trade keeps the window from the first subscription', () => {
    const g = new GapTracker(true, { subscribeSlackMs: 0 });
    g.markBroken(['QUIET'], T0);
    g.markBroken(['QUIET'], T0 + 30_000);
    const [w] = feed(g, [trade('QUIET', 3, T0 + 40_000, T0 + 40_000)]);
    assert.equal(w!.reason, 'subscribe');
    assert.equal(w!.from, T0);
  });

  test('symbols subscribed together each get their own window, busy and quiet alike', () => {
    const g = new GapTracker(false);
    g.markBroken(['BUSY', 'QUIET'], T0);
    const w = feed(g, [...stream('BUSY', 1, T0 + 5, 50, 10), trade('QUIET', 'q1', T0 + 9_000)]);
    assert.deepEqual(w.map((x) => [x.symbol, x.reason, x.untilId]), [['BUSY', 'subscribe', '1'], ['QUIET', 'subscribe', 'q1']]);
  });
});

describe('gap tracker: silences on venues without dense ids', () => {
  const opts: GapTrackerOptions = { silenceFactor: 20, silenceFloorMs: 5_000, warmupIntervals: 20 };

  test('a busy symbol silent for 40 s gets a window from its last trade before the silence to the first after it', () => {
    const g = new GapTracker(false, opts);
    const before = stream('BTC', 1, T0, 100, 200); // 5 trades/s
    assert.deepEqual(feed(g, before), []);
    assert.equal(g.meanInterval('BTC'), 200);
    const last = before[before.length - 1]!;
    const resumed = trade('BTC', 500, last.timestamp + 40_000);
    const w = feed(g, [resumed, ...stream('BTC', 501, resumed.timestamp + 200, 5, 200)]);
    assert.deepEqual(w, [{ symbol: 'BTC', afterId: '100', from: last.timestamp, to: resumed.timestamp, untilId: '500', reason: 'silence' }]);
  });

  test('ordinary pauses of a quiet symbol open nothing: the threshold follows its own rate', () => {
    const g = new GapTracker(false, opts);
    // one trade every 30 s, with pauses up to three times that
    const times: number[] = [];
    let t = T0;
    for (let i = 0; i < 60; i++) times.push((t += i % 7 === 0 ? 90_000 : 30_000));
    assert.deepEqual(feed(g, times.map((ts, i) => trade('QUIET', i + 1, ts))), []);
    const mean = g.meanInterval('QUIET')!;
    assert.ok(mean > 25_000 && mean < 60_000, `learned ~30-40 s: ${mean}`);
  });

  test('the floor: a busy symbol pausing below it opens nothing', () => {
    const g = new GapTracker(false, opts);
    const before = stream('BTC', 1, T0, 50, 10); // 100 trades/s: 20 × mean is only 200 ms
    const w = feed(g, [...before, trade('BTC', 51, T0 + 49 * 10 + 4_000)]);
    assert.deepEqual(w, []);
  });

  test('nothing is judged before the rate is learned', () => {
    const g = new GapTracker(false, opts);
    const w = feed(g, [...stream('BTC', 1, T0, 10, 100), trade('BTC', 11, T0 + 60_000)]);
    assert.deepEqual(w, []);
  });

  test('a symbol whose rate really drops stops opening windows after a few', () => {
    const g = new GapTracker(false, { ...opts, silenceFloorMs: 1_000 });
    const fast = stream('ALT', 1, T0, 40, 100);
    let t = fast[fast.length - 1]!.timestamp;
    const slow = Array.from({ length: 30 }, (_, i) => trade('ALT', 100 + i, (t += 60_000)));
    const w = feed(g, [...fast, ...slow]);
    assert.ok(w.length >= 1 && w.length <= 8, `windows while it adapts: ${w.length}`);
    assert.ok(w.every((x) => x.reason === 'silence'));
    const late = w.filter((x) => Number(x.untilId) >= 110);
    assert.deepEqual(late, [], 'once adapted, its minute-long intervals open nothing');
  });
});

describe('gap tracker: a reconnect after a silence never starts after the silence', () => {
  const opts: GapTrackerOptions = { silenceFactor: 20, silenceFloorMs: 60_000, warmupIntervals: 20, suspectFactor: 4, suspectFloorMs: 1_000, reachBackMs: 120_000 };

  test('the issue: data resumed after a 40 s stall, "feed silent" fired 1 s later: the window starts before the stall', () => {
    // a floor of 60 s makes the tracker itself miss the 40 s stall (a quiet-ish threshold)
    const g = new GapTracker(false, opts);
    const before = stream('BTC', 1, T0, 100, 200);
    const lastBefore = before[before.length - 1]!;
    const after = stream('BTC', 500, lastBefore.timestamp + 40_000, 6, 200); // ~1 s of data after the stall
    assert.deepEqual(feed(g, [...before, ...after]), []);
    const lastAfter = after[after.length - 1]!;
    g.markBroken(['BTC'], lastAfter.localTimestamp + 50); // the reconnect
    const [w] = feed(g, [trade('BTC', 900, lastAfter.timestamp + 3_000)]);
    assert.equal(w!.reason, 'reconnect');
    assert.equal(w!.from, lastBefore.timestamp, 'from the last trade stored before the silence');
    assert.equal(w!.afterId, lastBefore.id);
  });

  test('a pause long past (beyond reachBackMs) is not reached back to', () => {
    const g = new GapTracker(false, opts);
    const before = stream('BTC', 1, T0, 100, 200);
    const lastBefore = before[before.length - 1]!;
    const after = stream('BTC', 500, lastBefore.timestamp + 40_000, 800, 200); // 160 s of data since
    feed(g, [...before, ...after]);
    const lastAfter = after[after.length - 1]!;
    g.markBroken(['BTC'], lastAfter.localTimestamp + 50);
    const [w] = feed(g, [trade('BTC', 2000, lastAfter.timestamp + 3_000)]);
    assert.equal(w!.from, lastAfter.timestamp);
    assert.equal(w!.afterId, lastAfter.id);
  });

  test('a silence the tracker already opened a window for is not fetched again by the reconnect', () => {
    const g = new GapTracker(false, { ...opts, silenceFloorMs: 5_000 });
    const before = stream('BTC', 1, T0, 100, 200);
    const after = stream('BTC', 500, before[99]!.timestamp + 40_000, 6, 200);
    const silences = feed(g, [...before, ...after]);
    assert.equal(silences.length, 1);
    g.markBroken(['BTC'], after[5]!.localTimestamp + 50);
    const [w] = feed(g, [trade('BTC', 900, after[5]!.timestamp + 3_000)]);
    assert.equal(w!.from, after[5]!.timestamp);
  });

  test('of two recent pauses the longer one is reached back to', () => {
    const g = new GapTracker(false, opts);
    const a = stream('BTC', 1, T0, 100, 200);
    const b = stream('BTC', 200, a[99]!.timestamp + 30_000, 10, 200);
    const c = stream('BTC', 300, b[9]!.timestamp + 3_000, 10, 200);
    feed(g, [...a, ...b, ...c]);
    g.markBroken(['BTC'], c[9]!.localTimestamp + 10);
    const [w] = feed(g, [trade('BTC', 900, c[9]!.timestamp + 500)]);
    assert.equal(w!.from, a[99]!.timestamp);
  });

  test('broken floors: where each restarted stream\'s window will start, until its first new trade comes', () => {
    const tracker = new GapTracker(true);
    feed(tracker, stream('A', 1, T0, 5, 100)); // last trade at T0 + 400
    tracker.seed('C', '77', T0 - 2_000, T0 - 3_000);
    tracker.markBroken(['A', 'B'], T0 + 1_000);
    const floors = new Map<string, number>();
    tracker.brokenFloors(floors);
    assert.deepEqual(Object.fromEntries(floors), { A: T0 + 400, B: T0 + 1_000, C: T0 - 3_000 });
    feed(tracker, stream('A', 6, T0 + 1_500, 1, 100)); // A's stream is back (its window goes to the filler)
    const after = new Map<string, number>();
    tracker.brokenFloors(after);
    assert.deepEqual(Object.fromEntries(after), { B: T0 + 1_000, C: T0 - 3_000 });
  });
});
