export { openHistoryStore } from './open.js';
export type { HistoryStore, HistoryStoreOptions, RangeQuery, TradeCursor, WriteOptions, WriteResult } from './types.js';
export { StoreError, type StoreErrorCode } from './errors.js';
export { createStoreFaultGate, type ArmableStoreFaultGate, type StoreFaultGate } from './fault-gate.js';
export type { OpenedHistoryStore } from './open.js';
export { QuarantineWriter, readQuarantine, type QuarantineCount, type QuarantineExample, type QuarantinedFrame } from './quarantine.js';
export { RawFrameWriter, readRawFrames, listingAt, type RawFrame } from './raw-frames.js';
