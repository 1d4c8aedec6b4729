/**
 * The last stage: hands one batch to the store as one transaction. A batch of trades held as
 * columns goes to the store as columns when it takes them (writeTradeRows), else as records. Tells
 * the store which symbols have a known hole right now, asked at each write (it keeps their resume
 * point where it was), and turns a sink that throws synchronously into a rejected write, so the
 * batch writer has one failure path to retry.
 */
import type { HistoryStore, WriteResult } from '../store/types.js';
import type { TakenBatch } from './taken-batch.js';

export type StoreSink = (batch: TakenBatch) => Promise<WriteResult>;

/** the symbols of a batch (one per row) → those of them with a known hole right now */
export type OpenGaps = (symbols: readonly string[]) => ReadonlySet<string>;

export function storeSink(store: Pick<HistoryStore, 'writeBatch' | 'writeTradeRows'>, openGaps?: OpenGaps): StoreSink {
  return (batch) => {
    try {
      const options = openGaps ? { openGaps: openGaps(batch.symbols) } : undefined;
      const rows = batch.trades;
      if (rows !== undefined && store.writeTradeRows !== undefined) return options ? store.writeTradeRows(rows, options) : store.writeTradeRows(rows);
      return options ? store.writeBatch(batch.records, options) : store.writeBatch(batch.records);
    } catch (error) {
      return Promise.reject(error);
    }
  };
}
