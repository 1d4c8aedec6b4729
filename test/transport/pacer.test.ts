/** The pacer on a ManualClock: frames under a venue's messages-per-second limit, in order, none lost. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Pacer } from '../../src/transport/pacer.js';
import { ManualClock } from '../../src/time/manual-clock.js';

function paced(perSecond: number) {
  const clock = new ManualClock(0);
  const sent: Array<{ at: number; frame: string }> = [];
  const pacer = new Pacer(perSecond, (frame) => sent.push({ at: clock.now(), frame }), clock);
  return { clock, sent, pacer };
}

describe('pacer', () => {
  test('stays one under the limit per second: 5/s sends 4 at once, the rest a second later, in order', () => {
    const { clock, sent, pacer } = paced(5);
    for (let i = 0; i < 10; i++) pacer.send(`f${i}`);
    assert.deepEqual(sent.map((s) => s.frame), ['f0', 'f1', 'f2', 'f3']);
    assert.equal(pacer.pending, 6);
    clock.advance(999);
    assert.equal(sent.length, 4, 'nothing before the second is up');
    clock.advance(1);
    assert.deepEqual(sent.slice(4).map((s) => s.frame), ['f4', 'f5', 'f6', 'f7']);
    clock.advance(1000);
    assert.deepEqual(sent.map((s) => s.frame), ['f0', 'f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7', 'f8', 'f9']);
    assert.equal(pacer.pending, 0);
    assert.equal(clock.pending, 0, 'no timer left once the queue is empty');
    // never more than 4 in any one-second span
    for (const s of sent) assert.ok(sent.filter((o) => o.at > s.at - 1000 && o.at <= s.at).length <= 4);
  });

  test('a sliding second: sends spread over time free their slots one by one', () => {
    const { clock, sent, pacer } = paced(3); // budget 2
    pacer.send('a');
    clock.advance(600);
    pacer.send('b');
    pacer.send('c'); // waits for a's slot: 1000 ms after a, 400 ms from now
    assert.deepEqual(sent.map((s) => s.frame), ['a', 'b']);
    clock.advance(399);
    assert.equal(sent.length, 2);
    clock.advance(1);
    assert.deepEqual(sent.map((s) => [s.frame, s.at]), [['a', 0], ['b', 600], ['c', 1000]]);
  });

  test('a limit of 1 per second still sends (at least one a second)', () => {
    const { clock, sent, pacer } = paced(1);
    pacer.send('a');
    pacer.send('b');
    assert.equal(sent.length, 1);
    clock.advance(1000);
    assert.equal(sent.length, 2);
  });

  test('close drops what waits and stops the timer; later sends are ignored', () => {
    const { clock, sent, pacer } = paced(2);
    pacer.send('a');
    pacer.send('b');
    assert.equal(clock.pending, 1);
    pacer.close();
    assert.equal(pacer.pending, 0);
    assert.equal(clock.pending, 0);
    pacer.send('c');
    clock.advance(5000);
    assert.deepEqual(sent.map((s) => s.frame), ['a']);
  });

  test('a limit that is not positive is refused', () => {
    assert.throws(() => new Pacer(0, () => undefined, new ManualClock()), RangeError);
  });
});
