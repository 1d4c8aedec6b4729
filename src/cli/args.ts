/** Argument parsing shared by the commands: node's parseArgs, with usage mistakes as coded errors. */
import { TickvisorError } from '../errors.js';

export { parseArgs } from 'node:util';

/** Runs a parseArgs call, turning its complaints into one coded usage line. */
export function usage<T>(command: string, parse: () => T): T {
  try {
    return parse();
  } catch (cause) {
    throw new TickvisorError('TV_ERR_USAGE', `${(cause as Error).message} (see tickvisor ${command} --help)`, { cause });
  }
}

/** A required option's value, or the one usage line every command gives when it is missing. */
export function requiredOption(command: string, name: string, value: string | undefined): string {
  if (!value) throw new TickvisorError('TV_ERR_USAGE', `--${name} is required (see tickvisor ${command} --help)`);
  return value;
}

/** `--from`/`--to`: ms since epoch or an ISO date; undefined when absent. */
export function timeOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(n)) throw new TickvisorError('TV_ERR_USAGE', `--${name} is not a time: ${value} (ms since epoch or ISO date)`);
  return n;
}

export function intOption(command: string, name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new TickvisorError('TV_ERR_USAGE', `--${name} must be a non-negative integer, got ${value}`);
  return n;
}
