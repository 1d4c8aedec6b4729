/**
 * src/rx.ts imports RxJS module by module (a collector should not hold all of RxJS in memory):
 * what it hands out must be RxJS itself, so that anyone's `rxjs` operators work on tickvisor's
 * streams. If an RxJS release moves these modules, this fails instead of the streams.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as rxjs from 'rxjs';
import * as operators from 'rxjs/operators';
import * as rx from '../src/rx.js';

describe('src/rx.ts', () => {
  test("exports RxJS's own classes and operators, not copies", () => {
    assert.equal(rx.Observable, rxjs.Observable);
    assert.equal(rx.Subject, rxjs.Subject);
    assert.equal(rx.BehaviorSubject, rxjs.BehaviorSubject);
    assert.equal(rx.ReplaySubject, rxjs.ReplaySubject);
    assert.equal(rx.filter, operators.filter);
    assert.equal(rx.distinctUntilChanged, operators.distinctUntilChanged);
    assert.equal(rx.mergeMap, operators.mergeMap);
  });

  test("a stream made here works with rxjs's public operators and lastValueFrom", async () => {
    const subject = new rx.Subject<number>();
    const doubledEvens = rxjs.lastValueFrom(subject.pipe(rx.filter((n) => n % 2 === 0), rxjs.map((n) => n * 2), rxjs.toArray()));
    for (let n = 1; n <= 6; n++) subject.next(n);
    subject.complete();
    assert.deepEqual(await doubledEvens, [4, 8, 12]);
  });
});
