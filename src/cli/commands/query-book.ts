/**
 * `tickvisor query … --type book`: a stored order book at one instant (`--at`), or a symbol's
 * stored book records over a range (`--from`/`--to`), as JSON lines.
 */
import type { ExchangeId, Market } from '../../records.js';
import { openHistoryStore, storedBookAt, storedBookRange } from '../../store/index.js';
import { stdoutWriter } from '../output.js';

/** exit code when the book at the instant asked is not consistent (a resync and no snapshot since) */
export const EXIT_NOT_SYNCED = 3;

export interface BookQuery {
  db: string;
  exchange: ExchangeId;
  market: Market;
  symbol: string;
  at?: number;
  depth?: number;
  from?: number;
  to?: number;
}

/** `--at T`: one line in `parse --book`'s shape; not synced at T is a line on stderr and exit 3 */
export async function printBookAt(q: BookQuery & { at: number }): Promise<number> {
  const store = openHistoryStore({ path: q.db, readOnly: true });
  const out = stdoutWriter();
  try {
    const book = storedBookAt(store.env, q.exchange, q.market, q.symbol, q.at, q.depth);
    const what = `${q.exchange} ${q.market} ${q.symbol}`;
    if (book === undefined) {
      process.stderr.write(`no book stored for ${what} at or before ${q.at} (no snapshot stored by then)\n`);
      return 0;
    }
    if (!book.synced) {
      process.stderr.write(`no consistent book for ${what} at ${q.at}: it broke at ${book.since} (${book.reason}) and no snapshot was stored since\n`);
      return EXIT_NOT_SYNCED;
    }
    const line = { type: 'book', exchange: book.exchange, market: book.market, symbol: book.symbol, timestamp: book.timestamp, bids: book.bids, asks: book.asks };
    await out.write(JSON.stringify(line) + '\n');
    return 0;
  } finally {
    out.close();
    await store.close();
  }
}

/** `--from`/`--to` (either may be absent): every stored record of the range, in stored order, streamed */
export async function printBookRange(q: BookQuery): Promise<number> {
  const store = openHistoryStore({ path: q.db, readOnly: true });
  const out = stdoutWriter();
  let matched = 0;
  try {
    const records = storedBookRange(store.env, {
      exchange: q.exchange,
      market: q.market,
      symbol: q.symbol,
      ...(q.from !== undefined ? { from: q.from } : {}),
      ...(q.to !== undefined ? { to: q.to } : {}),
    });
    for (const record of records) {
      if (out.gone) break;
      matched++;
      await out.write(JSON.stringify(record) + '\n');
    }
    if (matched === 0) process.stderr.write(`no book records for ${q.exchange} ${q.market} ${q.symbol} in the range asked\n`);
  } finally {
    out.close();
    await store.close();
  }
  return 0;
}
