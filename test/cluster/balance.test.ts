/** The fair share of unit slots per node: who may take a free slot, who gives one back. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fairShare, mayTakeSlot, unitsToShed } from '../../src/cluster/balance.js';

describe('balance', () => {
  test('the share is the slots over the live nodes, rounded up; a node alone may take them all', () => {
    assert.equal(fairShare(7, 1), 7);
    assert.equal(fairShare(7, 3), 3);
    assert.equal(fairShare(6, 3), 2);
    assert.equal(fairShare(2, 3), 1);
    assert.equal(fairShare(4, 0), 4, 'no count yet: the node counts itself');
  });

  test('a free slot is taken only below the share; above it one unit at a time is given back', () => {
    // 7 units, redundancy 1: node A started alone and took all 7, then B and C joined
    let held = 7;
    const shed: number[] = [];
    while (unitsToShed(held, 7, 3) > 0) shed.push((held -= 1));
    assert.deepEqual(shed, [6, 5, 4, 3]);
    assert.equal(mayTakeSlot(held, 7, 3), false, 'at its share it leaves the freed units to the others');
    assert.equal(mayTakeSlot(2, 7, 3), true);
    // redundancy 2 over 3 nodes, 2 units: 4 slots, at most 2 each
    assert.equal(mayTakeSlot(1, 4, 3), true);
    assert.equal(mayTakeSlot(2, 4, 3), false);
    // a node died: the two left share 7 slots, 4 each at most
    assert.equal(mayTakeSlot(3, 7, 2), true);
    assert.equal(unitsToShed(4, 7, 2), 0);
  });
});
