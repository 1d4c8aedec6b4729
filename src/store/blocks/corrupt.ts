import { StoreError } from '../errors.js';

/** The one error a block decoder throws for bytes it cannot trust (truncated, foreign, inconsistent). */
export function corrupt(what: string): StoreError {
  return new StoreError('TV_ERR_STORE_CORRUPT_VALUE', `corrupt block value: ${what}`);
}

/** encode refuses columns that break the TradeColumns/TickerColumns contract instead of storing them wrong */
export function invalidColumns(what: string): StoreError {
  return new StoreError('TV_ERR_STORE_INVALID_RECORD', `cannot encode block: ${what}`);
}
