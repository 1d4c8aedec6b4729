/**
 * One pino root logger; modules take children bound to exchange / market / connector / symbol
 * (bindings.ts). Logs go to stderr so stdout stays clean for command output (`--json`, `query`,
 * `parse`): JSON lines, or pino-pretty's readable lines when stderr is a terminal. Pretty printing
 * runs as a stream in this process (no worker thread) and only for a human watching — JSON is the
 * cheap format, and the one machines read.
 */
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import { createRequire } from 'node:module';
import type PinoPretty from 'pino-pretty';
import { TickvisorError } from '../errors.js';

/**
 * pino-pretty is loaded on first use, synchronously (it is CommonJS): a service logging JSON never
 * needs it, and importing it costs ~11 MB RSS.
 */
let prettyModule: typeof PinoPretty | undefined;
function pretty(): typeof PinoPretty {
  prettyModule ??= createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
  return prettyModule;
}

export type { Logger, LevelWithSilent };

export interface LoggerOptions {
  /** where lines go; default stderr (fd 2), asynchronously buffered */
  destination?: DestinationStream | NodeJS.WritableStream;
  /** readable lines instead of JSON; default: when stderr is a TTY */
  pretty?: boolean;
  /** colours in readable lines; default: only when writing to stderr itself and it supports them */
  colorize?: boolean;
}

export function createLogger(level: LevelWithSilent = 'info', options: LoggerOptions = {}): Logger {
  const opts = { level, base: { app: 'tickvisor' } };
  const usePretty = options.pretty ?? (options.destination === undefined && process.stderr.isTTY === true);
  if (usePretty) {
    return pino(
      opts,
      pretty()({
        destination: options.destination ?? 2,
        sync: false,
        colorize: options.colorize ?? (options.destination === undefined && pretty().isColorSupported),
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname,app',
      }),
    );
  }
  return pino(opts, (options.destination as DestinationStream | undefined) ?? pino.destination({ fd: 2, sync: false }));
}

/**
 * A log file for services (`run --log-file`): appended to, the directory created when missing.
 * Written synchronously: log lines are lifecycle notes, never per tick, and none is lost when the
 * process exits right after writing one.
 */
export function logFileDestination(path: string): DestinationStream {
  try {
    return pino.destination({ dest: path, sync: true, mkdir: true, append: true });
  } catch (cause) {
    throw new TickvisorError('TV_ERR_OUTPUT_FILE', `cannot write the log file ${path}: ${(cause as Error).message}`, { cause });
  }
}

/** colours suit readable lines that end up on the terminal's stderr */
export function stderrTakesColour(): boolean {
  return process.stderr.isTTY === true && pretty().isColorSupported;
}

/** For tests and embedded use that wants nothing printed. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
