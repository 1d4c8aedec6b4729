/** The embedded simulator's venues, from the exchanges marked `simulated` in the configuration. */
import type { ExchangeConfig, TickvisorConfig } from '../config/schema.js';
import { TickvisorError } from '../errors.js';
import type { SimVenueOptions } from '../sim/index.js';
import type { ExchangeId, Market } from '../records.js';
import { unifiedSpelling } from '../symbols/native-spelling.js';

const FALLBACK_BASES = ['BTC', 'ETH', 'SOL'];

function fallbackSymbols(e: ExchangeConfig): string[] {
  const quote = e.exchange === 'upbit' ? 'KRW' : 'USDT';
  return FALLBACK_BASES.map((b) => (e.market === 'futures' ? `${b}/${quote}:${quote}` : `${b}/${quote}`));
}

/**
 * What the simulator lists for one venue. `sim.symbols` is the simulator's own listing: each must
 * spell a pair (a one-line error otherwise). Without it, the simulator simulates the configured
 * symbols, in their unified spelling; one that spells no pair is left out of the listing, so the
 * collector's symbol check reports it like a real venue would.
 */
function listedSymbols(e: ExchangeConfig): Array<string | { symbol: string; tradesPerSecond?: number; tickersPerSecond?: number; price?: number }> {
  const exchange = e.exchange as ExchangeId;
  const market = e.market as Market;
  if (e.sim?.symbols) {
    return e.sim.symbols.map((s) => {
      const given = typeof s === 'string' ? s : s.symbol;
      const symbol = unifiedSpelling(exchange, market, given);
      if (symbol === undefined) {
        throw new TickvisorError('TV_ERR_CONFIG_INVALID', `exchanges ${exchange}:${market} sim.symbols: '${given}' is not a symbol the simulator can list (write BASE/QUOTE, e.g. BTC/USDT)`);
      }
      return typeof s === 'string' ? symbol : { ...s, symbol };
    });
  }
  if (!e.symbols) return fallbackSymbols(e);
  return [...new Set(e.symbols.map((s) => unifiedSpelling(exchange, market, s)).filter((s): s is string => s !== undefined))];
}

export function simVenuesFor(config: TickvisorConfig): SimVenueOptions[] {
  return config.exchanges
    .filter((e) => e.simulated)
    .map((e) => {
      const listed = listedSymbols(e);
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
