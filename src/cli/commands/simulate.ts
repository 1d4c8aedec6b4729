/** `tickvisor simulate SCENARIO [--json]`: a scripted run with faults, judged against the ground truth. */
import { TickvisorError } from '../../errors.js';
import type { LevelWithSilent } from '../../log/logger.js';
import { loadScenarioFile } from '../../scenario/index.js';
import { formatBookReport } from '../../simulate/book-sampler.js';
import type { ClusterRunFigures } from '../../simulate/run-cluster.js';
import { runScenario, type SimulationReport } from '../../simulate/run-scenario.js';
import { parseArgs, usage } from '../args.js';

export const help = `tickvisor simulate SCENARIO [--json] [--data DIR] [--settle-timeout MS] [--log LEVEL]

Plays a scenario file (YAML or JSON; see examples/scenarios/) against the real supervision tree:
the simulated exchanges trade, faults are injected on the scenario's timeline, and at the end the
store is compared with the simulator's ground truth. Exit 0 only when the scenario's
expectations hold; 1 when they do not; 130 when interrupted (the collector and the simulator are
stopped on every path).
  --json                print exactly one JSON object (the report) on stdout
  --data DIR            keep the run's store in DIR (default: a temporary directory, removed afterwards)
  --settle-timeout MS   how long recovery may take after the timeline (default: the scenario's
                        settleTimeoutMs, else 60000)
  --log LEVEL           the collector's log on stderr: trace, debug, info, warn, error, fatal
                        (default: silent)`;

const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

export function formatReport(r: SimulationReport): string {
  const lines = [
    `scenario ${r.scenario}: ${r.ok ? 'PASSED' : 'FAILED'} in ${(r.durationMs / 1000).toFixed(1)} s`,
    `  trades     generated ${r.generated}, stored ${r.stored}, lost ${r.lost}, duplicated ${r.duplicated}` +
      (r.unfilled ? `, unfilled ${r.unfilled}` : '') +
      (r.beforeStart ? ` (${r.beforeStart} published before the subscription was acknowledged)` : ''),
    `  faults     ${r.faultsInjected} injected` + (r.collectorKills ? `, collector killed and restarted ×${r.collectorKills}` : ''),
    ...(r.cluster ? [formatCluster(r.cluster)] : []),
    `  gaps       ${r.gaps.detected} detected (${r.gaps.merged} joined one already waiting), ${r.gaps.filled} filled, ${r.gaps.unfilled} unfilled, ${r.gaps.backfilledTrades} trades backfilled by REST`,
    `  audit      ${r.audit.windows} windows checked by REST, ${r.audit.missing} trades found missing, ${r.audit.filled} filled, ${r.audit.unfilled} windows not fully checked`,
    `  recovery   ${sum(r.recoveries)} reconnects, ${sum(r.restarts)} actor restarts` +
      (Object.keys(r.restarts).length ? ` (${Object.entries(r.restarts).map(([k, v]) => `${k} ×${v}`).join(', ')})` : '') +
      (r.settled ? '' : ' — not settled within the settle timeout'),
    `  alerts     ${r.alerts}${r.alerts ? ` (${Object.entries(r.alertsByKind).map(([k, v]) => `${k} ×${v}`).join(', ')})` : ''}`,
    `  latency    exchange → ${r.cluster ? 'archived' : 'committed'}: p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, max ${r.latencyMs.max} ms`,
    ...(r.book !== undefined ? formatBookReport(r.book) : []),
    ...(r.neverSubscribed.length ? [`  never subscribed (acknowledged) by the exchange: ${r.neverSubscribed.join(', ')}`] : []),
    ...r.expectations.map((e) => `  ${e.ok ? '✓' : '✗'} ${e.detail}`),
  ];
  const where = Object.entries(r.lostBySymbol).sort((a, b) => b[1].lost + b[1].unfilled - (a[1].lost + a[1].unfilled));
  if (where.length) lines.push(`  lost in  ${where.slice(0, 6).map(([s, n]) => `${s} ${n.lost}${n.unfilled ? ` (+${n.unfilled} unfilled)` : ''}`).join(', ')}${where.length > 6 ? `, … ${where.length - 6} more` : ''}`);
  if (r.lostSample.length) lines.push(`  lost e.g. ${r.lostSample.slice(0, 3).map((t) => `${t.exchange}:${t.market}:${t.symbol}#${t.id}`).join(', ')}`);
  return lines.join('\n');
}

function formatCluster(c: ClusterRunFigures): string {
  const faults = [
    c.nodeKills ? `${c.nodeKills} node kill${c.nodeKills === 1 ? '' : 's'}` : '',
    c.nodeRestarts ? `${c.nodeRestarts} node restart${c.nodeRestarts === 1 ? '' : 's'}` : '',
    c.natsKills ? `${c.natsKills} NATS server kill${c.natsKills === 1 ? '' : 's'}` : '',
    c.isolations ? `${c.isolations} isolation${c.isolations === 1 ? '' : 's'}` : '',
  ].filter((x) => x !== '');
  return (
    `  cluster    ${c.nodes} nodes, ${c.natsServers} NATS servers, redundancy ${c.redundancy}${faults.length ? ` (${faults.join(', ')})` : ''}: ` +
    `${c.failovers} failover${c.failovers === 1 ? '' : 's'}, the longest ${c.maxFailoverMs} ms` +
    (c.notFailedOver ? `, ${c.notFailedOver} never taken over` : '') +
    (c.redundancy > 1 ? `; ${c.survivorBackfilledTrades} trades backfilled by the nodes collecting alongside` : '') +
    `; ${c.duplicatesDropped} duplicate batches dropped by the stream, ${c.archiveDuplicates} trades the archive already held`
  );
}

const MAX_TIMER_MS = 2 ** 31 - 1;

function settleTimeout(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = Number(text);
  // a timer cannot wait longer than 2^31 - 1 ms (~24.8 days): Node would silently wait 1 ms instead
  if (!Number.isInteger(ms) || ms <= 0 || ms > MAX_TIMER_MS) throw new TickvisorError('TV_ERR_USAGE', `--settle-timeout: expected a whole number of ms from 1 to ${MAX_TIMER_MS}, got ${JSON.stringify(text)}`);
  return ms;
}

const LOG_LEVELS: readonly LevelWithSilent[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

function logLevelOf(text: string | undefined): LevelWithSilent | undefined {
  if (text === undefined) return undefined;
  const level = LOG_LEVELS.find((l) => l === text);
  if (level === undefined) throw new TickvisorError('TV_ERR_USAGE', `--log: expected one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(text)}`);
  return level;
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = usage('simulate', () =>
    parseArgs({
      args: argv,
      options: { json: { type: 'boolean' }, data: { type: 'string' }, 'settle-timeout': { type: 'string' }, log: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    }),
  );
  if (positionals.length !== 1) throw new TickvisorError('TV_ERR_USAGE', 'give exactly one scenario file (see tickvisor simulate --help)');
  const settleTimeoutMs = settleTimeout(values['settle-timeout']);
  const logLevel = logLevelOf(values.log);
  const scenario = await loadScenarioFile(positionals[0]!);
  const err = process.stderr;
  const live = err.isTTY === true;
  // Ctrl-C / SIGTERM end the run; the run itself stops the collector and the simulator on the way out
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let code: number;
  try {
    const report = await runScenario(scenario, {
      ...(values.data ? { dataDir: values.data } : {}),
      ...(settleTimeoutMs !== undefined ? { settleTimeoutMs } : {}),
      ...(logLevel !== undefined ? { logLevel } : {}),
      signal: abort.signal,
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
    code = report.ok ? 0 : 1;
  } catch (error) {
    if (live) err.write('\r\x1b[2K');
    if (abort.signal.aborted) {
      err.write(`tickvisor simulate: ${scenario.name}: interrupted; the collector and the simulator were stopped\n`);
      code = 130;
    } else {
      err.write(`tickvisor simulate: ${scenario.name}: the run failed: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}\n`);
      code = 1;
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  // everything the run started is stopped; should a library handle still hold the event loop, exit anyway
  setTimeout(() => process.exit(code), 5_000).unref();
  return code;
}
