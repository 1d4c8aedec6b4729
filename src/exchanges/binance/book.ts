/**
 * Binance order books: the diff depth stream (`<symbol>@depth@100ms`) synced against a REST
 * snapshot by Binance's documented procedure, which differs between spot and USDⓈ-M futures
 * (docs/architecture.md#order-books):
 * - spot: drop events with `u <= lastUpdateId`; the first applied event has `U <= local + 1`; every
 *   later one `U == local + 1` (an event with `U > local + 1` means events were missed: resync);
 * - futures: drop events with `u < lastUpdateId` (strictly: an event ending on the snapshot's id is
 *   kept); the first applied event has `U <= lastUpdateId <= u`; later ones chain by
 *   `pu == previous u` (their U never equals previous u + 1, so chaining by U would invent gaps).
 */
import type { BookFrame, BookSync, BookVenue, SyncOutcome } from '../../books/types.js';
import { APPLIED, IGNORED, WAITING, broken } from '../../books/types.js';
import { OrderBook } from '../../books/order-book.js';
import type { Market } from '../../records.js';
import { bookId, bookLevels } from '../book-levels.js';
import { frameText, isRecord, notAnObject, parseJsonFrame, str, symbolMapper, timestampMs } from '../common.js';
import type { Instrument } from '../types.js';
import { MalformedFrameError } from '../types.js';
import { createBinanceDepthScanner, type BinanceDepthScanner } from './fast-depth.js';
import { scannableBytes } from '../scan/byte-scan.js';
import { guessSymbol } from './symbols.js';

/** a depth event, unwrapped from the combined-stream envelope when there is one */
function depthEvent(msg: Record<string, unknown>): Record<string, unknown> | undefined {
  const inner = isRecord(msg.data) && typeof msg.stream === 'string' ? msg.data : msg;
  return inner.e === 'depthUpdate' ? inner : undefined;
}

/** the byte scanner's reading of a frame given as text (scannableBytes; the live path hands it bytes: createByteScanner) */
function scanText(scan: BinanceDepthScanner, text: string): BookFrame | undefined {
  const bytes = scannableBytes(text);
  return bytes === undefined ? undefined : scan(bytes, 0, bytes.length);
}

/** the common depth event read from a frame's bytes (fast-depth.ts); undefined leaves the frame to the text path */
export function createByteScanner(market: Market, instruments?: readonly Instrument[]): BinanceDepthScanner {
  return createBinanceDepthScanner(market, symbolMapper(instruments, (nativeId) => guessSymbol(market, nativeId)));
}

export function createFrameParser(market: Market, instruments?: readonly Instrument[], options?: { fastPath?: boolean }): (text: string) => BookFrame[] {
  const toSymbol = symbolMapper(instruments, (nativeId) => guessSymbol(market, nativeId));
  // the common depth event read off the text (fast-depth.ts); anything else through JSON.parse
  const scan = options?.fastPath === false ? undefined : createBinanceDepthScanner(market, toSymbol);
  return (raw) => {
    const text = frameText(raw);
    const fast = scan === undefined ? undefined : scanText(scan, text);
    if (fast !== undefined) return [fast];
    const msg = parseJsonFrame(text);
    if (!isRecord(msg)) throw notAnObject();
    const d = depthEvent(msg);
    if (d === undefined) return [];
    const nativeId = str(d.s, 's');
    const frame: BookFrame = {
      nativeId,
      symbol: toSymbol(nativeId),
      kind: 'delta',
      bids: bookLevels(d.b, 'b'),
      asks: bookLevels(d.a, 'a'),
      // futures events carry the transaction time T; spot only the event time E
      timestamp: timestampMs(d.T ?? d.E, d.T !== undefined ? 'T' : 'E'),
      firstId: bookId(d.U, 'U'),
      lastId: bookId(d.u, 'u'),
    };
    if (market === 'futures') frame.prevId = bookId(d.pu, 'pu');
    if ((frame.firstId as number) > (frame.lastId as number)) throw new MalformedFrameError(`U ${frame.firstId} is after u ${frame.lastId}`);
    return [frame];
  };
}

function parseSnapshot(market: Market, body: unknown, instruments?: readonly Instrument[], nativeId?: string): BookFrame {
  if (!isRecord(body)) throw new MalformedFrameError('depth snapshot is not a JSON object');
  const id = nativeId ?? '';
  const symbol = id === '' ? '' : symbolMapper(instruments, (n) => guessSymbol(market, n))(id);
  const time = body.T ?? body.E;
  return {
    nativeId: id,
    symbol,
    kind: 'snapshot',
    bids: bookLevels(body.bids, 'bids'),
    asks: bookLevels(body.asks, 'asks'),
    // spot snapshots carry no time: the book's time is that of the first event applied after it
    timestamp: time === undefined ? NaN : timestampMs(time, 'T'),
    lastId: bookId(body.lastUpdateId, 'lastUpdateId'),
  };
}

/** The rules shared by both markets: wait for the snapshot, replace the book with it. */
abstract class BinanceSync implements BookSync {
  readonly book = new OrderBook();
  /** the snapshot's lastUpdateId, then the last applied event's u; undefined before the snapshot */
  protected local: number | undefined;
  protected started = false;

  get synced(): boolean {
    return this.local !== undefined;
  }

  get sequence(): number | undefined {
    return this.local;
  }

  seed(snapshot: BookFrame): SyncOutcome {
    this.book.replace(snapshot.bids, snapshot.asks, snapshot.timestamp);
    this.local = snapshot.lastId as number;
    this.started = false;
    return APPLIED;
  }

  apply(f: BookFrame): SyncOutcome {
    if (this.local === undefined) return WAITING;
    const outcome = this.check(f, this.local);
    if (outcome !== APPLIED) return outcome;
    this.book.apply(f.bids, f.asks, f.timestamp);
    this.local = f.lastId as number;
    this.started = true;
    return APPLIED;
  }

  protected abstract check(f: BookFrame, local: number): SyncOutcome;
}

class SpotSync extends BinanceSync {
  protected check(f: BookFrame, local: number): SyncOutcome {
    const U = f.firstId as number;
    const u = f.lastId as number;
    if (u <= local) return IGNORED;
    if (U > local + 1) return broken(`U=${U} > local update id ${local} + 1 (missed events)`);
    return APPLIED;
  }
}

class FuturesSync extends BinanceSync {
  protected check(f: BookFrame, local: number): SyncOutcome {
    const U = f.firstId as number;
    const u = f.lastId as number;
    if (!this.started) {
      if (u < local) return IGNORED;
      if (U > local) return broken(`first event U=${U} > snapshot lastUpdateId ${local} (missed events)`);
      return APPLIED;
    }
    if (u <= local) return IGNORED;
    if (f.prevId !== local) return broken(`pu ${f.prevId} != previous u ${local} (missed events)`);
    return APPLIED;
  }
}

export function binanceBookVenue(market: Market): BookVenue {
  return {
    exchange: 'binance',
    market,
    needsSnapshot: true,
    mayBeBookFrame: (frame) => frame.includes('"depthUpdate"'),
    // 1,000 levels: spot weight 50 (5,000 would be 250 of the 6,000 a minute), futures weight 20
    snapshotPath: (nativeId) => `${market === 'futures' ? '/fapi/v1/depth' : '/api/v3/depth'}?symbol=${nativeId}&limit=1000`,
    createFrameParser: (instruments) => createFrameParser(market, instruments),
    createByteScanner: (instruments) => createByteScanner(market, instruments),
    parseSnapshot: (body, instruments, nativeId) => parseSnapshot(market, body, instruments, nativeId),
    createSync: () => (market === 'futures' ? new FuturesSync() : new SpotSync()),
  };
}
