/**
 * A map keyed by (exchange, market, symbol) without building a joined string per record:
 * at 150k records/s a concatenated key per lookup is garbage the collector has to chase.
 */
import type { ExchangeId, Market } from '../records.js';

export class SymbolTable<T> {
  private readonly byExchange = new Map<ExchangeId, Map<Market, Map<string, T>>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(exchange: ExchangeId, market: Market, symbol: string): T | undefined {
    return this.byExchange.get(exchange)?.get(market)?.get(symbol);
  }

  getOrCreate(exchange: ExchangeId, market: Market, symbol: string, create: () => T): T {
    let markets = this.byExchange.get(exchange);
    if (markets === undefined) this.byExchange.set(exchange, (markets = new Map()));
    let symbols = markets.get(market);
    if (symbols === undefined) markets.set(market, (symbols = new Map()));
    let value = symbols.get(symbol);
    if (value === undefined) {
      value = create();
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
}
