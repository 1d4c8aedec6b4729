/**
 * Per-coin receive activity on the data path (last receive time, mean receive interval; the
 * silent-coin alert reads it: docs/architecture.md#supervision-rules).
 *
 * `record()` runs once per delivered batch at 150k+ records/s, so it allocates nothing per record:
 * one nested-Map lookup per batch for the venue, one Map lookup per record (skipped while
 * consecutive records share a symbol), and a handful of number updates on a mutable entry.
 *
 * The mean receive interval is the mean time between consecutive records of one coin, over the
 * last one to two windows (a two-bucket window rolled as records arrive), so it follows the
 * current pace instead of freezing on the lifetime average. Records delivered together count as
 * 0 ms apart, which makes the mean equal to elapsed time / (records − 1): the inverse of the rate.
 */

export interface CoinActivityOptions {
  /** window of the mean receive interval (default 60 s) */
  windowMs?: number;
  /** a coin with no record for this long is silent (default 5 min, like config.alerts.silentCoinMs) */
  silentAfterMs?: number;
}

/** One coin's activity as read (a copy; reading is not the hot path). */
export interface CoinActivityView {
  exchange: string;
  market: string;
  symbol: string;
  /** records received since the coin was first seen or watched */
  count: number;
  /** ms since epoch of the last record; absent before the first */
  lastAt?: number;
  /** mean ms between records over the current window; absent with fewer than two records */
  meanIntervalMs?: number;
  /** when the coin started being tracked (first record or watch()) */
  since: number;
}

export interface SilentCoin {
  exchange: string;
  market: string;
  symbol: string;
  lastAt?: number;
  /** ms without a record (since watched, when none ever came) */
  silentMs: number;
}

/** The minimum a record must carry to be counted (MarketRecord fits). */
export interface SymbolRecord {
  readonly symbol: string;
}

interface Entry {
  readonly exchange: string;
  readonly market: string;
  readonly symbol: string;
  count: number;
  lastAt: number;
  since: number;
  winStart: number;
  winSum: number;
  winCount: number;
  prevSum: number;
  prevCount: number;
}

type VenueTable = Map<string, Entry>;

export class CoinActivity {
  readonly windowMs: number;
  readonly silentAfterMs: number;
  /** exchange → market → symbol → entry; nested so a batch costs no key string */
  private readonly venues = new Map<string, Map<string, VenueTable>>();

  constructor(options: CoinActivityOptions = {}) {
    this.windowMs = options.windowMs ?? 60_000;
    this.silentAfterMs = options.silentAfterMs ?? 5 * 60_000;
  }

  /** Counts one delivered batch of one venue (every record of a pipeline batch shares exchange and market). */
  record(exchange: string, market: string, records: readonly SymbolRecord[], now: number): void {
    if (records.length === 0) return;
    const table = this.table(exchange, market);
    let symbol = '';
    let entry: Entry | undefined;
    for (let i = 0; i < records.length; i++) {
      const s = records[i]!.symbol;
      if (s !== symbol || entry === undefined) {
        symbol = s;
        entry = table.get(s);
        if (entry === undefined) {
          entry = newEntry(exchange, market, s, now);
          table.set(s, entry);
        }
      }
      this.count(entry, now);
    }
  }

  /**
   * Starts tracking a coin that has not sent anything yet, so a subscription that never delivers
   * is reported silent too. Idempotent: an existing entry is left as it is.
   */
  watch(exchange: string, market: string, symbol: string, now: number): void {
    const table = this.table(exchange, market);
    if (!table.has(symbol)) table.set(symbol, newEntry(exchange, market, symbol, now));
  }

  /** Stops tracking a coin (unsubscribed, delisted): it is no longer reported, silent or not. */
  forget(exchange: string, market: string, symbol: string): void {
    this.venues.get(exchange)?.get(market)?.delete(symbol);
  }

  get(exchange: string, market: string, symbol: string): CoinActivityView | undefined {
    const e = this.venues.get(exchange)?.get(market)?.get(symbol);
    return e ? view(e) : undefined;
  }

  *entries(): Generator<CoinActivityView> {
    for (const markets of this.venues.values()) for (const table of markets.values()) for (const e of table.values()) yield view(e);
  }

  /** Coins without a record for `afterMs` (default: silentAfterMs), oldest silence first. */
  silentFor(now: number, afterMs = this.silentAfterMs): SilentCoin[] {
    const out: SilentCoin[] = [];
    for (const markets of this.venues.values()) {
      for (const table of markets.values()) {
        for (const e of table.values()) {
          const silentMs = now - (e.count > 0 ? e.lastAt : e.since);
          if (silentMs < afterMs) continue;
          out.push({
            exchange: e.exchange,
            market: e.market,
            symbol: e.symbol,
            ...(e.count > 0 ? { lastAt: e.lastAt } : {}),
            silentMs,
          });
        }
      }
    }
    return out.sort((a, b) => b.silentMs - a.silentMs);
  }

  private table(exchange: string, market: string): VenueTable {
    let markets = this.venues.get(exchange);
    if (!markets) this.venues.set(exchange, (markets = new Map()));
    let table = markets.get(market);
    if (!table) markets.set(market, (table = new Map()));
    return table;
  }

  private count(e: Entry, now: number): void {
    if (e.count > 0) {
      if (now - e.winStart >= this.windowMs) {
        // roll: the closed window becomes the previous one, unless it is older than a window itself
        const stale = now - e.winStart >= 2 * this.windowMs;
        e.prevSum = stale ? 0 : e.winSum;
        e.prevCount = stale ? 0 : e.winCount;
        e.winSum = 0;
        e.winCount = 0;
        e.winStart = now;
      }
      // a clock stepping back must not make a negative interval
      e.winSum += now > e.lastAt ? now - e.lastAt : 0;
      e.winCount++;
    } else {
      e.winStart = now;
    }
    e.count++;
    e.lastAt = now;
  }
}

function newEntry(exchange: string, market: string, symbol: string, now: number): Entry {
  return { exchange, market, symbol, count: 0, lastAt: 0, since: now, winStart: now, winSum: 0, winCount: 0, prevSum: 0, prevCount: 0 };
}

function view(e: Entry): CoinActivityView {
  const n = e.winCount + e.prevCount;
  return {
    exchange: e.exchange,
    market: e.market,
    symbol: e.symbol,
    count: e.count,
    ...(e.count > 0 ? { lastAt: e.lastAt } : {}),
    ...(n > 0 ? { meanIntervalMs: (e.winSum + e.prevSum) / n } : {}),
    since: e.since,
  };
}

export function createCoinActivity(options: CoinActivityOptions = {}): CoinActivity {
  return new CoinActivity(options);
}
