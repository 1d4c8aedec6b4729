/**
 * Coded store errors: callers test `err.code`, never the text.
 * They belong in the shared src/errors.ts table once it exists; kept here so the store stands alone.
 */
export type StoreErrorCode =
  | 'TV_ERR_STORE_CLOSED'
  | 'TV_ERR_STORE_INVALID_RECORD'
  | 'TV_ERR_STORE_CORRUPT_VALUE'
  /** the directory cannot hold a store (not a directory, not writable, under a file...) */
  | 'TV_ERR_STORE_OPEN'
  /** the store was written in another store format (an older tickvisor's: migrate it; a newer one's) */
  | 'TV_ERR_STORE_FORMAT'
  /** a store opened read-only (`tickvisor query`) was asked to write */
  | 'TV_ERR_STORE_READ_ONLY'
  /** a commit failed (disk full, I/O error) or a fault gate refused it; the batch was not stored */
  | 'TV_ERR_STORE_WRITE_FAILED';

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  /** a store that cannot be opened is the user's path to fix: the CLI prints one line, no stack */
  readonly userError: boolean;
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown; userError?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StoreError';
    this.code = code;
    this.userError = options?.userError ?? false;
  }
}
