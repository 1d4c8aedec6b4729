/** The memory cache of the latest state (docs/architecture.md#data-path): latest ticker and last trade per symbol. */
import type { ExchangeId, Market, MarketRecord, Ticker, Trade } from '../records.js';
import { SymbolTable } from './symbol-table.js';

export interface LatestState {
  readonly exchange: ExchangeId;
  readonly market: Market;
  readonly symbol: string;
  readonly ticker?: Ticker;
  readonly trade?: Trade;
}

interface MutableState {
  exchange: ExchangeId;
  market: Market;
  symbol: string;
  ticker?: Ticker;
  trade?: Trade;
}

export interface LatestCacheReader {
  get(exchange: ExchangeId, market: Market, symbol: string): LatestState | undefined;
  entries(): IterableIterator<LatestState>;
  readonly size: number;
}

function newState(exchange: ExchangeId, market: Market, symbol: string): MutableState {
  return { exchange, market, symbol };
}

export class LatestCache implements LatestCacheReader {
  private readonly table = new SymbolTable<MutableState>();

  get size(): number {
    return this.table.size;
  }

  /**
   * Newer wins by exchange timestamp (ties: the later arrival), so an old trade brought in by
   * REST backfill never replaces the live last trade.
   */
  update(r: MarketRecord): void {
    const state = this.table.getOrCreate(r.exchange, r.market, r.symbol, newState);
    if (r.type === 'trade') {
      if (state.trade === undefined || r.timestamp >= state.trade.timestamp) state.trade = r;
    } else if (state.ticker === undefined || r.timestamp >= state.ticker.timestamp) {
      state.ticker = r;
    }
  }

  get(exchange: ExchangeId, market: Market, symbol: string): LatestState | undefined {
    return this.table.get(exchange, market, symbol);
  }

  *entries(): IterableIterator<LatestState> {
    for (const [, , , state] of this.table.entries()) yield state;
  }
}
