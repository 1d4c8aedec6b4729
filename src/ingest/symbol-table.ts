/**
 * A map keyed by (exchange, market, symbol) without building a joined string per record:
 * at 150k records/s a concatenated key per lookup is garbage the collector has to chase.
 * A pipeline serves one exchange × market, so the last (exchange, market) pair's symbol map is
 * remembered: a lookup is then one Map.get instead of three.
 */
import type { ExchangeId, Market } from '../records.js';

export class SymbolTable<T> {
  private readonly byExchange = new Map<ExchangeId, Map<Market, Map<string, T>>>();
  private count = 0;
  private lastExchange: ExchangeId | undefined;
  private lastMarket: Market | undefined;
  private lastSymbols: Map<string, T> | undefined;

  get size(): number {
    return this.count;
  }

  get(exchange: ExchangeId, market: Market, symbol: string): T | undefined {
    if (exchange === this.lastExchange && market === this.lastMarket) return this.lastSymbols?.get(symbol);
    return this.byExchange.get(exchange)?.get(market)?.get(symbol);
  }

  /**
   * `create` gets the key parts so a caller can pass a function made once, not a closure per
   * call (a closure allocated for every record is garbage too).
   */
  getOrCreate(exchange: ExchangeId, market: Market, symbol: string, create: (exchange: ExchangeId, market: Market, symbol: string) => T): T {
    const symbols = this.symbolsOf(exchange, market);
    let value = symbols.get(symbol);
    if (value === undefined) {
      value = create(exchange, market, symbol);
      symbols.set(symbol, value);
      this.count++;
    }
    return value;
  }

  delete(exchange: ExchangeId, market: Market, symbol: string): boolean {
    const deleted = this.byExchange.get(exchange)?.get(market)?.delete(symbol) ?? false;
    if (deleted) this.count--;
    return deleted;
  }

  *entries(): IterableIterator<[ExchangeId, Market, string, T]> {
    for (const [exchange, markets] of this.byExchange) {
      for (const [market, symbols] of markets) {
        for (const [symbol, value] of symbols) yield [exchange, market, symbol, value];
      }
    }
  }

  /** the symbol map of one exchange × market, created when missing (never removed, so the memo stays valid) */
  private symbolsOf(exchange: ExchangeId, market: Market): Map<string, T> {
    if (exchange === this.lastExchange && market === this.lastMarket && this.lastSymbols !== undefined) return this.lastSymbols;
    let markets = this.byExchange.get(exchange);
    if (markets === undefined) this.byExchange.set(exchange, (markets = new Map()));
    let symbols = markets.get(market);
    if (symbols === undefined) markets.set(market, (symbols = new Map()));
    this.lastExchange = exchange;
    this.lastMarket = market;
    this.lastSymbols = symbols;
    return symbols;
  }
}
