export { createPipeline } from './pipeline.js';
export type { CommittedBatch, Pipeline, PipelineLogger, PipelineOptions, PipelineStats, RecordOrigin, SubmitResult } from './pipeline.js';
export { ClockOffsetEstimator, type ClockOffsetOptions } from './clock-offset.js';
export { validateRecord, isLate, REJECT_REASONS, type RejectReason, type ValidationContext } from './validate.js';
export { TradeDedup, type TradeDedupOptions } from './dedup.js';
export { LatestCache, type LatestCacheReader, type LatestState } from './cache.js';
export { systemClock, backgroundClock, type Clock, type TimerHandle } from '../time/clock.js';
export { PipelineError, type PipelineErrorCode } from './errors.js';
