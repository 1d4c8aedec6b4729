/** The memory cache of the latest state (docs/architecture.md#data-path): latest ticker and last trade per symbol. */
import type { ExchangeId, Market, MarketRecord, Ticker, Trade } from '../records.js';
import { copyTrade } from './copy-trade.js';
import { newTrade } from '../exchanges/types.js';
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
   *
   * A trade is copied into the symbol's own object, never kept: delivered trades may be lent
   * (transport/trade-pool.ts) and are filled again once delivered. Copying into one object per
   * symbol allocates nothing per trade; readers get copies of it (get, entries).
   */
  update(r: MarketRecord): void {
    const state = this.table.getOrCreate(r.exchange, r.market, r.symbol, newState);
    if (r.type === 'trade') {
      const held = state.trade;
      if (held === undefined) state.trade = copyTrade(r, newTrade());
      else if (r.timestamp >= held.timestamp) copyTrade(r, held);
    } else if (state.ticker === undefined || r.timestamp >= state.ticker.timestamp) {
      state.ticker = r;
    }
  }

  get(exchange: ExchangeId, market: Market, symbol: string): LatestState | undefined {
    const state = this.table.get(exchange, market, symbol);
    return state === undefined ? undefined : snapshot(state);
  }

  *entries(): IterableIterator<LatestState> {
    for (const [, , , state] of this.table.entries()) yield snapshot(state);
  }
}

/** what a reader gets: the state as it is now, not the objects the cache goes on filling */
function snapshot(state: MutableState): LatestState {
  const out: MutableState = { exchange: state.exchange, market: state.market, symbol: state.symbol };
  if (state.ticker !== undefined) out.ticker = state.ticker;
  if (state.trade !== undefined) out.trade = copyTrade(state.trade, newTrade());
  return out;
}
