/** Coded errors of the HTTP server; to be folded into the shared src/errors.ts table by the lead. */
export type HttpErrorCode = 'TV_ERR_PORT_IN_USE' | 'TV_ERR_HTTP_LISTEN';

export class HttpServerError extends Error {
  readonly code: HttpErrorCode;
  /** the CLI prints the one-line message and exits non-zero (a port is the user's choice) */
  readonly userError = true;
  constructor(code: HttpErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HttpServerError';
    this.code = code;
  }
}
