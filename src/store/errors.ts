/**
 * Coded store errors (STYLE: callers test `err.code`, never the text).
 * They belong in the shared src/errors.ts table once it exists; kept here so the store stands alone.
 */
export type StoreErrorCode =
  | 'TV_ERR_STORE_CLOSED'
  | 'TV_ERR_STORE_INVALID_RECORD'
  | 'TV_ERR_STORE_CORRUPT_VALUE';

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
  }
}
