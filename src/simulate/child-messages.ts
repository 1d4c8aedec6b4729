/** The IPC messages between a scripted run and the collector it runs in a child process. */
import type { Alert } from '../alerts/index.js';
import type { CollectorStatus } from './collector.js';

export type FromChild =
  | { type: 'started' }
  | { type: 'status'; status: CollectorStatus; latencies: number[] }
  | { type: 'alert'; alert: Alert }
  | { type: 'drained' }
  | { type: 'failed'; message: string };

/** `store-full`: the child's store commits fail until `untilMs` (wall clock, shared by both processes) */
export type ToChild = { type: 'drain' } | { type: 'stop' } | { type: 'store-full'; untilMs: number };

/** how often the child reports its status (and the latencies measured since) */
export const STATUS_INTERVAL_MS = 50;
