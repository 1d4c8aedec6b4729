/**
 * Rebuilds normalized history from the raw frames a run kept (`store.raw: true`) with today's
 * parsers: a parser fixed next week repairs last week's data.
 *
 * Every frame is parsed as it was live: by its venue's adapter, one parser per connection id (a
 * Bybit ticker delta merges into its connection's last snapshot), with the instrument listing that
 * was in force when it arrived (unified symbols, OKX swap contract sizes), and with its receive
 * time as the records' localTimestamp. Records pass the pipeline's validation, then the store's
 * own exactly-once rules: a trade whose id is stored is refused by the id guard; a ticker has no
 * id, so one is skipped when a ticker with the same exchange timestamp and receive time is already
 * stored (the same frame, parsed before). Running reparse twice therefore writes nothing the
 * second time.
 */
import { createAdapter, isSupportedVenue } from '../exchanges/index.js';
import { failureReason, type FrameParser, type Instrument } from '../exchanges/types.js';
import { bookVenue } from '../books/venues.js';
import type { BookVenue } from '../books/types.js';
import { validateRecord } from '../ingest/validate.js';
import type { ExchangeId, Market, MarketRecord, Ticker } from '../records.js';
import type { OpenedHistoryStore } from '../store/open.js';
import { listingAt, openRawDbs, readRawFrames, type RawRange } from '../store/raw-frames.js';

export interface ReparseOptions extends RawRange {
  /** records per store transaction; default 5 000 */
  batchSize?: number;
  /** the validation's clock-skew bound, as `validation.maxClockSkewMs`; default 60 000 */
  maxClockSkewMs?: number;
  /** the parser for one connection; default the adapter's (tests pass an older or stub parser) */
  createParser?: (exchange: ExchangeId, market: Market, instruments: Instrument[] | undefined) => FrameParser;
}

export interface ReparseCounts {
  /** raw frames read */
  frames: number;
  /** records the parsers made */
  records: number;
  /** records newly stored */
  written: number;
  /** records already stored (trades by id, tickers by timestamp and receive time) */
  duplicates: number;
  /** records refused by validation */
  rejected: number;
  /** frames still unreadable (or of an unknown kind), by reason */
  unreadable: Record<string, number>;
  /** frames of a venue this version cannot parse */
  unsupported: number;
  /** order-book frames: passed over (books are kept by the book store as they were applied live) */
  books: number;
}

/**
 * A frame of a venue's book channel (the live path sends these to the books, never to the trade
 * parser): one the book parser reads, or refuses (it is still not a trade frame).
 */
function isBookFrame(venue: BookVenue, parse: (text: string) => unknown[], frame: string | Buffer): boolean {
  if (!venue.mayBeBookFrame(frame)) return false;
  try {
    return parse(typeof frame === 'string' ? frame : frame.toString('utf8')).length > 0;
  } catch {
    return true;
  }
}

/** Connections whose parser is kept at once; past it the oldest is forgotten (bounded memory). */
const MAX_PARSERS = 1_024;

export async function reparseRawFrames(store: OpenedHistoryStore, options: ReparseOptions = {}): Promise<ReparseCounts> {
  const counts: ReparseCounts = { frames: 0, records: 0, written: 0, duplicates: 0, rejected: 0, unreadable: {}, unsupported: 0, books: 0 };
  const raw = openRawDbs(store.env);
  const batchSize = options.batchSize ?? 5_000;
  const maxClockSkewMs = options.maxClockSkewMs ?? 60_000;
  const make =
    options.createParser ??
    ((exchange: ExchangeId, market: Market, instruments: Instrument[] | undefined) => createAdapter(exchange, market).createParser(instruments));
  const parsers = new Map<string, { trades: FrameParser; books: (text: string) => unknown[]; venue: BookVenue }>();
  let batch: MarketRecord[] = [];

  const unreadable = (reason: string) => {
    counts.unreadable[reason] = (counts.unreadable[reason] ?? 0) + 1;
  };

  /** a ticker from this very frame is already stored: same exchange and receive time */
  const tickerStored = (t: Ticker): boolean => store.tickerStored(t);

  const write = async () => {
    if (batch.length === 0) return;
    const fresh = batch.filter((r) => r.type === 'trade' || !tickerStored(r));
    counts.duplicates += batch.length - fresh.length;
    batch = [];
    const result = await store.writeBatch(fresh);
    counts.written += result.written;
    counts.duplicates += result.duplicates;
  };

  for (const f of readRawFrames(raw.frames, options)) {
    counts.frames++;
    if (!isSupportedVenue(f.exchange, f.market)) {
      counts.unsupported++;
      continue;
    }
    const exchange = f.exchange as ExchangeId;
    const market = f.market as Market;
    const parserKey = `${exchange}\u0000${market}\u0000${f.connection}`;
    let parser = parsers.get(parserKey);
    if (parser === undefined) {
      if (parsers.size >= MAX_PARSERS) parsers.delete(parsers.keys().next().value as string);
      const listing = listingAt(raw.listings, exchange, market, f.receivedAt);
      const venue = bookVenue(exchange, market);
      parser = { trades: make(exchange, market, listing), books: venue.createFrameParser(listing), venue };
      parsers.set(parserKey, parser);
    }
    if (isBookFrame(parser.venue, parser.books, f.frame)) {
      counts.books++;
      continue;
    }
    let parsed;
    try {
      parsed = parser.trades.parse(f.frame, f.receivedAt);
    } catch (error) {
      unreadable(failureReason(error));
      continue;
    }
    if (parsed.control.some((c) => c.kind === 'unknown')) unreadable('unknown-kind');
    for (const r of parsed.records) {
      counts.records++;
      if (validateRecord(r, { now: f.receivedAt, maxClockSkewMs, maxAgeMs: Number.POSITIVE_INFINITY }) !== undefined) {
        counts.rejected++;
        continue;
      }
      batch.push(r);
    }
    if (batch.length >= batchSize) await write();
  }
  await write();
  return counts;
}
