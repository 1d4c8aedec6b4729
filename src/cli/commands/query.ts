/** `tickvisor query`: read history back as JSON lines or CSV. */
import { existsSync } from 'node:fs';
import { TickvisorError } from '../../errors.js';
import { isSupportedVenue } from '../../exchanges/index.js';
import type { ExchangeId, Market, MarketRecord } from '../../records.js';
import { listBookSeries, openHistoryStore } from '../../store/index.js';
import type { TradeCursor } from '../../store/index.js';
import { parseArgs, requiredOption, timeOption, usage } from '../args.js';
import { stdoutWriter } from '../output.js';
import { csvHeader, csvRow } from '../csv.js';
import { candlesFrom } from '../../analysis/candles.js';
import { parseInterval } from '../../analysis/interval.js';
import { printBookAt, printBookRange } from './query-book.js';

export const help = `tickvisor query --db PATH --exchange ID --market M --symbol S [--from T] [--to T] [--type trade|ticker] [--format jsonl|csv]
tickvisor query --db PATH --exchange ID --market M --symbol S --candles INTERVAL [--from T] [--to T] [--format jsonl|csv]
tickvisor query --db PATH --exchange ID --market M --symbol S --type book --at T [--depth N]
tickvisor query --db PATH --exchange ID --market M --symbol S --type book [--from T] [--to T]
tickvisor query --db PATH --list [--format jsonl|csv]

Reads one symbol's stored history, ascending by time; says on stderr when nothing matched.
  --list         what is stored, one row per series: type (trade or book), exchange, market,
                 symbol, count (trades, or book records), first and last time, blocks (books)
  --from, --to   ms since epoch or an ISO date (inclusive)
  --type         trade or ticker (default: both, merged by time), or book (order books, JSON lines)
  --at           with --type book: the book at that instant, rebuilt from the last stored snapshot
                 and the updates after it, one line {"type":"book",…,"bids","asks"} best first;
                 exit 3 (a line on stderr) when the book was broken then (a resync and no
                 snapshot since). Without --at, --type book prints the stored book records
                 (snapshot, update, resync) of the range in stored order
  --depth        levels per side with --at (default 10)
  --candles      OHLCV candles of the trades instead of the records: INTERVAL is <n>s|m|h|d from
                 1s to 1d (1m, 5m, 4h, 1d), aligned to the UTC epoch; an interval without trades
                 has no candle. Fields: start (ms), open, high, low, close, volume (base),
                 quoteVolume (Σ price×amount), trades, buyVolume, sellVolume (taker side, base)
  --format       jsonl (default) or csv`;

const time = timeOption;

export async function run(argv: string[]): Promise<number> {
  const { values } = usage('query', () =>
    parseArgs({
      args: argv,
      strict: true,
      options: {
        db: { type: 'string' },
        exchange: { type: 'string' },
        market: { type: 'string' },
        symbol: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        type: { type: 'string' },
        format: { type: 'string', default: 'jsonl' },
        list: { type: 'boolean' },
        candles: { type: 'string' },
        at: { type: 'string' },
        depth: { type: 'string' },
      },
    }),
  );
  if (values.format !== 'jsonl' && values.format !== 'csv') throw new TickvisorError('TV_ERR_USAGE', `--format must be jsonl or csv, got ${values.format}`);
  if (values.list) {
    return listStored(requiredOption('query', 'db', values.db), values.format);
  }
  for (const name of ['db', 'exchange', 'market', 'symbol'] as const) requiredOption('query', name, values[name]);
  const exchange = values.exchange!;
  const market = values.market!;
  if (!isSupportedVenue(exchange, market)) throw new TickvisorError('TV_ERR_UNKNOWN_VENUE', `unknown exchange/market: ${exchange} ${market}`);
  if (values.type !== undefined && values.type !== 'trade' && values.type !== 'ticker' && values.type !== 'book') {
    throw new TickvisorError('TV_ERR_USAGE', `--type must be trade, ticker or book, got ${values.type}`);
  }
  if (values.type === 'book') return queryBook(values);
  if (values.at !== undefined || values.depth !== undefined) throw new TickvisorError('TV_ERR_USAGE', '--at and --depth read order books: add --type book');
  const intervalMs = values.candles === undefined ? undefined : candleInterval(values.candles, values.type);
  if (!existsSync(values.db!)) throw new TickvisorError('TV_ERR_FILE_NOT_FOUND', `no store at ${values.db}`);
  const from = time('from', values.from);
  const to = time('to', values.to);
  if (intervalMs !== undefined) {
    return printCandles({ db: values.db!, exchange: exchange as ExchangeId, market: market as Market, symbol: values.symbol!, intervalMs, from, to, format: values.format });
  }
  const store = openHistoryStore({ path: values.db!, readOnly: true });
  // a reader that went away (`| head -1`) ends the output, not the process with an EPIPE trace
  const out = stdoutWriter();
  const write = out.write;
  let matched = 0;
  try {
    let header = false;
    const records = store.readRange({
      exchange: exchange as ExchangeId,
      market: market as Market,
      symbol: values.symbol!,
      ...(values.type ? { type: values.type as 'trade' | 'ticker' } : {}),
      ...(from !== undefined ? { from } : {}),
      ...(to !== undefined ? { to } : {}),
    });
    // read synchronously (RangeRecords); each line's write is awaited as before
    for (const record of records) {
      if (out.gone) break;
      matched++;
      if (values.format === 'csv') {
        if (!header) {
          header = true;
          await write(csvHeader(values.type as MarketRecord['type'] | undefined) + '\n');
        }
        await write(csvRow(record, values.type as MarketRecord['type'] | undefined) + '\n');
      } else {
        await write(JSON.stringify(record) + '\n');
      }
    }
    if (matched === 0) process.stderr.write(nothingMatched(store.listCursors(), exchange, market, values.symbol!, values.db!) + '\n');
  } finally {
    out.close();
    await store.close();
  }
  return 0;
}

interface BookOptions {
  db?: string | undefined;
  exchange?: string | undefined;
  market?: string | undefined;
  symbol?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  at?: string | undefined;
  depth?: string | undefined;
  format?: string | undefined;
  candles?: string | undefined;
}

/** `--type book`: checked here, read in query-book.ts */
async function queryBook(values: BookOptions): Promise<number> {
  if (values.candles !== undefined) throw new TickvisorError('TV_ERR_USAGE', '--candles are made of trades: drop --type book');
  if (values.format !== 'jsonl') throw new TickvisorError('TV_ERR_USAGE', '--type book prints JSON lines only: drop --format csv');
  const at = time('at', values.at);
  if (at !== undefined && (values.from !== undefined || values.to !== undefined)) {
    throw new TickvisorError('TV_ERR_USAGE', '--at is one instant: give either --at or --from/--to');
  }
  let depth: number | undefined;
  if (values.depth !== undefined) {
    if (at === undefined) throw new TickvisorError('TV_ERR_USAGE', '--depth goes with --at');
    depth = Number(values.depth);
    if (!Number.isInteger(depth) || depth < 1) throw new TickvisorError('TV_ERR_USAGE', `--depth must be a positive integer, got ${values.depth}`);
  }
  if (!existsSync(values.db!)) throw new TickvisorError('TV_ERR_FILE_NOT_FOUND', `no store at ${values.db}`);
  const q = { db: values.db!, exchange: values.exchange as ExchangeId, market: values.market as Market, symbol: values.symbol! };
  if (at !== undefined) return printBookAt({ ...q, at, ...(depth !== undefined ? { depth } : {}) });
  const from = time('from', values.from);
  const to = time('to', values.to);
  return printBookRange({ ...q, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) });
}

/** `--candles 1m`: the interval in ms; a mistake is a usage line */
function candleInterval(text: string, type: string | undefined): number {
  if (type === 'ticker') throw new TickvisorError('TV_ERR_USAGE', '--candles are made of trades: drop --type ticker');
  try {
    return parseInterval(text);
  } catch (cause) {
    throw new TickvisorError('TV_ERR_USAGE', `--candles: ${(cause as Error).message}`, { cause });
  }
}

const CANDLE_FIELDS = ['start', 'open', 'high', 'low', 'close', 'volume', 'quoteVolume', 'trades', 'buyVolume', 'sellVolume'] as const;

interface CandleRead {
  db: string;
  exchange: ExchangeId;
  market: Market;
  symbol: string;
  intervalMs: number;
  from: number | undefined;
  to: number | undefined;
  format: 'jsonl' | 'csv';
}

/** candles instead of records: one line each, streamed (one candle held at a time) */
async function printCandles(q: CandleRead): Promise<number> {
  const store = openHistoryStore({ path: q.db, readOnly: true });
  const out = stdoutWriter();
  let matched = 0;
  try {
    const trades = store.readRange({
      exchange: q.exchange,
      market: q.market,
      symbol: q.symbol,
      type: 'trade',
      ...(q.from !== undefined ? { from: q.from } : {}),
      ...(q.to !== undefined ? { to: q.to } : {}),
    });
    for await (const candle of candlesFrom(trades, q.intervalMs)) {
      if (out.gone) break;
      if (matched++ === 0 && q.format === 'csv') await out.write(CANDLE_FIELDS.join(',') + '\n');
      await out.write((q.format === 'csv' ? CANDLE_FIELDS.map((f) => candle[f]).join(',') : JSON.stringify(candle)) + '\n');
    }
    if (matched === 0) process.stderr.write(nothingMatched(store.listCursors(), q.exchange, q.market, q.symbol, q.db).replace('no records', 'no trades') + '\n');
  } finally {
    out.close();
    await store.close();
  }
  return 0;
}

/** the hint for an empty answer: the symbol as stored when only its spelling differs, else the way to list */
function nothingMatched(stored: readonly TradeCursor[], exchange: string, market: string, symbol: string, db: string): string {
  const same = stored.filter((c) => c.exchange === exchange && c.market === market);
  const loose = (s: string) => s.toUpperCase().replace(/[^A-Z0-9]/g, '');
  const near = same.filter((c) => loose(c.symbol) === loose(symbol)).map((c) => c.symbol);
  const what = `no records for ${exchange} ${market} ${symbol} in the range asked`;
  if (near.length > 0 && !near.includes(symbol)) return `${what}; stored as ${near.join(', ')}`;
  const others = same.length === 0 ? `nothing stored for ${exchange} ${market}` : `${same.length} symbols stored for ${exchange} ${market}`;
  return `${what} (${others}; tickvisor query --db ${db} --list shows what is stored)`;
}

/**
 * `--list`: one row per stored series: each symbol's trades (the first time is one range read
 * each; the cursor keeps count and last), then each symbol's order books (records, the blocks
 * holding them, first and last stored time).
 */
async function listStored(db: string, format: 'jsonl' | 'csv'): Promise<number> {
  if (!existsSync(db)) throw new TickvisorError('TV_ERR_FILE_NOT_FOUND', `no store at ${db}`);
  const store = openHistoryStore({ path: db, readOnly: true });
  const out = stdoutWriter();
  try {
    const cursors = store.listCursors();
    const books = listBookSeries(store.env);
    if (cursors.length === 0 && books.length === 0) process.stderr.write(`nothing stored in ${db}\n`);
    if (format === 'csv' && cursors.length + books.length > 0) await out.write('type,exchange,market,symbol,count,first,last,blocks\n');
    const line = async (row: ListRow) =>
      out.write(format === 'csv' ? `${[row.type, row.exchange, row.market, csvField(row.symbol), row.count, row.first, row.last, row.blocks ?? ''].join(',')}\n` : `${JSON.stringify(row)}\n`);
    for (const c of cursors) {
      if (out.gone) break;
      let first: number | undefined;
      for (const r of store.readRange({ exchange: c.exchange, market: c.market, symbol: c.symbol, type: 'trade' })) {
        first = r.timestamp;
        break;
      }
      await line({ type: 'trade', exchange: c.exchange, market: c.market, symbol: c.symbol, count: c.count, first: iso(first), last: iso(c.lastTimestamp) });
    }
    for (const b of books) {
      if (out.gone) break;
      await line({ type: 'book', exchange: b.exchange, market: b.market, symbol: b.symbol, count: b.records, first: iso(b.first), last: iso(b.last), blocks: b.blocks });
    }
  } finally {
    out.close();
    await store.close();
  }
  return 0;
}

/** a row of --list: `count` is trades, or book records (with the blocks holding them) */
interface ListRow {
  type: 'trade' | 'book';
  exchange: string;
  market: string;
  symbol: string;
  count: number;
  first: string | null;
  last: string | null;
  blocks?: number;
}

function iso(ms: number | undefined): string | null {
  return ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
}

function csvField(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
