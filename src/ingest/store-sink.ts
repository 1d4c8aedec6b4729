/**
 * The last stage: hands one batch to the store as one transaction. Tells the store which symbols
 * have a known hole right now, asked at each write (it keeps their resume point where it was), and
 * turns a sink that throws synchronously into a rejected write, so the batch writer has one
 * failure path to retry.
 */
import type { MarketRecord } from '../records.js';
import type { HistoryStore, WriteResult } from '../store/types.js';

export type StoreSink = (batch: readonly MarketRecord[]) => Promise<WriteResult>;

export function storeSink(store: Pick<HistoryStore, 'writeBatch'>, openGaps?: (batch: readonly MarketRecord[]) => ReadonlySet<string>): StoreSink {
  return (batch) => {
    try {
      return openGaps ? store.writeBatch(batch, { openGaps: openGaps(batch) }) : store.writeBatch(batch);
    } catch (error) {
      return Promise.reject(error);
    }
  };
}
