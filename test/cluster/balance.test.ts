/** The fair share of unit slots per node, and backpressure: who may take a free slot, who hands one over. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fairShare, handOverReason, mayTakeSlot, type NodeLoad } from '../../src/cluster/balance.js';

const load = (held: number, slots: number, nodes: number, backlog = 0): NodeLoad => ({ held, slots, nodes, backlog, maxBacklog: 1_000 });

describe('balance', () => {
  test('the share is the slots over the live nodes, rounded up; a node alone may take them all', () => {
    assert.equal(fairShare(7, 1), 7);
    assert.equal(fairShare(7, 3), 3);
    assert.equal(fairShare(6, 3), 2);
    assert.equal(fairShare(2, 3), 1);
    assert.equal(fairShare(4, 0), 4, 'no count yet: the node counts itself');
  });

  test('a free slot is taken only below the share; above it one unit at a time is handed over', () => {
    // 7 units, redundancy 1: node A started alone and took all 7, then B and C joined
    let held = 7;
    const handed: number[] = [];
    while (handOverReason(load(held, 7, 3)) === 'share') handed.push((held -= 1));
    assert.deepEqual(handed, [6, 5, 4, 3]);
    assert.equal(mayTakeSlot(load(held, 7, 3)), false, 'at its share it leaves the freed units to the others');
    assert.equal(mayTakeSlot(load(2, 7, 3)), true);
    // redundancy 2 over 3 nodes, 2 units: 4 slots, at most 2 each
    assert.equal(mayTakeSlot(load(1, 4, 3)), true);
    assert.equal(mayTakeSlot(load(2, 4, 3)), false);
    // a node died: the two left share 7 slots, 4 each at most
    assert.equal(mayTakeSlot(load(3, 7, 2)), true);
    assert.equal(handOverReason(load(4, 7, 2)), undefined);
  });

  test('backpressure: over the backlog cap a node hands its units over, and takes none back until under half of it', () => {
    assert.equal(handOverReason(load(2, 7, 3, 1_001)), 'backlog', 'even below its share');
    assert.equal(handOverReason(load(0, 7, 3, 5_000)), undefined, 'nothing left to hand over');
    assert.equal(handOverReason(load(2, 7, 3, 1_000)), undefined, 'at the cap, not over it');
    assert.equal(mayTakeSlot(load(0, 7, 3, 600)), false, 'between half and the cap: no new unit');
    assert.equal(mayTakeSlot(load(0, 7, 3, 500)), true);
  });
});
