/** The IPC messages between a scripted run and the collector it runs in a child process. */
import type { Alert } from '../alerts/index.js';
import type { BookKey, SampledBook } from './book-sampler.js';
import type { CollectorStatus } from './collector.js';

/** a cluster node's side of its status: the units it holds now and what its publisher did */
export interface NodeClusterStatus {
  /** units held now, as `unit` or `unit#slot` */
  held: string[];
  duplicatesDropped: number;
  publishedTrades: number;
  backlog: number;
}

/** one book as the child holds it at a status: its top levels and its resyncs so far */
export interface ChildBookReading {
  key: BookKey;
  book?: SampledBook;
  resyncs?: number;
}

export type FromChild =
  | { type: 'started' }
  | { type: 'status'; status: CollectorStatus; commits: number[]; cluster?: NodeClusterStatus; books?: ChildBookReading[] }
  | { type: 'alert'; alert: Alert }
  | { type: 'drained' }
  | { type: 'failed'; message: string };

/** `store-full`: the child's store commits fail until `untilMs` (wall clock, shared by both processes) */
export type ToChild =
  | { type: 'drain' }
  | { type: 'stop' }
  | { type: 'store-full'; untilMs: number }
  /** from now on each status carries these books' top `depth` levels (a book scenario's sampler reads them) */
  | { type: 'watch-books'; books: BookKey[]; depth: number };

/** how often the child reports its status (and the trades committed since) */
export const STATUS_INTERVAL_MS = 50;
