/**
 * `tickvisor parse`: raw WebSocket frames, one per line, → normalized records as JSON lines.
 * The same adapter parser the connectors use, so a captured frame can be checked by hand.
 * Input is streamed line by line (readline), never loaded whole.
 */
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { TickvisorError } from '../../errors.js';
import { createAdapter, isExchangeId, isSupportedVenue, SUPPORTED_VENUES } from '../../exchanges/index.js';
import type { ExchangeAdapter, FrameParser, Instrument, RestClient } from '../../exchanges/types.js';
import type { Market } from '../../records.js';
import { BookReplay } from '../../books/replay.js';
import { bookVenue } from '../../books/venues.js';
import { parseArgs, usage } from '../args.js';

export const help = `tickvisor parse --exchange ID --market M [--instruments FILE] [FILE]
tickvisor parse --exchange ID --market M --book [--snapshot FILE] [--instruments FILE] [--depth N] [FILE]

Reads raw WebSocket frames, one per line, from FILE (or stdin when FILE is absent or -) and
prints the normalized records as JSON lines. Control frames (acks, pongs, status) print nothing.
A line that cannot be read is reported on stderr as "line N: reason" and the rest is still read;
the exit code is then 2 (0 when every line was read).
  --exchange ID        binance | upbit | bybit | okx
  --market M           spot | futures
  --instruments FILE   the exchange's instrument listing as its REST API returns it (JSON), to map
                       native ids to symbols exactly; OKX futures need it for contract sizes (ctVal)
  --book               treat the frames as one connection's order-book stream: apply them by the
                       venue's rules and print, after the last frame, one line per symbol
                       {"type":"book",…,"bids":[[price,amount],…],"asks":[…]}, best first. When
                       the sequence breaks (gap, checksum mismatch) "line N: reason" goes to
                       stderr, the last consistent book is printed and the exit code is 3
  --snapshot FILE      the REST depth answer the stream starts from (Binance needs one:
                       GET /api/v3/depth or /fapi/v1/depth; OKX may use GET /api/v5/market/books)
  --depth N            levels per side to print (default 10)
Upbit frames are binary on the wire; in FILE they are the JSON text of each frame.`;

/** Where the command reads and writes; the process's own streams unless a test passes others. */
export interface ParseIO {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** the records' localTimestamp: the time each line is parsed */
  now: () => number;
}

export interface ParseCounts {
  lines: number;
  records: number;
  malformed: number;
}

const VENUES = SUPPORTED_VENUES.map((v) => `${v.exchange} ${v.market}`).join(', ');

function chooseAdapter(exchange: string | undefined, market: string | undefined): ExchangeAdapter {
  if (exchange === undefined || market === undefined) {
    throw new TickvisorError('TV_ERR_USAGE', 'both --exchange and --market are required (see tickvisor parse --help)');
  }
  if (!isExchangeId(exchange) || !isSupportedVenue(exchange, market)) {
    const what = isExchangeId(exchange) ? `${exchange} has no ${market} market` : `unknown exchange '${exchange}'`;
    throw new TickvisorError('TV_ERR_UNKNOWN_VENUE', `${what} (known: ${VENUES})`);
  }
  return createAdapter(exchange, market as Market);
}

/** The instrument listing from a saved REST answer, read by the adapter's own listing code. */
async function readInstruments(adapter: ExchangeAdapter, path: string): Promise<Instrument[]> {
  const body = await readJsonFile(path);
  const fromFile: RestClient = async () => ({ status: 200, headers: {}, body });
  try {
    return await adapter.listInstruments(fromFile, 'http://instruments.file');
  } catch (cause) {
    throw new TickvisorError('TV_ERR_USAGE', `${path} is not a ${adapter.exchange} ${adapter.market} instrument listing: ${(cause as Error).message}`, { cause });
  }
}

async function readJsonFile(path: string): Promise<unknown> {
  const handle = await openInput(path);
  try {
    const text = await handle.readFile('utf8');
    try {
      return JSON.parse(text);
    } catch (cause) {
      throw new TickvisorError('TV_ERR_USAGE', `${path} is not JSON: ${(cause as Error).message}`, { cause });
    }
  } finally {
    await handle.close();
  }
}

async function openInput(path: string) {
  try {
    return await open(path, 'r');
  } catch (cause) {
    throw new TickvisorError('TV_ERR_FILE_NOT_FOUND', `cannot read ${path}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`, { cause });
  }
}

/** Writes, waiting for 'drain' when the reader is slower than we are (a pipe into `head`, a slow disk). */
function writer(stream: Writable): (text: string) => Promise<void> | undefined {
  return (text) => {
    if (stream.destroyed || stream.write(text)) return undefined;
    return new Promise<void>((resolve) => {
      // a reader that went away (EPIPE) never drains: 'close' releases the wait too
      const done = () => {
        stream.off('drain', done);
        stream.off('close', done);
        resolve();
      };
      stream.on('drain', done);
      stream.on('close', done);
    });
  };
}

/** A reason quotes the frame; its control characters are escaped so the report stays one readable line. */
function printable(reason: string): string {
  // eslint-disable-next-line no-control-regex
  return reason.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * The loop itself, apart from argument handling: every line through one parser (one parser for
 * the whole input, as for one connection — Bybit deltas merge into the last snapshot).
 * Blank lines are skipped; a CR before the newline is not part of the frame.
 */
export async function parseLines(
  lines: AsyncIterable<string>,
  parser: FrameParser,
  io: Pick<ParseIO, 'stdout' | 'stderr' | 'now'>,
): Promise<ParseCounts> {
  const out = writer(io.stdout);
  const err = writer(io.stderr);
  const counts: ParseCounts = { lines: 0, records: 0, malformed: 0 };
  for await (const raw of lines) {
    counts.lines++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') continue;
    let text = '';
    try {
      const { records } = parser.parse(line, io.now());
      for (const record of records) text += JSON.stringify(record) + '\n';
      counts.records += records.length;
    } catch (error) {
      counts.malformed++;
      await err(`line ${counts.lines}: ${printable(error instanceof Error ? error.message : String(error))}\n`);
      continue;
    }
    if (text) await out(text);
  }
  return counts;
}

function depthOption(text: string | undefined): number {
  if (text === undefined) return 10;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 5000) throw new TickvisorError('TV_ERR_USAGE', `--depth must be a whole number from 1 to 5000, got '${text}'`);
  return n;
}

/**
 * --book: every line through one replay (one connection's stream); the books after the last line.
 * Exit 3 when a sequence broke, else 2 when a line could not be read, else 0.
 */
export async function replayBookLines(lines: AsyncIterable<string>, replay: BookReplay, depth: number, io: Pick<ParseIO, 'stdout' | 'stderr'>): Promise<number> {
  const out = writer(io.stdout);
  const err = writer(io.stderr);
  let n = 0;
  for await (const raw of lines) {
    n++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') continue;
    for (const problem of replay.line(line)) await err(`line ${n}: ${printable(problem)}\n`);
  }
  let text = '';
  for (const b of replay.books(depth)) text += JSON.stringify(b) + '\n';
  if (text) await out(text);
  for (const symbol of replay.unsynced()) await err(`${symbol}: no book (no snapshot arrived for it)\n`);
  return replay.breaks > 0 ? 3 : replay.malformed > 0 ? 2 : 0;
}

export async function run(argv: string[], io: ParseIO = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, now: Date.now }): Promise<number> {
  const { values, positionals } = usage('parse', () =>
    parseArgs({
      args: argv,
      options: {
        exchange: { type: 'string' }, market: { type: 'string' }, instruments: { type: 'string' },
        book: { type: 'boolean' }, snapshot: { type: 'string' }, depth: { type: 'string' },
      },
      allowPositionals: true,
      strict: true,
    }),
  );
  if (positionals.length > 1) throw new TickvisorError('TV_ERR_USAGE', `one input file at most, got ${positionals.length} (see tickvisor parse --help)`);
  const adapter = chooseAdapter(values.exchange, values.market);
  const instruments = values.instruments !== undefined ? await readInstruments(adapter, values.instruments) : undefined;
  if (!values.book && (values.snapshot !== undefined || values.depth !== undefined)) {
    throw new TickvisorError('TV_ERR_USAGE', '--snapshot and --depth go with --book (see tickvisor parse --help)');
  }
  const book = values.book
    ? { venue: bookVenue(adapter.exchange, adapter.market), depth: depthOption(values.depth), snapshot: values.snapshot !== undefined ? await readJsonFile(values.snapshot) : undefined }
    : undefined;
  if (book?.venue.needsSnapshot && book.snapshot === undefined) {
    throw new TickvisorError('TV_ERR_USAGE', `${adapter.exchange} ${adapter.market} books start from a REST depth snapshot: pass --snapshot FILE (see tickvisor parse --help)`);
  }
  const parser = adapter.createParser(instruments);

  const file = positionals[0];
  const handle = file !== undefined && file !== '-' ? await openInput(file) : undefined;
  const input = handle ? handle.createReadStream({ encoding: 'utf8' }) : io.stdin;
  // crlfDelay Infinity: a CR followed by LF is always one line break, however the chunks split
  const lines = createInterface({ input, crlfDelay: Infinity, terminal: false });
  // `tickvisor parse big.txt | head`: once the reader is gone, stop reading instead of dying on EPIPE
  const readerGone = () => lines.close();
  io.stdout.on('error', readerGone);
  try {
    let counts: ParseCounts;
    try {
      if (book !== undefined) {
        const replay = new BookReplay(book.venue, { ...(instruments ? { instruments } : {}), ...(book.snapshot !== undefined ? { snapshot: book.snapshot } : {}) });
        return await replayBookLines(lines, replay, book.depth, io);
      }
      counts = await parseLines(lines, parser, io);
    } catch (cause) {
      // parser errors are caught per line: what reaches here is the input failing (EISDIR, EIO)
      const code = (cause as NodeJS.ErrnoException).code;
      if (typeof code !== 'string') throw cause;
      throw new TickvisorError('TV_ERR_FILE_NOT_FOUND', `cannot read ${file ?? 'stdin'}: ${code}`, { cause });
    }
    if (counts.malformed > 0 && adapter.exchange === 'okx' && adapter.market === 'futures' && instruments === undefined) {
      io.stderr.write('hint: OKX futures trade sizes are contracts; pass --instruments FILE with the answer of GET /api/v5/public/instruments?instType=SWAP\n');
    }
    return counts.malformed > 0 ? 2 : 0;
  } finally {
    io.stdout.off('error', readerGone);
    lines.close();
    await handle?.close();
  }
}
