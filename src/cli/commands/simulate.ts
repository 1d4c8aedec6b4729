/** `tickvisor simulate SCENARIO [--json]`: a scripted run with faults, judged against the ground truth. */
import { TickvisorError } from '../../errors.js';
import { loadScenarioFile } from '../../scenario/index.js';
import { runScenario, type SimulationReport } from '../../simulate/run-scenario.js';
import { parseArgs, usage } from '../args.js';

export const help = `tickvisor simulate SCENARIO [--json] [--data DIR]

Plays a scenario file (YAML or JSON; see examples/scenarios/) against the real supervision tree:
the simulated exchanges trade, faults are injected on the scenario's timeline, and at the end the
store is compared with the simulator's ground truth. Exit 0 only when the scenario's
expectations hold.
  --json       print exactly one JSON object (the report) on stdout
  --data DIR   keep the run's store in DIR (default: a temporary directory, removed afterwards)`;

export function formatReport(r: SimulationReport): string {
  const lines = [
    `scenario ${r.scenario}: ${r.ok ? 'PASSED' : 'FAILED'} in ${(r.durationMs / 1000).toFixed(1)} s`,
    `  trades     generated ${r.generated}, stored ${r.stored}, lost ${r.lost}, duplicated ${r.duplicated}` +
      (r.beforeStart ? ` (${r.beforeStart} before collection began)` : ''),
    `  faults     ${r.faultsInjected} injected`,
    `  gaps       ${r.gaps.detected} detected, ${r.gaps.filled} filled, ${r.gaps.unfilled} unfilled, ${r.gaps.backfilledTrades} trades backfilled by REST`,
    `  recovery   ${Object.values(r.recoveries).reduce((a, b) => a + b, 0)} reconnects, ${Object.values(r.restarts).reduce((a, b) => a + b, 0)} actor restarts` +
      (Object.keys(r.restarts).length ? ` (${Object.entries(r.restarts).map(([k, v]) => `${k} ×${v}`).join(', ')})` : ''),
    `  alerts     ${r.alerts}${r.alerts ? ` (${Object.entries(r.alertsByKind).map(([k, v]) => `${k} ×${v}`).join(', ')})` : ''}`,
    `  latency    exchange → committed: p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, max ${r.latencyMs.max} ms`,
    ...r.expectations.map((e) => `  ${e.ok ? '✓' : '✗'} ${e.detail}`),
  ];
  if (r.lostSample.length) lines.push(`  lost e.g. ${r.lostSample.slice(0, 3).map((t) => `${t.exchange}:${t.market}:${t.symbol}#${t.id}`).join(', ')}`);
  return lines.join('\n');
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = usage('simulate', () =>
    parseArgs({ args: argv, options: { json: { type: 'boolean' }, data: { type: 'string' } }, allowPositionals: true, strict: true }),
  );
  if (positionals.length !== 1) throw new TickvisorError('TV_ERR_USAGE', 'give exactly one scenario file (see tickvisor simulate --help)');
  const scenario = await loadScenarioFile(positionals[0]!);
  const err = process.stderr;
  const live = err.isTTY === true;
  const report = await runScenario(scenario, {
    ...(values.data ? { dataDir: values.data } : {}),
    onProgress: (p) => {
      if (!live) return;
      err.write(
        `\r\x1b[2K${scenario.name}: ${p.phase} ${(p.elapsedMs / 1000).toFixed(0)} s · faults ${p.faults}/${scenario.faults.length} · ` +
          `coins ${p.subscribed}/${p.coins} subscribed · stored ${p.stored.toLocaleString('en')}`,
      );
    },
  });
  if (live) err.write('\r\x1b[2K');
  process.stdout.write((values.json ? JSON.stringify(report) : formatReport(report)) + '\n');
  return report.ok ? 0 : 1;
}
