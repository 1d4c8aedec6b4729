import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import { loadScenarioFile } from '../../src/scenario/index.js';
import { COLLECTOR_FAULT_KINDS, FAULT_KINDS } from '../../src/scenario/schema.js';
import { runScenario } from '../../src/simulate/run-scenario.js';

// Every shipped scenario must hold its expectations: lost 0 and duplicated 0 at least.
const files = readdirSync('examples/scenarios').filter((f) => f.endsWith('.yaml')).sort();

describe('shipped scenarios (examples/scenarios)', () => {
  test('one scenario per fault kind, plus the storm', async () => {
    const kinds = new Set<string>();
    for (const f of files) for (const fault of (await loadScenarioFile(`examples/scenarios/${f}`)).faults) kinds.add(fault.kind);
    assert.deepEqual([...kinds].sort(), [...FAULT_KINDS, ...COLLECTOR_FAULT_KINDS].sort(), 'every fault kind has a shipped example');
    assert.ok(files.includes('storm.yaml'));
  });

  for (const file of files) {
    test(`${file}: lost 0, duplicated 0, expectations hold`, async () => {
      const report = await runScenario(await loadScenarioFile(`examples/scenarios/${file}`));
      assert.equal(report.lost, 0, JSON.stringify(report.lostSample));
      assert.equal(report.duplicated, 0);
      assert.equal(report.unexpected, 0);
      assert.ok(report.generated > 100, `${report.generated} generated`);
      assert.ok(report.faultsInjected > 0);
      assert.ok(report.ok, report.expectations.filter((e) => !e.ok).map((e) => e.detail).join('; '));
    });
  }
});
