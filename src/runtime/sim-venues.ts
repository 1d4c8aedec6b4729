/** The embedded simulator's venues, from the exchanges marked `simulated` in the configuration. */
import type { ExchangeConfig, TickvisorConfig } from '../config/schema.js';
import type { SimVenueOptions } from '../sim/index.js';
import type { ExchangeId, Market } from '../records.js';

const FALLBACK_BASES = ['BTC', 'ETH', 'SOL'];

function fallbackSymbols(e: ExchangeConfig): string[] {
  const quote = e.exchange === 'upbit' ? 'KRW' : 'USDT';
  return FALLBACK_BASES.map((b) => (e.market === 'futures' ? `${b}/${quote}:${quote}` : `${b}/${quote}`));
}

export function simVenuesFor(config: TickvisorConfig): SimVenueOptions[] {
  return config.exchanges
    .filter((e) => e.simulated)
    .map((e) => {
      const listed = e.sim?.symbols ?? e.symbols ?? fallbackSymbols(e);
      return {
        exchange: e.exchange as ExchangeId,
        market: e.market as Market,
        symbols: listed.map((s) =>
          typeof s === 'string'
            ? { symbol: s, tradesPerSecond: config.simulator.tradesPerSecond, tickersPerSecond: config.simulator.tickersPerSecond }
            : {
                symbol: s.symbol,
                tradesPerSecond: s.tradesPerSecond ?? config.simulator.tradesPerSecond,
                tickersPerSecond: s.tickersPerSecond ?? config.simulator.tickersPerSecond,
                ...(s.price !== undefined ? { price: s.price } : {}),
              },
        ),
      };
    });
}
