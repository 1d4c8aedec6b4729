/**
 * Cluster scenarios as files: `cluster:` with its defaults, the cluster fault kinds routed to the
 * run (never to the simulator), and the one-line refusals of what cannot run.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TickvisorError } from '../../src/errors.js';
import { FaultTimeline, parseScenario } from '../../src/scenario/index.js';
import type { ClusterScenarioFault } from '../../src/scenario/schema.js';
import type { SimFault } from '../../src/sim/types.js';
import { ManualClock } from '../../src/time/manual-clock.js';

const base = (extra: Record<string, unknown> = {}) => ({
  name: 'c',
  durationMs: 10_000,
  venues: [{ exchange: 'binance', market: 'spot', symbols: ['BTC/USDT'] }],
  ...extra,
});

function refusal(data: unknown): string {
  try {
    parseScenario(data, 'c.yaml');
  } catch (error) {
    assert.ok(error instanceof TickvisorError, String(error));
    assert.equal(error.code, 'TV_ERR_SCENARIO_INVALID');
    assert.doesNotMatch(error.message, /\n/);
    return error.message;
  }
  return assert.fail('the scenario was accepted');
}

describe('cluster scenarios', () => {
  test('cluster: takes its defaults (3 nodes, 3 servers, redundancy 1, a 6 s lease)', () => {
    const s = parseScenario(base({ cluster: {}, faults: [{ at: 1000, kind: 'kill-node' }] }));
    assert.deepEqual(s.cluster, { nodes: 3, natsServers: 3, redundancy: 1, leaseTtlMs: 6_000 });
    assert.equal(parseScenario(base()).cluster, undefined);
  });

  test('refused in one line: a cluster fault without cluster:, a victim that does not exist, redundancy above the nodes', () => {
    assert.match(refusal(base({ faults: [{ at: 1000, kind: 'kill-node' }] })), /kill-node needs a cluster scenario/);
    assert.match(refusal(base({ cluster: { nodes: 2 }, faults: [{ at: 1000, kind: 'kill-node', node: 2 }] })), /faults\.0\.node: node 2 does not exist \(nodes are 0 … 1\)/);
    assert.match(refusal(base({ cluster: { natsServers: 3 }, faults: [{ at: 1000, kind: 'kill-nats', server: 3 }] })), /server 3 does not exist/);
    assert.match(refusal(base({ cluster: { nodes: 1, redundancy: 2 } })), /cluster\.redundancy: 2 needs at least 2 nodes/);
    assert.match(refusal(base({ cluster: { redundancy: 3 } })), /cluster\.redundancy/);
    assert.match(refusal(base({ cluster: {}, faults: [{ at: 1000, kind: 'isolate-node' }] })), /isolate-node cuts the node off NATS for durationMs/);
    assert.match(refusal(base({ cluster: {}, faults: [{ at: 1000, kind: 'kill-collector' }] })), /use kill-node or restart-node/);
    assert.match(refusal(base({ cluster: {}, faults: [{ at: 1000, kind: 'disconnect', node: 1 }] })), /faults\.0\.node: not a field of disconnect/);
    assert.match(refusal(base({ cluster: {}, faults: [{ at: 1000, kind: 'kill-node', server: 1 }] })), /faults\.0\.server: not a field of kill-node/);
    assert.match(refusal(base({ cluster: { nodes: 9 } })), /cluster\.nodes/);
  });

  test('the timeline hands cluster faults to the run at their time and never to the simulator', () => {
    const s = parseScenario(
      base({
        cluster: { nodes: 2 },
        faults: [
          { at: 2_000, kind: 'kill-nats', durationMs: 1_000 },
          { at: 1_000, kind: 'kill-node', node: 1 },
          { at: 1_000, kind: 'disconnect' },
          { at: 3_000, kind: 'isolate-node', durationMs: 5_000 },
        ],
      }),
    );
    const clock = new ManualClock(0);
    const injected: SimFault[] = [];
    const cluster: Array<[number, ClusterScenarioFault['kind']]> = [];
    const timeline = new FaultTimeline(s.faults, { inject: (f) => injected.push(f) }, { clock, onClusterFault: (f) => cluster.push([clock.now(), f.kind]) });
    timeline.start();
    clock.advance(10_000);
    assert.deepEqual(cluster, [
      [1_000, 'kill-node'],
      [2_000, 'kill-nats'],
      [3_000, 'isolate-node'],
    ]);
    assert.deepEqual(injected.map((f) => f.kind), ['disconnect']);
    assert.equal(timeline.played, 4);
  });
});
