export { openHistoryStore } from './open.js';
export type { HistoryStore, HistoryStoreOptions, RangeQuery, TradeCursor, WriteOptions, WriteResult } from './types.js';
export { StoreError, type StoreErrorCode } from './errors.js';
export { createStoreFaultGate, type ArmableStoreFaultGate, type StoreFaultGate } from './fault-gate.js';
