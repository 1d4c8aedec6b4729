/**
 * A node's committed book records as rows to publish (book-codec.ts), each linked to the record
 * the node stored before it for the same symbol (`prev`: that record's venue sequence). The
 * archiver continues its stored book only with a record whose link matches what it stored last
 * (book-archive.ts); the venue's sequences being the same on every node, a record of one node
 * continues another node's just as well. Memory: one number per symbol.
 */
import type { ExchangeId, Market } from '../records.js';
import type { CommittedBookRun } from '../store/books/sink.js';
import { bookRowFromColumns, type BookWireRow } from './book-codec.js';

const RESYNC = 2;

export interface BookRows {
  exchange: ExchangeId;
  market: Market;
  symbol: string;
  rows: BookWireRow[];
}

export class BookLinks {
  /** per symbol: the sequence of the last record committed, undefined after a resync or where the venue has none */
  private readonly last = new Map<string, number | undefined>();

  /** the runs of one commit (in commit order) as rows, one entry per symbol */
  rows(runs: readonly CommittedBookRun[]): BookRows[] {
    const out: BookRows[] = [];
    for (const { exchange, market, symbol, columns, count } of runs) {
      if (count === 0) continue;
      const key = `${exchange}\u0000${market}\u0000${symbol}`;
      let prev = this.last.get(key);
      const rows = new Array<BookWireRow>(count);
      for (let i = 0; i < count; i++) {
        rows[i] = bookRowFromColumns(columns, i, prev);
        const sequence = columns.sequences[i]!;
        prev = columns.kinds[i] === RESYNC || Number.isNaN(sequence) ? undefined : sequence;
      }
      this.last.set(key, prev);
      out.push({ exchange, market, symbol, rows });
    }
    return out;
  }
}
