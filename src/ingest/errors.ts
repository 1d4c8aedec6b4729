/** Coded pipeline errors; to be folded into the shared src/errors.ts table once it exists. */
export type PipelineErrorCode = 'TV_ERR_PIPELINE_CLOSED' | 'TV_ERR_PIPELINE_OPTIONS';

export class PipelineError extends Error {
  readonly code: PipelineErrorCode;
  constructor(code: PipelineErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PipelineError';
    this.code = code;
  }
}
