/**
 * Appending whole BookRecords to the book store in one durable transaction, through the code
 * BookSink commits with (write.ts commitBookRuns, the same keys and blocks): what the cluster
 * archiver writes with. Unlike the sink it holds nothing between calls and never sheds: the
 * caller (which acks its messages only after this resolves) decides what is written and retries.
 */
import type { RootDatabase } from 'lmdb';
import type { BookRecord } from '../../records.js';
import { openBookDbs, type BookDbs } from './keys.js';
import { PendingRun } from './pending-run.js';
import { bookSymbolId, type SheddableRun } from './shed.js';
import { BookKeyCache, bookSymbolStorable, commitBookRuns } from './write.js';
import { storedBookTip, type StoredBookTip } from './tip.js';

export class BookAppender {
  readonly dbs: BookDbs;
  private readonly keys = new BookKeyCache();

  constructor(private readonly env: RootDatabase, private readonly options: { durable?: boolean } = {}) {
    this.dbs = openBookDbs(env);
  }

  /** where the symbol's stored book stands now */
  tip(r: Pick<BookRecord, 'exchange' | 'market' | 'symbol'>): StoredBookTip | undefined {
    return storedBookTip(this.dbs, r.exchange, r.market, r.symbol);
  }

  /**
   * Stores `records` (each symbol's in the order given) in one transaction and resolves once it is
   * on disk; throws (nothing stored) on a record no key or column can hold, or a failed commit.
   */
  async append(records: readonly BookRecord[]): Promise<void> {
    if (records.length === 0) return;
    const runs = new Map<string, SheddableRun>();
    for (const r of records) {
      const id = bookSymbolId(r);
      let s = runs.get(id);
      if (s === undefined) {
        if (!bookSymbolStorable(r)) throw new Error(`book record of an unstorable symbol ${r.exchange}:${r.market}:${String(r.symbol)}`);
        runs.set(id, (s = { run: new PendingRun(r.exchange, r.market, r.symbol, id), committing: 0 }));
      }
      if (!s.run.push(r)) throw new Error(`book record ${r.kind} of ${r.symbol} at ${r.timestamp} cannot be stored`);
      s.committing = s.run.count;
    }
    await commitBookRuns(this.env, this.dbs, this.keys, [...runs.values()], this.options.durable !== false);
  }
}
