export { CoinActivity, createCoinActivity, type CoinActivityOptions, type CoinActivityView, type SilentCoin, type SymbolRecord } from './coin-activity.js';
export { createMetrics, MANAGER_STATE_CODES, type CollectorFigures, type MetricsFigures, type MetricsOptions, type TickvisorMetrics } from './registry.js';
export { MonotonicCounters } from './monotonic.js';
export { RateMeter } from './rate-meter.js';
