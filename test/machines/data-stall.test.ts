import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  advanceRate,
  DEFAULT_STALL_POLICY,
  EMPTY_FEED_RATE,
  noteStall,
  recordData,
  stallVerdict,
  usualPerSecond,
  type FeedRate,
} from '../../machines/data-stall.js';

const policy = DEFAULT_STALL_POLICY;
const CHECK = policy.checkEveryMs;

/** `seconds` of checks, `perCheck(i)` data frames arriving before check i */
function run(rate: FeedRate, seconds: number, perCheck: (i: number) => number): FeedRate {
  let r = rate;
  for (let i = 0; i < seconds; i++) {
    r = recordData(r, perCheck(i));
    r = advanceRate(r, CHECK, policy);
  }
  return r;
}

describe('data-stall detector', () => {
  test('learns the usual rate, and only after its warm-up', () => {
    const early = run(EMPTY_FEED_RATE, 5, () => 5);
    assert.equal(usualPerSecond(early, policy), undefined);
    assert.deepEqual(stallVerdict(early, policy, 40_000), { stalled: false, why: 'warming-up' });
    const warm = run(EMPTY_FEED_RATE, 60, () => 5);
    assert.ok(Math.abs(usualPerSecond(warm, policy)! - 5) < 0.01);
  });

  test('a busy feed is trusted after 3 s: a stall 2 s after connecting is found within seconds, not after the 15 s warm-up', () => {
    // 100 frames/s for 2 s, then nothing: at 2 s the rate is not known yet (too short)
    let r = run(EMPTY_FEED_RATE, 2, () => 100);
    assert.equal(usualPerSecond(r, policy), undefined, 'too short to trust');
    let detectedAfter: number | undefined;
    for (let s = 1; s <= 40 && detectedAfter === undefined; s++) {
      r = advanceRate(r, CHECK, policy);
      if (stallVerdict(r, policy, 40_000).stalled) detectedAfter = s;
    }
    // trusted from 3 s observed; the floor is 4 s of silence
    assert.ok(detectedAfter !== undefined && detectedAfter >= 4 && detectedAfter <= 5, `detected after ${detectedAfter} s`);
    // a slow feed (5 frames/s) is not busy: it still waits for the whole warm-up
    assert.equal(usualPerSecond(run(EMPTY_FEED_RATE, 5, () => 5), policy), undefined);
  });

  test('5 frames/s then silence: a stall within a few seconds, long before a 40 s timeout', () => {
    let r = run(EMPTY_FEED_RATE, 60, () => 5);
    let detectedAfter: number | undefined;
    for (let s = 1; s <= 40 && detectedAfter === undefined; s++) {
      r = advanceRate(r, CHECK, policy);
      if (stallVerdict(r, policy, 40_000).stalled) detectedAfter = s;
    }
    // 20 usual gaps at 5/s is 4 s; the estimate fades a little while silent, so 4 or 5 s
    assert.ok(detectedAfter !== undefined && detectedAfter >= 4 && detectedAfter <= 5, `detected after ${detectedAfter} s`);
  });

  test('data flowing steadily is never a stall, whatever its rate', () => {
    for (const perSecond of [0.5, 1, 5, 500]) {
      let r = EMPTY_FEED_RATE;
      for (let i = 0; i < 600; i++) {
        // 0.5/s: one frame every other second
        r = recordData(r, perSecond >= 1 ? perSecond : i % 2 === 0 ? 1 : 0);
        r = advanceRate(r, CHECK, policy);
        assert.equal(stallVerdict(r, policy, 40_000).stalled, false, `${perSecond}/s at ${i} s`);
      }
    }
  });

  test('quiet symbols (a frame every 10 s) are never judged by their data: the verdict is quiet', () => {
    let r = run(EMPTY_FEED_RATE, 300, (i) => (i % 10 === 0 ? 1 : 0));
    // and then a full minute with nothing at all: still not a data stall (the keep-alive watchdog judges it)
    r = run(r, 60, () => 0);
    const verdict = stallVerdict(r, policy, 40_000);
    assert.equal(verdict.stalled, false);
    assert.equal(verdict.why, 'quiet');
  });

  test('the threshold follows the rate: 1 frame/s needs at least 20 s of silence, and gets a verdict within 35 s', () => {
    let r = run(EMPTY_FEED_RATE, 120, () => 1);
    let detectedAfter: number | undefined;
    for (let s = 1; s <= 60 && detectedAfter === undefined; s++) {
      r = advanceRate(r, CHECK, policy);
      if (stallVerdict(r, policy, 40_000).stalled) detectedAfter = s;
    }
    assert.ok(detectedAfter !== undefined && detectedAfter >= 20 && detectedAfter <= 35, `detected after ${detectedAfter} s`);
  });

  test('bursty trading: a feed that pauses 10 s between bursts is not stalled by a 10 s pause, but by a much longer one', () => {
    // 10 frames/s for 5 s, then 10 s of nothing, over and over: 3.3 frames/s on average
    const bursty = (i: number) => (i % 15 < 5 ? 10 : 0);
    let r = run(EMPTY_FEED_RATE, 300, bursty);
    for (let i = 300; i < 600; i++) {
      r = advanceRate(recordData(r, bursty(i)), CHECK, policy);
      assert.equal(stallVerdict(r, policy, 40_000).stalled, false, `no stall in the usual lulls (${i} s)`);
    }
    // the run ended inside a lull; the feed now stays silent
    let silenceAtVerdict: number | undefined;
    for (let s = 1; s <= 40 && silenceAtVerdict === undefined; s++) {
      r = advanceRate(r, CHECK, policy);
      const verdict = stallVerdict(r, policy, 40_000);
      if (verdict.stalled) silenceAtVerdict = verdict.silentMs;
    }
    assert.ok(silenceAtVerdict !== undefined && silenceAtVerdict >= 15_000 && silenceAtVerdict <= 25_000, `stalled after ${silenceAtVerdict} ms of silence`);
  });

  test('a late report: the silence starts at the last frame, not at the report', () => {
    const warm = run(EMPTY_FEED_RATE, 60, () => 5);
    const stalledAt = (sinceLastMs: number): { checks: number; silentMs: number } => {
      let r = advanceRate(recordData(warm, 5, sinceLastMs), CHECK, policy);
      assert.equal(r.silentMs, sinceLastMs, 'the check right after the report keeps its offset');
      for (let checks = 1; checks <= 60; checks++) {
        r = advanceRate(r, CHECK, policy);
        const verdict = stallVerdict(r, policy, 40_000);
        if (verdict.stalled) return { checks, silentMs: verdict.silentMs };
      }
      return { checks: Infinity, silentMs: 0 };
    };
    const onTime = stalledAt(0);
    const late = stalledAt(900);
    // the last frame came 900 ms before its report: one check sooner, the silence measured from the frame
    assert.equal(late.checks, onTime.checks - 1);
    assert.equal(late.silentMs, 900 + late.checks * CHECK);
  });

  test('stalls in a row with no data in between each double the silence the next needs; data ends the streak', () => {
    const warm = run(EMPTY_FEED_RATE, 60, () => 5);
    const silentUntilStalled = (from: typeof warm): number => {
      let r = from;
      for (let s = 1; s <= 120; s++) {
        r = advanceRate(r, CHECK, policy);
        if (stallVerdict(r, policy, 400_000).stalled) return s;
      }
      return Infinity;
    };
    const first = silentUntilStalled(warm);
    const once = noteStall(warm);
    assert.equal(once.stallsInRow, 1);
    assert.equal(once.silentMs, 0);
    const second = silentUntilStalled(once);
    const third = silentUntilStalled(noteStall(once));
    assert.ok(second >= 2 * first && third >= 2 * second, `${first} s, then ${second} s, then ${third} s`);
    // past the fixed bound the symbol is only quiet: no more questions
    const verdict = stallVerdict(advanceRate(noteStall(noteStall(noteStall(once))), 30_000, policy), policy, 40_000);
    assert.equal(verdict.stalled ? 'stalled' : verdict.why, 'quiet');
    // data after a stall: the streak is over, and the silence the stall ended is not a pause this feed takes
    const back = recordData({ ...once, silentMs: 9_000 }, 3);
    assert.equal(back.stallsInRow, 0);
    assert.equal(back.longestGapMs, once.longestGapMs);
    const fresh = silentUntilStalled(advanceRate(back, CHECK, policy));
    assert.ok(fresh <= first + 1, `after data, stalled again after ${fresh} s (first time ${first} s)`);
  });
});
