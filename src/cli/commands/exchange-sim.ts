/**
 * `tickvisor exchange-sim`: the simulated exchanges as a standalone server (auto mode), so any
 * client — ours, ccxt, a browser — can be pointed at it. Prints its address and each venue's
 * endpoints; with a scenario, plays the scenario's fault timeline from start. SIGINT/SIGTERM: stop, exit 0.
 */
import { defaultConfig } from '../../config/load.js';
import { TickvisorError } from '../../errors.js';
import { simVenuesFor } from '../../compose/sim-venues.js';
import { FaultTimeline } from '../../scenario/timeline.js';
import { loadScenarioFile, scenarioToSimOptions } from '../../scenario/load.js';
import type { ScenarioFault } from '../../scenario/schema.js';
import { startSimExchange, type SimExchange, type SimOptions } from '../../sim/index.js';
import { intOption, parseArgs, usage } from '../args.js';

export const help = `tickvisor exchange-sim [--scenario FILE] [--port P] [--host H]

Serves simulated exchanges on one HTTP port, in each exchange's own WebSocket and REST format,
generating trades and tickers in real time. Prints the address and, per venue, its WebSocket and
REST base URLs. Ctrl-C or SIGTERM: stop, exit 0.
  --scenario FILE   venues, symbols, rates, seed and timing from a scenario file (YAML or JSON);
                    its fault timeline plays from start (the server keeps running after it)
                    without: Binance spot+futures, Upbit, Bybit spot+linear, OKX spot+swap
  --port P          port to listen on (default 0: any free port)
  --host H          address to listen on (default 127.0.0.1)`;

/** What the command needs from its surroundings; tests pass their own signal source. */
export interface ExchangeSimIO {
  stdout: NodeJS.WritableStream;
  /** resolves with the signal name once SIGINT or SIGTERM arrives */
  stopSignal: () => Promise<string>;
}

function processSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

/** A listen failure is the user's to fix (another --port or --host): one line, never a stack. */
async function listen(options: SimOptions, host: string, port: number): Promise<SimExchange> {
  try {
    return await startSimExchange(options);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why: Record<string, string> = {
      EADDRINUSE: 'the port is in use; choose another --port (0: any free port)',
      EACCES: 'not allowed for this user; choose a port above 1023',
      EADDRNOTAVAIL: 'the host is not an address of this machine; check --host',
      ENOTFOUND: 'the host does not resolve; check --host',
      EAI_AGAIN: 'the host does not resolve; check --host',
    };
    const reason = code !== undefined ? why[code] : undefined;
    if (reason === undefined) throw cause;
    throw new TickvisorError('TV_ERR_USAGE', `cannot listen on ${host}:${port}: ${reason} (${code})`, { cause });
  }
}

function describeFault(f: ScenarioFault): string {
  const where = f.exchange === undefined && f.market === undefined ? 'all venues' : [f.exchange ?? '*', f.market ?? '*'].join('/');
  const details = [
    f.durationMs !== undefined ? `for ${f.durationMs} ms` : '',
    f.count !== undefined ? `count ${f.count}` : '',
    f.latencyMs !== undefined ? `latency ${f.latencyMs} ms` : '',
    f.symbols !== undefined ? `symbols ${f.symbols.join(',')}` : '',
  ].filter((d) => d !== '');
  return `${f.kind} on ${where}${details.length ? ` (${details.join(', ')})` : ''}`;
}

export async function run(argv: string[], io: ExchangeSimIO = { stdout: process.stdout, stopSignal: processSignal }): Promise<number> {
  const { values } = usage('exchange-sim', () =>
    parseArgs({
      args: argv,
      options: { scenario: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' } },
      strict: true,
    }),
  );
  const port = intOption('exchange-sim', 'port', values.port) ?? 0;
  if (port > 65_535) throw new TickvisorError('TV_ERR_USAGE', `--port must be at most 65535, got ${port}`);
  const host = values.host ?? '127.0.0.1';
  // wait for a signal from the start: one arriving while the server starts must still stop it
  const stopped = io.stopSignal();

  const scenario = values.scenario !== undefined ? await loadScenarioFile(values.scenario) : undefined;
  const options: SimOptions = scenario
    ? scenarioToSimOptions(scenario, { host, port, mode: 'auto' })
    : { host, port, mode: 'auto', venues: simVenuesFor(defaultConfig()) };
  const sim = await listen(options, host, port);

  const out = io.stdout;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  out.write(`listening on http://${urlHost}:${sim.port}\n`);
  for (const v of options.venues) {
    const { wsUrl, restUrl } = sim.endpoints(v.exchange, v.market);
    out.write(`${v.exchange}/${v.market} wsUrl=${wsUrl} restUrl=${restUrl} symbols=${v.symbols.map((s) => s.symbol).join(',')}\n`);
  }

  let timeline: FaultTimeline | undefined;
  if (scenario) {
    out.write(`scenario ${scenario.name}: ${scenario.faults.length} faults over ${scenario.durationMs} ms\n`);
    timeline = new FaultTimeline(scenario.faults, sim, {
      onFault: (f, i) => out.write(`fault ${i} at ${f.at} ms: ${describeFault(f)}\n`),
    });
    timeline.start();
  }

  const signal = await stopped;
  timeline?.stop();
  out.write(`${signal}: stopping the simulated exchanges\n`);
  await sim.stop();
  return 0;
}
