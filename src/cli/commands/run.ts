/** `tickvisor run`: the tree on a configuration (or the embedded default), until SIGINT/SIGTERM. */
import { defaultConfig, loadConfigFile } from '../../config/load.js';
import { serveTickvisor } from '../../http/index.js';
import { connectStatelyInspector, createInspectionRecorder, fanOutInspection } from '../../inspect/index.js';
import { createTickvisor } from '../../runtime/tickvisor.js';
import { intOption, parseArgs, usage } from '../args.js';
import { statusFigures, statusLine } from '../../runtime/status-figures.js';

export const help = `tickvisor run [--config FILE] [--data DIR] [--metrics-port P] [--inspect [URL]] [--inspect-file FILE]

Runs the supervision tree. Without --config: the embedded default — a simulated exchange on
loopback serving Binance spot and futures, Upbit, Bybit spot and linear, OKX spot and swap —
storing under ./data. Ctrl-C or SIGTERM: stop subscriptions, flush, close the store, exit 0.
  --config FILE       YAML or JSON configuration (see README)
  --data DIR          store directory (overrides store.path)
  --metrics-port P    port for /metrics, /health and the status page (0: any free port)
  --inspect           stream the actor system to the Stately inspector over WebSocket
                      (default ws://localhost:8080; --inspect-url URL to change it)
  --inspect-file FILE record every inspection event (actors, events, snapshots) as JSON lines`;

const SHUTDOWN_DEADLINE_MS = 4_500;

export async function run(argv: string[]): Promise<number> {
  const { values } = usage('run', () =>
    parseArgs({
      args: argv,
      options: {
        config: { type: 'string' },
        data: { type: 'string' },
        'metrics-port': { type: 'string' },
        inspect: { type: 'boolean' },
        'inspect-url': { type: 'string' },
        'inspect-file': { type: 'string' },
      },
      strict: true,
    }),
  );
  const config = values.config ? await loadConfigFile(values.config) : defaultConfig();
  const metricsPort = intOption('run', 'metrics-port', values['metrics-port']);
  if (metricsPort !== undefined) config.metrics.port = metricsPort;
  const recorder = values['inspect-file'] ? createInspectionRecorder(values['inspect-file']) : undefined;
  const stately =
    values.inspect || values['inspect-url']
      ? connectStatelyInspector(values['inspect-url'] ? { url: values['inspect-url'] } : {})
      : undefined;
  const inspect = recorder || stately ? fanOutInspection(stately?.inspect, recorder?.inspect) : undefined;
  const tv = createTickvisor(config, { ...(values.data ? { dataDir: values.data } : {}), ...(inspect ? { inspect } : {}) });
  await tv.start();
  const out = process.stdout;
  let http: Awaited<ReturnType<typeof serveTickvisor>> | undefined;
  try {
    http = config.metrics.enabled
      ? await serveTickvisor(tv, { host: config.metrics.host, port: config.metrics.port, silentCoinMs: config.alerts.silentCoinMs })
      : undefined;
  } catch (error) {
    await tv.stop();
    throw error;
  }
  const committed = () => tv.throughput().committed;
  const tick = () => {
    // the same reading the status page shows (tv.throughput): one rate, one window
    const t = tv.throughput();
    const line = statusLine(statusFigures(tv.state()), t.recordsPerSecond, t.committed, tv.alertSummary());
    if (out.isTTY) out.write(`\r\x1b[2K${line}`);
    else out.write(`${line}\n`);
  };
  const timer = setInterval(tick, out.isTTY ? 1_000 : 5_000);

  // signal handlers before the banner: a SIGTERM sent as soon as "running" shows must still
  // flush and close the store, not take the default action and kill the process mid-write
  return new Promise<number>((resolve) => {
    let stopping = false;
    const shutdown = (signal: string) => {
      if (stopping) return;
      stopping = true;
      clearInterval(timer);
      if (out.isTTY) out.write('\n');
      out.write(`${signal}: stopping subscriptions, flushing, closing the store\n`);
      const deadline = setTimeout(() => {
        const unstored = Object.values(tv.pipelineStats()).reduce((n, p) => n + p.buffered + p.inFlight, 0);
        const failing = Object.values(tv.pipelineStats()).some((p) => p.writeFailing);
        process.stderr.write(
          `shutdown took too long${failing ? ' (the store refuses writes)' : ''}; exiting with ${unstored.toLocaleString('en')} records not stored\n`,
        );
        resolve(1);
        // the simulator and sockets may still hold the event loop (a store that never accepts the
        // last batches keeps stop() waiting): the deadline is the deadline
        setTimeout(() => process.exit(1), 200).unref();
      }, SHUTDOWN_DEADLINE_MS);
      deadline.unref();
      Promise.resolve(http?.close())
        .then(() => tv.stop())
        .then(() => Promise.all([recorder?.close(), stately?.stop()]))
        .then(
        () => {
          clearTimeout(deadline);
          out.write(`stopped cleanly; ${committed().toLocaleString('en')} records stored\n`);
          resolve(0);
        },
        (error: unknown) => {
          clearTimeout(deadline);
          process.stderr.write(`error while stopping: ${(error as Error).message}\n`);
          resolve(1);
        },
      );
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    out.write(`tickvisor running: ${config.exchanges.length} collectors\n`);
    out.write(`  store          ${values.data ?? config.store.path}\n`);
    if (http) {
      const base = http.url.replace(/\/$/, '');
      out.write(`  status page    ${base}/\n`);
      out.write(`  metrics        ${base}/metrics\n`);
      out.write(`  health         ${base}/health\n`);
    }
    if (tv.sim) out.write(`  simulated exchange on http://127.0.0.1:${tv.sim.port}\n`);
    if (recorder) out.write(`  inspection     recording to ${values['inspect-file']}\n`);
    if (stately) out.write(`  inspection     streaming to the Stately inspector (${values['inspect-url'] ?? 'ws://localhost:8080'})\n`);
  });
}
