/**
 * `for await` over the live record stream: a pure wrapper over an Observable (tv.records$), for
 * users of tardis-machine and ccxt who read market data with async iteration.
 *
 * The buffer between the stream and a slow loop is bounded and drops the OLDEST record when full:
 * the collector never waits for a consumer (the store still gets every record; only this view
 * skips), so a loop that falls behind sees the newest data and `dropped` says how much it missed.
 * The iteration ends when the stream completes (tv.stop()), and breaking out of the loop (or
 * `return()`) unsubscribes at once.
 */
import { filter, type Observable, type Subscription } from '../rx.js';
import { TickvisorError } from '../errors.js';
import type { ExchangeId, Market, MarketRecord, Ticker, Trade } from '../records.js';

export const DEFAULT_ITERATOR_BUFFER = 10_000;

/** which records a `tv.trades()` / `tv.tickers()` loop sees; an absent field matches every value */
export interface RecordFilter {
  exchange?: ExchangeId;
  market?: Market;
  symbol?: string;
  /** records held for a loop that falls behind; past it the oldest are dropped (default 10 000) */
  bufferSize?: number;
}

export interface RecordIterator<T> extends AsyncIterableIterator<T> {
  /** records dropped (oldest first) because the loop fell more than `bufferSize` behind */
  readonly dropped: number;
}

/**
 * Subscribes at once (records arriving before the first `next()` are kept), yields in order,
 * drops the oldest past `bufferSize`, ends when the source completes, throws the source's error.
 */
export function iterate<T>(source$: Observable<T>, bufferSize = DEFAULT_ITERATOR_BUFFER): RecordIterator<T> {
  if (!Number.isInteger(bufferSize) || bufferSize < 1) {
    throw new TickvisorError('TV_ERR_INVALID_ARGUMENT', `bufferSize must be a positive integer, got ${bufferSize}`);
  }
  let queue: T[] = [];
  let head = 0;
  let dropped = 0;
  let done = false;
  let failure: { error: unknown } | undefined;
  let waiting: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined;

  const size = () => queue.length - head;
  const finish = (f?: { error: unknown }) => {
    if (done) return;
    done = true;
    failure = f;
    const w = waiting;
    waiting = undefined;
    if (w && f) w.reject(f.error);
    else if (w) w.resolve({ value: undefined, done: true });
  };

  let subscription: Subscription | undefined = source$.subscribe({
    next: (value) => {
      if (done) return;
      if (waiting) {
        const w = waiting;
        waiting = undefined;
        w.resolve({ value, done: false });
        return;
      }
      queue.push(value);
      if (size() > bufferSize) {
        head++;
        dropped++;
      }
      // compact now and then so the array does not grow with everything ever read
      if (head > 1024 && head * 2 > queue.length) {
        queue = queue.slice(head);
        head = 0;
      }
    },
    error: (error: unknown) => finish({ error }),
    complete: () => finish(),
  });

  const iterator: RecordIterator<T> = {
    get dropped() {
      return dropped;
    },
    next(): Promise<IteratorResult<T>> {
      if (size() > 0) {
        const value = queue[head] as T;
        head++;
        if (head === queue.length) {
          queue = [];
          head = 0;
        }
        return Promise.resolve({ value, done: false });
      }
      if (failure) {
        const f = failure;
        failure = undefined;
        return Promise.reject(f.error);
      }
      if (done) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve, reject) => {
        waiting = { resolve, reject };
      });
    },
    return(): Promise<IteratorResult<T>> {
      subscription?.unsubscribe();
      subscription = undefined;
      queue = [];
      head = 0;
      failure = undefined;
      finish();
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

function matches(r: MarketRecord, f: RecordFilter): boolean {
  return (f.exchange === undefined || r.exchange === f.exchange)
    && (f.market === undefined || r.market === f.market)
    && (f.symbol === undefined || r.symbol === f.symbol);
}

/** the trades of `records$` that match the filter, as an async iterator */
export function iterateTrades(records$: Observable<MarketRecord>, options: RecordFilter = {}): RecordIterator<Trade> {
  return iterate(records$.pipe(filter((r): r is Trade => r.type === 'trade' && matches(r, options))), options.bufferSize);
}

/** the tickers of `records$` that match the filter, as an async iterator */
export function iterateTickers(records$: Observable<MarketRecord>, options: RecordFilter = {}): RecordIterator<Ticker> {
  return iterate(records$.pipe(filter((r): r is Ticker => r.type === 'ticker' && matches(r, options))), options.bufferSize);
}
