/**
 * The project's coded errors (a table, as fastify's; docs/architecture.md#conventions). Callers test `err.code`, never the text;
 * the original error rides along as `cause`. A user's mistake (bad config, unknown exchange,
 * missing file) is a TickvisorError with `userError: true`: the CLI prints its one-line message
 * and exits non-zero, never a stack trace.
 */
export const ERROR_CODES = {
  TV_ERR_CONFIG_INVALID: 'the configuration does not validate',
  TV_ERR_CONFIG_NOT_FOUND: 'the configuration file does not exist',
  TV_ERR_UNKNOWN_VENUE: 'an exchange or market the project does not speak',
  TV_ERR_USAGE: 'a command line that does not parse',
  TV_ERR_FILE_NOT_FOUND: 'an input file that does not exist',
  TV_ERR_SCENARIO_INVALID: 'a simulation scenario that does not validate',
  TV_ERR_FEED_STALE: 'a feed silent past its deadline',
  TV_ERR_NOT_STARTED: 'an operation that needs a started instance',
  TV_ERR_PORT_IN_USE: 'the metrics/status port is taken',
  TV_ERR_HTTP_LISTEN: 'the metrics/status server could not listen',
  TV_ERR_LISTEN: 'a server (exchange-sim) could not listen on the address given',
  TV_ERR_OUTPUT_FILE: 'an output file that cannot be written',
  TV_ERR_INVALID_ARGUMENT: 'a library call with an argument out of range',
  TV_ERR_UNKNOWN_SYMBOL: 'a configured symbol the venue does not list',
  TV_ERR_NATS_URL: 'a NATS server URL that does not parse',
  TV_ERR_NATS_UNREACHABLE: 'no NATS server answered at the URLs given',
  TV_ERR_NATS_SETUP: 'a NATS stream, bucket or consumer exists with settings tickvisor cannot use',
  TV_ERR_NATS_JETSTREAM: 'JetStream did not answer while a node or the archiver set up its stream and buckets',
  TV_ERR_NATS_MISSING: 'a cluster scenario needs nats-server, which is not installed',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class TickvisorError extends Error {
  readonly code: ErrorCode;
  /** a mistake in what the user gave us (config, arguments, files), not a bug */
  readonly userError: boolean;
  constructor(code: ErrorCode, message: string, options: { cause?: unknown; userError?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TickvisorError';
    this.code = code;
    this.userError = options.userError ?? true;
  }
}

/** Any coded error marked as the user's mistake (module errors carry `userError` too). */
export function isUserError(error: unknown): error is Error & { code: string; userError: true } {
  return error instanceof Error && (error as { userError?: unknown }).userError === true;
}
