/**
 * The one PRNG (mulberry32) of the machines' jitter and the simulator's markets. The values were
 * taken from the implementation as it was before the two copies became one: a seeded simulator
 * run and a seeded machine must go on producing exactly these sequences.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { nextRandom, Prng } from '../../src/prng.js';

function steps(seed: number, n: number): { values: number[]; seed: number } {
  const values: number[] = [];
  let s = seed;
  for (let i = 0; i < n; i++) {
    const r = nextRandom(s);
    values.push(r.value);
    s = r.seed;
  }
  return { values, seed: s };
}

describe('the seeded PRNG keeps its sequences', () => {
  test('the pure step (machines keep its state as one number in their context)', () => {
    assert.deepEqual(steps(0, 4), { values: [0.26642920868471265, 0.0003297457005828619, 0.2232720274478197, 0.1462021479383111], seed: -1263671340 });
    assert.deepEqual(steps(1, 4), { values: [0.6270739405881613, 0.002735721180215478, 0.5274470399599522, 0.9810509674716741], seed: -1263671339 });
    assert.deepEqual(steps(42, 4), { values: [0.6011037519201636, 0.44829055899754167, 0.8524657934904099, 0.6697340414393693], seed: -1263671298 });
    assert.deepEqual(steps(-7, 4), { values: [0.43306733411736786, 0.32539576734416187, 0.5442695003002882, 0.48018999374471605], seed: -1263671347 });
    assert.deepEqual(steps(0x7fffffff, 4), { values: [0.4290980885270983, 0.12713524978607893, 0.3852774982806295, 0.39639189024455845], seed: 883812307 });
  });

  test('the simulator stream: next, int, fork and uuid', () => {
    const p = new Prng(1);
    assert.deepEqual([p.next(), p.next(), p.int(1000), p.int(0x100000000)], [0.6270739405881613, 0.002735721180215478, 527, 4213581821]);
    const root = new Prng(1);
    const a = root.fork(0);
    const b = root.fork(1);
    assert.deepEqual([a.next(), a.int(100), b.next(), b.uuid()], [0.530422635609284, 37, 0.6386730775702745, 'f75d8af4-7058-5ed7-92d7-75f4d1868cb7']);
    const q = new Prng(20260101);
    assert.deepEqual([q.uuid(), q.uuid()], ['41839448-97c8-5ce2-bbab-1ee1c72f610d', '5953af0c-153d-53f4-8d7c-02b91f384538']);
  });

  test('the stream and the pure step are one generator: same seed, same values', () => {
    const p = new Prng(1234);
    assert.deepEqual([p.next(), p.next(), p.next()], steps(1234, 3).values);
  });
});
