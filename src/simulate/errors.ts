/** Coded errors of a scripted run that are not the user's mistake (the run itself failed). */
export type SimulateErrorCode = 'TV_ERR_SIMULATE_CHILD' | 'TV_ERR_SIMULATE_ABORTED';

export class SimulateError extends Error {
  readonly code: SimulateErrorCode;
  readonly userError = false;
  constructor(code: SimulateErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SimulateError';
    this.code = code;
  }
}
