/**
 * One connection's book stream replayed frame by frame by its venue's rules: what
 * `tickvisor parse --book` runs, and what a test compares with a captured stream's expected book.
 * Pure: lines in, book lines and problems out.
 */
import type { Instrument } from '../exchanges/types.js';
import type { BookSync, BookVenue } from './types.js';

export interface BookLine {
  type: 'book';
  exchange: string;
  market: string;
  symbol: string;
  timestamp: number;
  bids: [number, number][];
  asks: [number, number][];
}

export interface ReplayOptions {
  instruments?: readonly Instrument[];
  /** the REST depth answer (parsed JSON) for the stream's symbol, where the venue needs one */
  snapshot?: unknown;
}

interface SymbolState {
  sync: BookSync;
  /** the sequence broke at this line: the book is the last consistent one and stays so */
  brokenAt?: number;
}

export class BookReplay {
  private readonly parse: (text: string) => ReturnType<ReturnType<BookVenue['createFrameParser']>>;
  private readonly symbols = new Map<string, SymbolState>();
  private snapshotUsed = false;
  breaks = 0;
  malformed = 0;

  constructor(private readonly venue: BookVenue, private readonly options: ReplayOptions = {}) {
    this.parse = venue.createFrameParser(options.instruments);
  }

  /** one frame; returns what to report on stderr (`reason`, without the line prefix), if anything */
  line(text: string): string[] {
    let frames;
    try {
      frames = this.parse(text);
    } catch (error) {
      this.malformed++;
      return [error instanceof Error ? error.message : String(error)];
    }
    const problems: string[] = [];
    for (const f of frames) {
      let s = this.symbols.get(f.symbol);
      if (s === undefined) {
        s = { sync: this.venue.createSync() };
        this.symbols.set(f.symbol, s);
        const seeded = this.seed(s.sync, f.nativeId);
        if (seeded !== undefined) {
          this.malformed++;
          problems.push(seeded);
        }
      }
      if (s.brokenAt !== undefined) continue;
      const outcome = s.sync.apply(f);
      if (outcome.kind === 'broken') {
        s.brokenAt = 1;
        this.breaks++;
        problems.push(`${f.symbol}: ${outcome.reason}`);
      }
    }
    return problems;
  }

  /** the REST snapshot goes to the first symbol the stream names (a depth answer names none) */
  private seed(sync: BookSync, nativeId: string): string | undefined {
    if (this.options.snapshot === undefined || this.snapshotUsed) return undefined;
    this.snapshotUsed = true;
    try {
      sync.seed(this.venue.parseSnapshot(this.options.snapshot, this.options.instruments, nativeId));
      return undefined;
    } catch (error) {
      return `snapshot: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  /** every symbol's book as it stands (the last consistent one where the sequence broke), top `depth` */
  books(depth: number): BookLine[] {
    const out: BookLine[] = [];
    for (const [symbol, s] of this.symbols) {
      const book = s.sync.book;
      if (!s.sync.synced) continue;
      out.push({
        type: 'book',
        exchange: this.venue.exchange,
        market: this.venue.market,
        symbol,
        timestamp: book.timestamp,
        bids: book.bids.top(depth),
        asks: book.asks.top(depth),
      });
    }
    return out;
  }

  /** the venue's update id `symbol`'s book stands at (undefined: no book yet, or a venue without one) */
  sequence(symbol: string): number | undefined {
    const s = this.symbols.get(symbol);
    return s !== undefined && s.sync.synced ? s.sync.sequence : undefined;
  }

  /** symbols that never got a book (no snapshot came) */
  unsynced(): string[] {
    return [...this.symbols].filter(([, s]) => !s.sync.synced).map(([symbol]) => symbol);
  }
}
