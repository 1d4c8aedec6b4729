/**
 * Coded error for a grouping request that cannot be satisfied (callers test `err.code`).
 * It extends RangeError because every case is an argument outside its valid range.
 * (Kept here until a shared src/errors.ts exists; then it moves there unchanged.)
 */
export class GroupingInputError extends RangeError {
  readonly code = 'TV_ERR_GROUPING_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'GroupingInputError';
  }
}
