/** `tickvisor run`: the tree on a configuration (or the embedded default), until SIGINT/SIGTERM. */
import { defaultConfig, loadConfigFile } from '../../config/load.js';
import { serveTickvisor } from '../../http/index.js';
import { TickvisorError } from '../../errors.js';
import { fanOutInspection } from '../../inspect/fan-out.js';
import { createInspectionRecorder } from '../../inspect/recorder.js';
import { createLogger, logFileDestination, stderrTakesColour } from '../../log/logger.js';
import { createTickvisor } from '../../compose/tickvisor.js';
import { intOption, parseArgs, usage } from '../args.js';
import { statusFigures, statusLine, subscriptionSummary } from '../../runtime/status-figures.js';
import { StatusTerminal } from '../status-terminal.js';

export const help = `tickvisor run [--config FILE] [--data DIR] [--metrics-port P] [--log-format json|pretty] [--log-file PATH]
              [--inspect] [--inspect-url URL] [--inspect-file FILE]

Runs the supervision tree. Without --config: the embedded default — a simulated exchange on
loopback serving Binance spot and futures, Upbit, Bybit spot and linear, OKX spot and swap —
storing under ./data. Ctrl-C or SIGTERM: stop subscriptions, flush, close the store, exit 0.
  --config FILE       YAML or JSON configuration (see README)
  --data DIR          store directory (overrides store.path)
  --metrics-port P    port for /metrics, /health and the status page (0: any free port)
  --log-format F      json (one object a line) or pretty (readable); default: pretty when
                      stderr is a terminal, json otherwise and with --log-file
  --log-file PATH     write the log to PATH (appended, JSON lines by default) instead of stderr
  --inspect           stream the actor system to the Stately inspector over WebSocket
                      (default ws://localhost:8080; --inspect-url URL to change it); warns once
                      while no relay listens there and connects when one comes up
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
        'log-format': { type: 'string' },
        'log-file': { type: 'string' },
      },
      strict: true,
    }),
  );
  const config = values.config ? await loadConfigFile(values.config) : defaultConfig();
  const metricsPort = intOption('run', 'metrics-port', values['metrics-port']);
  if (metricsPort !== undefined) config.metrics.port = metricsPort;
  const logFormat = values['log-format'];
  if (logFormat !== undefined && logFormat !== 'json' && logFormat !== 'pretty') {
    throw new TickvisorError('TV_ERR_USAGE', `--log-format must be json or pretty, got ${logFormat}`);
  }
  const out = process.stdout;
  // on a terminal the status line is redrawn in place, and every log line goes through the
  // terminal that knows where it is; state changes log at debug there (a summary instead)
  const terminal = out.isTTY ? new StatusTerminal(out, process.stderr) : undefined;
  const logFile = values['log-file'];
  const log = logFile
    ? createLogger(config.log.level, { destination: logFileDestination(logFile), pretty: logFormat === 'pretty', colorize: false })
    : terminal
      ? createLogger(config.log.level, {
          destination: terminal.logStream(),
          pretty: logFormat ? logFormat === 'pretty' : process.stderr.isTTY === true,
          colorize: stderrTakesColour(),
        })
      : createLogger(config.log.level, logFormat ? { pretty: logFormat === 'pretty' } : {});
  const quietLifecycle = terminal !== undefined && logFile === undefined;
  const recorder = values['inspect-file'] ? createInspectionRecorder(values['inspect-file']) : undefined;
  // @statelyai/inspect is loaded only for --inspect: importing it costs ~19 MB RSS a plain run never uses
  const statelyModule = values.inspect || values['inspect-url'] ? await import('../../inspect/stately.js') : undefined;
  const stately = statelyModule?.connectStatelyInspector({ ...(values['inspect-url'] ? { url: values['inspect-url'] } : {}), logger: log });
  const inspect = recorder || stately ? fanOutInspection(stately?.inspect, recorder?.inspect) : undefined;
  const tv = createTickvisor(config, {
    logger: log,
    lifecycleLogLevel: quietLifecycle ? 'debug' : 'info',
    ...(values.data ? { dataDir: values.data } : {}),
    ...(inspect ? { inspect } : {}),
  });
  await tv.start();
  let http: Awaited<ReturnType<typeof serveTickvisor>> | undefined;
  try {
    http = config.metrics.enabled
      ? await serveTickvisor(tv, { host: config.metrics.host, port: config.metrics.port, silentCoinMs: config.alerts.silentCoinMs })
      : undefined;
  } catch (error) {
    await tv.stop();
    throw error;
  }
  let ticks = 0;
  const committed = () => tv.throughput().committed;
  const summary = subscriptionSummary();
  const tick = () => {
    const figures = statusFigures(tv.state());
    const note = summary(figures);
    if (note) log.info(note);
    // a log reads the line every 5 s; a terminal redraws it every second
    if (!terminal && ticks++ % 5 !== 0) return;
    // the same reading the status page shows (tv.throughput): one rate, one window
    const t = tv.throughput();
    const alerts = tv.alertSummary();
    if (terminal) terminal.status((width) => statusLine(figures, t.recordsPerSecond, t.committed, alerts, width));
    else out.write(`${statusLine(figures, t.recordsPerSecond, t.committed, alerts)}\n`);
  };
  const timer = setInterval(tick, 1_000);

  // signal handlers before the banner: a SIGTERM sent as soon as "running" shows must still
  // flush and close the store, not take the default action and kill the process mid-write
  return new Promise<number>((resolve) => {
    let stopping = false;
    const shutdown = (signal: string) => {
      if (stopping) return;
      stopping = true;
      clearInterval(timer);
      terminal?.release();
      out.write(`${signal}: stopping subscriptions, flushing, closing the store\n`);
      const deadline = setTimeout(() => {
        // trades and tickers in the pipelines, and book records in the book store's writer
        const books = tv.bookStoreStats();
        const unstored = Object.values(tv.pipelineStats()).reduce((n, p) => n + p.buffered + p.inFlight, 0) + books.pending;
        const failing = Object.values(tv.pipelineStats()).some((p) => p.writeFailing) || books.writeFailing;
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
    if (stately) out.write(`  inspection     Stately inspector relay at ${values['inspect-url'] ?? statelyModule?.DEFAULT_STATELY_URL} (connects when it is up)\n`);
  });
}
