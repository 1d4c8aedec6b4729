/**
 * tickvisor's public API (docs/architecture.md#public-api): one entry point, a curated list of named exports.
 *   import { createTickvisor } from 'tickvisor';
 */
export { createTickvisor } from './compose/tickvisor.js';
export { embeddedSimulator } from './compose/embedded-simulator.js';
export type { AlertSummary, SimulatorLauncher, StopOptions, Tickvisor, TickvisorOptions } from './runtime/tickvisor.js';
export { iterate, type RecordFilter, type RecordIterator } from './runtime/record-iterator.js';
export { readStateTree, walk, type ActorNode } from './runtime/state-tree.js';
export { resolveConfig, loadConfigFile, defaultConfig } from './config/load.js';
export type { TickvisorConfig, TickvisorConfigInput, ExchangeConfig, ClusterConfig } from './config/schema.js';
export type { UnitLease } from './cluster/node.js';
export type { PublisherStats } from './cluster/publisher.js';
// a library consumer of the cluster's stream (docs/cluster.md#data) reads its messages with these
export { decodeTradeBatch, decodeTradeBatchColumns, type TradeBatch, type TradeBatchColumns } from './cluster/batch-codec.js';
export { decodeTickerBatch, type TickerBatch } from './cluster/ticker-codec.js';
export { decodeBookBatch, type BookBatch, type LinkedBookRecord } from './cluster/book-codec.js';
export type { Trade, Ticker, MarketRecord, ExchangeId, Market, Channel } from './records.js';
export { EXCHANGE_IDS, MARKETS } from './records.js';
export { TickvisorError, ERROR_CODES, type ErrorCode } from './errors.js';
export { createAdapter, SUPPORTED_VENUES, MalformedFrameError } from './exchanges/index.js';
export type { ExchangeAdapter, Instrument, FrameParser, ParseResult, RestClient } from './exchanges/types.js';
export { startSimExchange } from './sim/index.js';
export type { SimExchange, SimOptions, SimFault, SimFaultKind, SimVenueOptions } from './sim/index.js';
export { parseInterval, type Candle, type CandleQuery } from './analysis/index.js';
export { openHistoryStore, type ColumnQuery, type ColumnReadOptions, type HistoryStore, type RangeQuery, type TradeColumns, type TradeCursor, type TradeIdColumn } from './store/index.js';
export type { BookAt, StoredBook, UnsyncedBook } from './store/index.js';
export { compareWithTruth, type Comparison } from './simulate/compare.js';
export type { LatestState } from './ingest/index.js';
export type { RecoveryFailedAlert } from '../machines/manager.js';
export * as machines from '../machines/index.js';
