import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadScenarioFile } from '../../src/scenario/index.js';
import { CLUSTER_FAULT_KINDS, COLLECTOR_FAULT_KINDS, FAULT_KINDS } from '../../src/scenario/schema.js';
import { scenarioFiles } from './shipped.js';

describe('shipped scenarios (examples/scenarios)', () => {
  test('one scenario per fault kind, plus the storm', async () => {
    const kinds = new Set<string>();
    for (const f of scenarioFiles) for (const fault of (await loadScenarioFile(`examples/scenarios/${f}`)).faults) kinds.add(fault.kind);
    assert.deepEqual([...kinds].sort(), [...FAULT_KINDS, ...COLLECTOR_FAULT_KINDS, ...CLUSTER_FAULT_KINDS].sort(), 'every fault kind has a shipped example');
    assert.ok(scenarioFiles.includes('storm.yaml'));
  });
});
