/**
 * tickvisor collecting books (channel `book` only) for the book bench: createTickvisor with a temp
 * store, pointed at a simulator process. An update counts as applied when tickvisor has applied it to
 * its book and handed its record on (tv.bookUpdates$: the records the live path gives its book sink,
 * the store's when it keeps books), and as stored once no record is left uncommitted before it (the
 * applied count less what the sink still holds): the burst is measured to the last stored update, so
 * the sink's last commit is in its CPU. The final books come from tv.book().
 * Imported as the package ('tickvisor'), like tickvisor-side.ts.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Subscription } from 'rxjs';
import { createTickvisor, type Tickvisor } from 'tickvisor';
import type { TopBooks } from './lib/book-compare.js';

export interface BookSide {
  tv: Tickvisor;
  /** book updates applied and handed on since start */
  applied(): number;
  /** of those, the ones stored: applied less the records the book sink holds uncommitted */
  stored(): number;
  /** symbols whose book is live */
  synced(): number;
  books(depth: number): TopBooks;
  /** bytes of the store's data file now (its growth over a burst says whether books were stored) */
  storeBytes(): number;
  close(): Promise<void>;
}

export async function startBookSide(endpoints: { wsUrl: string; restUrl: string }, symbols: string[], groupSize: number): Promise<BookSide> {
  const dir = mkdtempSync(join(tmpdir(), 'tickvisor-bench-book-'));
  const tv = createTickvisor({
    exchanges: [{ exchange: 'binance', market: 'spot', symbols, channels: ['book'], groupSize, refreshIntervalMs: 0, ...endpoints }],
    store: { path: dir },
    log: { level: 'silent' },
  });
  let applied = 0;
  const sub: Subscription = tv.bookUpdates$.subscribe((r) => {
    if (r.kind === 'update') applied++;
  });
  await tv.start();
  const book = (s: string) => tv.book('binance', 'spot', s, 10);
  return {
    tv,
    applied: () => applied,
    stored: () => Math.max(0, applied - tv.bookStoreStats().pending),
    synced: () => symbols.filter((s) => book(s)?.synced === true).length,
    books: (depth) => {
      const out: TopBooks = {};
      for (const s of symbols) {
        const b = tv.book('binance', 'spot', s, depth);
        out[s] = b?.synced === true ? { bids: b.bids.map(([p, a]) => [p, a]), asks: b.asks.map(([p, a]) => [p, a]) } : null;
      }
      return out;
    },
    storeBytes: () => statSync(join(dir, 'data.mdb'), { throwIfNoEntry: false })?.size ?? 0,
    close: async () => {
      sub.unsubscribe();
      await tv.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
