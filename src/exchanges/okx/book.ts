/**
 * OKX order books (`books`, `books5`, `bbo-tbt`, `books-l2-tbt`, `books50-l2-tbt`): a `snapshot`
 * replaces the book, an `update` sets levels by price (size "0" deletes). Consistency has two checks:
 * - `prevSeqId` must equal the previous frame's `seqId` (frames before 2022 carry neither);
 * - after every frame the CRC32 of the top 25 levels, over the wire strings interleaved as
 *   `bid1px:bid1sz:ask1px:ask1sz:…`, as a signed int32, must equal `checksum`. OKX stopped sending
 *   checksums in 2026 (the field is 0): 0 or absent means "not provided", never "mismatch".
 * A REST snapshot (`GET /api/v5/market/books`) seeds the book when no WebSocket snapshot comes;
 * updates then apply from the one whose `prevSeqId <= seqId of the snapshot < seqId`.
 * Swap sizes are contracts: amounts are contracts × ctVal (exact decimal, contracts.ts).
 */
import type { BookFrame, BookSync, BookVenue, SyncOutcome } from '../../books/types.js';
import { APPLIED, IGNORED, WAITING, broken } from '../../books/types.js';
import { crc32Signed } from '../../books/crc32.js';
import { OrderBook, type BookLevel, type LevelChange } from '../../books/order-book.js';
import type { Market } from '../../records.js';
import { bookId, bookLevels } from '../book-levels.js';
import { frameText, isRecord, notAnObject, parseJsonFrame, preview, str, timestampMs } from '../common.js';
import type { Instrument } from '../types.js';
import { MalformedFrameError } from '../types.js';
import { contractsToBase, type ScaledDecimal } from './contracts.js';
import { okxSymbolMapper } from './symbols.js';
import { contractTable } from './trades.js';

const BOOK_CHANNELS = new Set(['books', 'books5', 'bbo-tbt', 'books-l2-tbt', 'books50-l2-tbt', 'books-elp']);
/** channels whose every push is the whole (shallow) book */
const SNAPSHOT_ONLY = new Set(['books5', 'bbo-tbt']);
const CHECKSUM_DEPTH = 25;

function sizeReader(market: Market, contracts: Map<string, ScaledDecimal>, instId: string): ((sizeText: string) => number) | undefined {
  if (market === 'spot') return undefined;
  const contract = contracts.get(instId);
  if (contract === undefined) {
    throw new MalformedFrameError(`no contract size (ctVal) known for ${preview(instId)}: book sizes are contracts (pass the instrument listing)`);
  }
  return (sizeText) => contractsToBase(sizeText, contract, 'sz');
}

function bookEntry(d: unknown, kind: 'snapshot' | 'delta', instId: string, symbol: string, toBase: ((s: string) => number) | undefined): BookFrame {
  if (!isRecord(d)) throw new MalformedFrameError(`book entry is not an object: ${preview(d)}`);
  const frame: BookFrame = {
    nativeId: instId,
    symbol,
    kind,
    bids: bookLevels(d.bids, 'bids', toBase, true),
    asks: bookLevels(d.asks, 'asks', toBase, true),
    timestamp: timestampMs(d.ts, 'ts'),
  };
  if (d.seqId !== undefined) frame.lastId = bookId(d.seqId, 'seqId');
  if (d.prevSeqId !== undefined) frame.prevId = bookId(d.prevSeqId, 'prevSeqId');
  if (d.checksum !== undefined) {
    if (typeof d.checksum !== 'number' || !Number.isInteger(d.checksum)) throw new MalformedFrameError(`field checksum is not an integer: ${preview(d.checksum)}`);
    frame.checksum = d.checksum;
  }
  return frame;
}

function createFrameParser(market: Market, instruments?: readonly Instrument[]): (text: string) => BookFrame[] {
  const toSymbol = okxSymbolMapper(instruments);
  const contracts = contractTable(instruments);
  return (raw) => {
    const msg = parseJsonFrame(frameText(raw));
    if (!isRecord(msg)) throw notAnObject();
    const arg = msg.arg;
    if (!isRecord(arg) || typeof arg.channel !== 'string' || !BOOK_CHANNELS.has(arg.channel) || msg.data === undefined) return [];
    if (!Array.isArray(msg.data)) throw new MalformedFrameError(`field data is not an array: ${preview(msg.data)}`);
    const instId = str(arg.instId, 'arg.instId');
    const kind = SNAPSHOT_ONLY.has(arg.channel) || msg.action === 'snapshot' ? 'snapshot' : msg.action === 'update' ? 'delta' : undefined;
    if (kind === undefined) throw new MalformedFrameError(`book frame with action ${preview(msg.action)}`);
    const symbol = toSymbol(instId);
    const toBase = sizeReader(market, contracts, instId);
    return msg.data.map((d) => bookEntry(d, kind, instId, symbol, toBase));
  };
}

function parseSnapshot(market: Market, body: unknown, instruments?: readonly Instrument[], nativeId?: string): BookFrame {
  if (!isRecord(body) || !Array.isArray(body.data) || body.data.length === 0) throw new MalformedFrameError('books answer without data');
  const instId = nativeId ?? '';
  const symbol = instId === '' ? '' : okxSymbolMapper(instruments)(instId);
  const toBase = instId === '' ? undefined : sizeReader(market, contractTable(instruments), instId);
  return bookEntry(body.data[0], 'snapshot', instId, symbol, toBase);
}

/** the signed CRC32 OKX sends, computed over this book's top 25 levels */
export function okxChecksum(bids: readonly BookLevel[], asks: readonly BookLevel[]): number {
  const parts: string[] = [];
  for (let i = 0; i < CHECKSUM_DEPTH; i++) {
    const b = bids[i];
    const a = asks[i];
    if (b !== undefined) parts.push(levelText(b, 2), levelText(b, 3));
    if (a !== undefined) parts.push(levelText(a, 2), levelText(a, 3));
  }
  return crc32Signed(parts.join(':'));
}

/** a level's wire text (OKX levels always carry them; a level without one is checked by its number) */
function levelText(l: BookLevel, at: 2 | 3): string {
  return l[at] ?? String(l[at - 2]);
}

class OkxSync implements BookSync {
  /** keeping the wire texts: the checksum is over them */
  readonly book = new OrderBook(true);
  private have = false;
  private seq: number | undefined;
  /** seeded from REST: updates up to the snapshot's seqId are already in it */
  private restSeq: number | undefined;

  get synced(): boolean {
    return this.have;
  }

  get sequence(): number | undefined {
    return this.seq;
  }

  seed(snapshot: BookFrame): SyncOutcome {
    this.book.replace(snapshot.bids, snapshot.asks, snapshot.timestamp);
    this.have = true;
    this.seq = snapshot.lastId;
    this.restSeq = snapshot.lastId;
    return APPLIED;
  }

  apply(f: BookFrame): SyncOutcome {
    if (f.kind === 'snapshot') {
      const before = this.snapshotState();
      this.book.replace(f.bids, f.asks, f.timestamp);
      const bad = this.checksumProblem(f);
      if (bad !== undefined) {
        this.book.replace(before.bids, before.asks, before.timestamp);
        return broken(bad);
      }
      this.have = true;
      this.seq = f.lastId;
      this.restSeq = undefined;
      return APPLIED;
    }
    if (!this.have) return WAITING;
    if (this.restSeq !== undefined && f.lastId !== undefined) {
      // first updates after a REST snapshot: skip what it already holds
      if (f.lastId <= this.restSeq) return IGNORED;
      if (f.prevId !== undefined && f.prevId > this.restSeq) return broken(`prevSeqId ${f.prevId} > REST snapshot seqId ${this.restSeq} (missed updates)`);
      this.restSeq = undefined;
    } else if (this.seq !== undefined && f.prevId !== undefined && f.prevId !== this.seq) {
      return broken(`prevSeqId ${f.prevId} != previous seqId ${this.seq} (missed updates)`);
    }
    const changes: LevelChange[] = [];
    const timestamp = this.book.timestamp;
    this.book.apply(f.bids, f.asks, f.timestamp, changes);
    const bad = this.checksumProblem(f);
    if (bad !== undefined) {
      this.book.undo(changes, timestamp);
      return broken(bad);
    }
    if (f.lastId !== undefined) this.seq = f.lastId;
    return APPLIED;
  }

  private snapshotState(): { bids: BookLevel[]; asks: BookLevel[]; timestamp: number } {
    return { bids: this.book.bids.levels(), asks: this.book.asks.levels(), timestamp: this.book.timestamp };
  }

  private checksumProblem(f: BookFrame): string | undefined {
    if (f.checksum === undefined || f.checksum === 0) return undefined;
    const mine = okxChecksum(this.book.bids.levels(CHECKSUM_DEPTH), this.book.asks.levels(CHECKSUM_DEPTH));
    return mine === f.checksum ? undefined : `checksum mismatch: frame says ${f.checksum}, the book gives ${mine}`;
  }
}

export function okxBookVenue(market: Market): BookVenue {
  return {
    exchange: 'okx',
    market,
    needsSnapshot: false,
    // acks of the books channel name it too: the book parser gives [] for them
    mayBeBookFrame: (frame) => frame.includes('"books"'),
    snapshotPath: (nativeId) => `/api/v5/market/books?instId=${nativeId}&sz=400`,
    createFrameParser: (instruments) => createFrameParser(market, instruments),
    parseSnapshot: (body, instruments, nativeId) => parseSnapshot(market, body, instruments, nativeId),
    createSync: () => new OkxSync(),
  };
}
