import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  advanceRate,
  DEFAULT_STALL_POLICY,
  EMPTY_FEED_RATE,
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
});
