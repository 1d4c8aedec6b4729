/** The `tickvisor` command: a thin shell over the library. A user's mistake is one line, never a stack. */
import { isUserError } from '../errors.js';
import { isClosedPipe } from './output.js';
import { packageVersion } from './version.js';

interface Command {
  help: string;
  run(argv: string[]): Promise<number>;
}

/**
 * Each command's module is loaded when that command runs: `tickvisor run` then does not load the
 * NATS client, the Parquet writer or the simulator's scenario code (measured: 100 → 91 MB resident
 * right after loading, before any work).
 */
const COMMANDS: Record<string, { load: () => Promise<Command>; summary: string }> = {
  run: { load: () => import('./commands/run.js'), summary: 'run the supervision tree (embedded simulated default without --config)' },
  simulate: { load: () => import('./commands/simulate.js'), summary: 'play a fault scenario against the tree and compare the store with the ground truth' },
  parse: { load: () => import('./commands/parse.js'), summary: 'raw WebSocket frames (one per line) → normalized records as JSON lines' },
  'exchange-sim': { load: () => import('./commands/exchange-sim.js'), summary: "serve the simulated exchanges standalone (a scenario's faults optional)" },
  query: { load: () => import('./commands/query.js'), summary: 'read stored history as JSON lines or CSV' },
  export: { load: () => import('./commands/export.js'), summary: 'write stored history into one Parquet, CSV or JSON lines file' },
  quarantine: { load: () => import('./commands/quarantine.js'), summary: 'frames the parsers could not read: counts per reason and kept examples' },
  reparse: { load: () => import('./commands/reparse.js'), summary: 'rebuild stored history from kept raw frames (store.raw) with today\'s parsers' },
  archive: { load: () => import('./commands/archive.js'), summary: 'consume a tickvisor cluster\'s NATS JetStream stream into a local store, exactly once' },
  cluster: { load: () => import('./commands/cluster.js'), summary: 'cluster status: leases per work unit, published cursors, the stream and its consumers' },
  migrate: { load: () => import('./commands/migrate.js'), summary: 'convert a store written by tickvisor 0.1 to the current store format' },
  diagrams: { load: () => import('./commands/diagrams.js'), summary: 'regenerate docs/state-diagrams.md from the machines' },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    'tickvisor — real-time crypto market data collector, supervised by XState actors',
    '',
    'usage: tickvisor <command> [options]',
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'tickvisor <command> --help shows a command\'s options; tickvisor --version its version.',
  ].join('\n');
}

let stdoutGuarded = false;

/**
 * `tickvisor … | head -1`: once the reader is gone, writes to stdout fail with EPIPE, emitted as
 * an 'error' event that, unheard, kills the process with a stack trace. Heard here for every
 * command: the output ends quietly; commands that print a lot also stop producing (output.ts).
 */
function guardStdout(): void {
  if (stdoutGuarded) return;
  stdoutGuarded = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (!isClosedPipe(error)) throw error;
  });
}

let lmdbConsoleGuarded = false;

/**
 * lmdb-js prints the error of every failed asynchronous commit with its stack (console.error in
 * its write.js), beside the rejection our store handles and logs in one line of its own: on a full
 * disk that was a stack trace a second in the middle of the log. Here it becomes one log line.
 */
function guardLmdbConsole(): void {
  if (lmdbConsoleGuarded) return;
  lmdbConsoleGuarded = true;
  const original = console.error.bind(console);
  console.error = (...args: unknown[]): void => {
    const [first] = args;
    if (args.length === 1 && first instanceof Error && /[\\/]lmdb[\\/]/.test(first.stack ?? '')) {
      const code = (first as { code?: unknown }).code;
      process.stderr.write(`${JSON.stringify({ level: 40, time: Date.now(), app: 'tickvisor', err: first.message, ...(code !== undefined ? { code } : {}), msg: 'lmdb: a store commit failed' })}\n`);
      return;
    }
    original(...args);
  };
}

export async function main(argv: string[]): Promise<number> {
  guardStdout();
  guardLmdbConsole();
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v' || name === 'version') {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name === undefined ? 2 : 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    process.stderr.write(`tickvisor: unknown command '${name}'\n\n${usage()}\n`);
    return 2;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.help + '\n');
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (isUserError(error)) {
      // several mistakes at once (unlisted symbols on two venues) are one line each
      for (const line of error.message.split('\n')) process.stderr.write(`tickvisor ${name}: ${line}\n`);
      return 2;
    }
    // a write that failed because the reader left is the reader's choice, not the command's failure
    if (isClosedPipe(error)) return 0;
    // not the user's mistake, but still one line: the stack only when asked for
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`tickvisor ${name}: unexpected error: ${message.split('\n')[0]} (TICKVISOR_DEBUG=1 shows the stack)\n`);
    if (process.env.TICKVISOR_DEBUG) process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    return 1;
  }
}
