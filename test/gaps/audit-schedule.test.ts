import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AuditSchedule } from '../../src/audit/audit-schedule.js';

const T0 = 1_700_000_000_000;

describe('AuditSchedule: what to audit when', () => {
  test('one audit per interval per venue, round-robin over the subscribed symbols', () => {
    const s = new AuditSchedule(1_000);
    s.sync(['A', 'B', 'C'], T0);
    const picked: (string | undefined)[] = [];
    for (let t = T0; t < T0 + 6_000; t += 250) picked.push(s.next(t)?.symbol);
    assert.deepEqual(picked.filter(Boolean), ['A', 'B', 'C', 'A', 'B', 'C'], 'six audits in six intervals, in turn');
    assert.equal(picked.length, 24);
    assert.equal(s.next(T0 + 6_000 - 1), undefined);
  });

  test('a symbol\'s windows tile time: each starts right after where the last one ended', () => {
    const s = new AuditSchedule(100);
    s.sync(['A'], T0);
    const windows: [number, number][] = [];
    for (let k = 1; k <= 5; k++) {
      const now = T0 + k * 1_000;
      const task = s.next(now)!;
      const until = now - 300 - k; // each audit ends where its answer let it
      windows.push([task.from, until]);
      s.covered('A', until);
    }
    assert.equal(windows[0]![0], T0, 'the first window starts when the symbol was first seen subscribed');
    for (let k = 1; k < windows.length; k++) assert.equal(windows[k]![0], windows[k - 1]![1] + 1, `window ${k} starts right after window ${k - 1}`);
  });

  test('an audit that judged nothing (failed, or nothing to judge yet) leaves the window where it was', () => {
    const s = new AuditSchedule(100);
    s.sync(['A'], T0);
    assert.equal(s.next(T0 + 500)!.from, T0);
    assert.equal(s.next(T0 + 1_000)!.from, T0);
    s.covered('A', T0 + 400);
    s.covered('A', T0 + 200); // a stale answer never moves the window back
    assert.equal(s.next(T0 + 2_000)!.from, T0 + 401);
  });

  test('a symbol whose window is younger than the settle time is skipped: no request that can judge nothing', () => {
    const s = new AuditSchedule(100, 1_000);
    s.sync(['A'], T0);
    assert.equal(s.next(T0 + 500), undefined, 'A was seen 500 ms ago: nothing older than now - settle yet');
    s.sync(['A', 'B'], T0 + 600);
    assert.equal(s.next(T0 + 1_000)?.symbol, 'A');
    s.covered('A', T0);
    assert.equal(s.next(T0 + 1_100)?.symbol, 'A', 'B is still too young: its turn goes to A');
    s.covered('A', T0 + 100);
    assert.equal(s.next(T0 + 1_150), undefined, 'within the interval');
    assert.equal(s.next(T0 + 1_600)?.symbol, 'B');
  });

  test('a symbol that is not subscribed for a while is skipped and, once back, resumes where its audits ended', () => {
    const s = new AuditSchedule(100);
    s.sync(['A', 'B'], T0);
    assert.equal(s.next(T0 + 100)?.symbol, 'A');
    s.covered('A', T0 + 50);
    s.sync(['B'], T0 + 150); // A was refused
    assert.equal(s.next(T0 + 200)?.symbol, 'B');
    assert.equal(s.next(T0 + 300)?.symbol, 'B', 'A is skipped while away');
    s.sync(['A', 'B'], T0 + 5_000);
    const back = s.next(T0 + 5_000);
    assert.deepEqual(back, { symbol: 'A', from: T0 + 51 }, 'the time A was away is audited too');
  });

  test('a symbol on its way back (reconnecting, resubscribing) is audited on: what is published meanwhile is ours', () => {
    const s = new AuditSchedule(100);
    s.sync(['A', 'B'], T0);
    assert.equal(s.next(T0 + 100)?.symbol, 'A');
    s.covered('A', T0 + 50);
    s.sync(['B'], T0 + 150, ['A', 'C']); // A's socket reconnecting; C never subscribed yet
    assert.equal(s.next(T0 + 200)?.symbol, 'B');
    assert.deepEqual(s.next(T0 + 300), { symbol: 'A', from: T0 + 51 }, 'A goes on being audited while away');
    assert.equal(s.next(T0 + 400)?.symbol, 'B', 'C is not audited before its first subscription');
  });

  test('nothing subscribed: nothing to audit, and the next subscribed symbol is audited at once', () => {
    const s = new AuditSchedule(1_000);
    assert.equal(s.next(T0), undefined);
    s.sync(['A'], T0);
    assert.equal(s.next(T0 + 10)?.symbol, 'A');
    assert.equal(s.dueAt(), T0 + 1_010);
  });

  test('refuses an interval that would schedule without bound', () => {
    assert.throws(() => new AuditSchedule(0), RangeError);
    assert.throws(() => new AuditSchedule(Number.NaN), RangeError);
    assert.throws(() => new AuditSchedule(100, -1), RangeError);
  });
});
