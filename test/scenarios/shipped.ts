/**
 * The shipped scenarios (examples/scenarios), split into shards: each shard is its own test file,
 * so no single file runs past the runner's per-file timeout as the number of scenarios grows.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import { loadScenarioFile } from '../../src/scenario/index.js';
import { natsSkip } from '../../src/simulate/nats-cluster.js';
import { runScenario } from '../../src/simulate/run-scenario.js';

export const SHARDS = 6;
export const scenarioFiles = readdirSync('examples/scenarios').filter((f) => f.endsWith('.yaml')).sort();

/** Every scenario of shard `shard` (0-based) must hold its expectations: lost 0 and duplicated 0 at least. */
export function shippedShard(shard: number): void {
  describe(`shipped scenarios, shard ${shard + 1} of ${SHARDS}`, () => {
    scenarioFiles.forEach((file, i) => {
      if (i % SHARDS !== shard) return;
      // a cluster scenario runs NATS servers: without nats-server it is skipped with the note why
      const skip = file.startsWith('cluster-') ? natsSkip : false;
      test(`${file}: lost 0, duplicated 0, expectations hold`, { skip }, async () => {
        const report = await runScenario(await loadScenarioFile(`examples/scenarios/${file}`));
        assert.equal(report.lost, 0, JSON.stringify(report.lostSample));
        assert.equal(report.duplicated, 0);
        assert.equal(report.unexpected, 0);
        assert.equal(report.unfilled, 0);
        assert.ok(report.generated > 100, `${report.generated} generated`);
        assert.ok(report.faultsInjected > 0);
        if (report.cluster) assert.ok(report.cluster.failovers + report.cluster.natsKills > 0, 'the cluster fault happened');
        assert.ok(report.ok, report.expectations.filter((e) => !e.ok).map((e) => e.detail).join('; '));
      });
    });
  });
}
