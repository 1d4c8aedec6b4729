/** The IPC messages between a scripted run and the collector it runs in a child process. */
import type { Alert } from '../alerts/index.js';
import type { CollectorStatus } from './collector.js';

/** a cluster node's side of its status: the units it holds now and what its publisher did */
export interface NodeClusterStatus {
  /** units held now, as `unit` or `unit#slot` */
  held: string[];
  duplicatesDropped: number;
  publishedTrades: number;
  backlog: number;
}

export type FromChild =
  | { type: 'started' }
  | { type: 'status'; status: CollectorStatus; latencies: number[]; cluster?: NodeClusterStatus }
  | { type: 'alert'; alert: Alert }
  | { type: 'drained' }
  | { type: 'failed'; message: string };

/** `store-full`: the child's store commits fail until `untilMs` (wall clock, shared by both processes) */
export type ToChild = { type: 'drain' } | { type: 'stop' } | { type: 'store-full'; untilMs: number };

/** how often the child reports its status (and the latencies measured since) */
export const STATUS_INTERVAL_MS = 50;
