import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AnswerTimes, hedged } from '../../src/rest/hedge.js';

/** a promise the test settles by hand */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** lets every already-settled promise's callbacks run */
const flush = () => new Promise<void>((r) => setImmediate(r));

/** a hedge whose copies and timer the test drives */
function rig(allowCopy = true, signal?: AbortSignal) {
  const copies: { signal: AbortSignal | undefined; answer: ReturnType<typeof deferred<string>> }[] = [];
  const timers: ReturnType<typeof deferred<void>>[] = [];
  const delays: number[] = [];
  const result = hedged<string>({
    send: (signal) => {
      const answer = deferred<string>();
      copies.push({ signal, answer });
      return answer.promise;
    },
    delay: (ms, signal) => {
      delays.push(ms);
      const timer = deferred<void>();
      timers.push(timer);
      signal.addEventListener('abort', () => timer.reject(new Error('timer aborted')), { once: true });
      return timer.promise;
    },
    delayMs: 1500,
    beforeCopy: async () => allowCopy,
    signal,
  });
  const outcome: { value?: string; error?: unknown } = {};
  void result.then((v) => (outcome.value = v), (e: unknown) => (outcome.error = e));
    /** fires the hedge timer armed last */
  const fire = async () => {
    timers[timers.length - 1]!.resolve();
    await flush();
  };
  return { copies, timers, fire, delays, outcome };
}

describe('hedged requests', () => {
  test('an answer before the hedge delay is the answer; no copy goes out and the timer is cancelled', async () => {
    const r = rig();
    assert.equal(r.copies.length, 1);
    assert.deepEqual(r.delays, [1500]);
    r.copies[0]!.answer.resolve('first');
    await flush();
    assert.equal(r.outcome.value, 'first');
    await r.fire();
    assert.equal(r.copies.length, 1, 'no copy after the answer');
  });

  test('a slow request gets a copy; the copy answering first wins and the slow one is aborted', async () => {
    const r = rig();
    await r.fire();
    assert.equal(r.copies.length, 2);
    r.copies[1]!.answer.resolve('copy');
    await flush();
    assert.equal(r.outcome.value, 'copy');
    assert.equal(r.copies[0]!.signal?.aborted, true, 'the slow request is aborted');
    // the aborted one failing afterwards changes nothing
    r.copies[0]!.answer.reject(new Error('aborted'));
    await flush();
    assert.equal(r.outcome.value, 'copy');
    assert.equal(r.outcome.error, undefined);
  });

  test('the original answering after the copy went out still wins if it is first', async () => {
    const r = rig();
    await r.fire();
    r.copies[0]!.answer.resolve('original');
    await flush();
    assert.equal(r.outcome.value, 'original');
    assert.equal(r.copies[1]!.signal?.aborted, true);
  });

  test('the only request failing before the delay is a failure at once (the retry policy takes it), with no copy', async () => {
    const r = rig();
    const boom = new Error('ECONNRESET');
    r.copies[0]!.answer.reject(boom);
    await flush();
    assert.equal(r.outcome.error, boom);
    await r.fire();
    assert.equal(r.copies.length, 1);
  });

  test('with two in flight, one failing waits for the other; both failing give the first failure', async () => {
    const r = rig();
    await r.fire();
    const first = new Error('timeout');
    r.copies[0]!.answer.reject(first);
    await flush();
    assert.deepEqual(r.outcome, {}, 'still waiting for the copy');
    r.copies[1]!.answer.reject(new Error('refused'));
    await flush();
    assert.equal(r.outcome.error, first);
  });

  test('a venue still hanging gets one more copy per delay, three in flight at most', async () => {
    const r = rig();
    await r.fire();
    assert.equal(r.copies.length, 2);
    await r.fire();
    assert.equal(r.copies.length, 3, 'the copy sent into the same hang hangs too: one more');
    assert.equal(r.timers.length, 2, 'no timer after the third copy');
    r.copies[2]!.answer.resolve('third');
    await flush();
    assert.equal(r.outcome.value, 'third');
    assert.ok(r.copies.slice(0, 2).every((c) => c.signal?.aborted === true));
  });

  test('no copy when beforeCopy says no (the host is rate limited, the client is closing)', async () => {
    const r = rig(false);
    await r.fire();
    assert.equal(r.copies.length, 1);
    r.copies[0]!.answer.resolve('late');
    await flush();
    assert.equal(r.outcome.value, 'late');
  });
});

test('the client closing aborts every copy in flight', async () => {
  const close = new AbortController();
  const r = rig(true, close.signal);
  await r.fire();
  assert.equal(r.copies.length, 2);
  close.abort();
  assert.ok(r.copies.every((c) => c.signal?.aborted === true));
});

describe('AnswerTimes', () => {
  test('the delay is the minimum until the host has answers, then 3 × its 90th percentile if longer', () => {
    const t = new AnswerTimes();
    assert.equal(t.hedgeDelayMs('api.bybit.com', 1500), 1500);
    for (let i = 0; i < 10; i++) t.record('api.bybit.com', 100);
    assert.equal(t.hedgeDelayMs('api.bybit.com', 1500), 1500, 'fast answers: the minimum');
    for (let i = 0; i < 32; i++) t.record('api.bybit.com', 900);
    assert.equal(t.hedgeDelayMs('api.bybit.com', 1500), 2700, 'a slow venue waits longer before a copy');
    assert.equal(t.hedgeDelayMs('www.okx.com', 1500), 1500, 'per host');
  });

  test('keeps only the recent answers', () => {
    const t = new AnswerTimes();
    for (let i = 0; i < 32; i++) t.record('h', 2000);
    for (let i = 0; i < 32; i++) t.record('h', 50);
    assert.equal(t.hedgeDelayMs('h', 1000), 1000);
  });
});
