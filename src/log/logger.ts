/**
 * One pino root logger; modules take children bound to exchange / market / connector / symbol.
 * Logs go to stderr so stdout stays clean for command output (`--json`, `query`, `parse`).
 */
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

export function createLogger(level: LevelWithSilent = 'info'): Logger {
  return pino({ level, base: { app: 'tickvisor' } }, pino.destination({ fd: 2, sync: false }));
}

/** For tests and embedded use that wants nothing printed. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
