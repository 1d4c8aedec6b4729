/**
 * Order books on /metrics, one series per coin with a book (labels exchange, market, symbol: the
 * coin's own, bounded like every coin series). Counters are the venue's own totals since start
 * (src/ingest/venue-books.ts), set at each scrape, so they stay monotonic.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { BookRow } from '../ingest/venue-books.js';

const COIN = ['exchange', 'market', 'symbol'] as const;

/** the book state codes of tickvisor_book_state */
export const BOOK_STATE_CODES = { syncing: 0, live: 1, resyncing: 2 } as const;

export type BookMetricRow = BookRow & { exchange: string; market: string };

export function createBookMetrics(registry: Registry): (rows: readonly BookMetricRow[], now: number) => void {
  const registers = [registry];
  const m = {
    state: new Gauge({ name: 'tickvisor_book_state', help: 'Order book state code: 0=syncing, 1=live, 2=resyncing', labelNames: COIN, registers }),
    resyncs: new Counter({ name: 'tickvisor_book_resyncs_total', help: 'Times the book broke and was rebuilt (sequence gap or checksum failure)', labelNames: COIN, registers }),
    gaps: new Counter({ name: 'tickvisor_book_sequence_gaps_total', help: 'Breaks found by the venue\'s update ids', labelNames: COIN, registers }),
    checksums: new Counter({ name: 'tickvisor_book_checksum_failures_total', help: 'Breaks found by the venue\'s checksum (OKX)', labelNames: COIN, registers }),
    overflowed: new Counter({ name: 'tickvisor_book_buffer_overflows_total', help: 'Times updates buffered for a snapshot outgrew the buffer and a fresher snapshot was asked for', labelNames: COIN, registers }),
    age: new Gauge({ name: 'tickvisor_book_age_seconds', help: 'Now minus the exchange time of the live book\'s last update (absent while not live)', labelNames: COIN, registers }),
    levels: new Gauge({ name: 'tickvisor_book_levels', help: 'Price levels the live book holds per side', labelNames: [...COIN, 'side'], registers }),
  };
  return (rows, now) => {
    for (const metric of Object.values(m)) metric.reset();
    for (const r of rows) {
      const labels = { exchange: r.exchange, market: r.market, symbol: r.symbol };
      m.state.set(labels, BOOK_STATE_CODES[r.state]);
      m.resyncs.inc(labels, r.counters.resyncs);
      m.gaps.inc(labels, r.counters.sequenceGaps);
      m.checksums.inc(labels, r.counters.checksumFailures);
      m.overflowed.inc(labels, r.counters.overflowed);
      if (Number.isFinite(r.timestamp)) m.age.set(labels, Math.max(0, now - r.timestamp) / 1000);
      if (r.state === 'live') {
        m.levels.set({ ...labels, side: 'bid' }, r.bidLevels);
        m.levels.set({ ...labels, side: 'ask' }, r.askLevels);
      }
    }
  };
}
