/**
 * The simulated exchange: Binance, OKX, Bybit and Upbit venues on loopback, answering in each
 * exchange's own wire format, seeded, with a ledger of every generated trade (ground truth)
 * and fault injection. Venue-specific code sits behind `SimVenue` (venue.ts).
 *
 *   const sim = await startSimExchange({ mode: 'manual', venues: [{ exchange: 'binance', market: 'spot', symbols: [{ symbol: 'BTC/USDT' }] }] });
 *   const { wsUrl, restUrl } = sim.endpoints('binance', 'spot');
 *   sim.advance(1000); sim.groundTruth(); await sim.stop();
 */
export { startSimExchange } from './exchange.js';
export {
  DEFAULT_TIMING,
  SimError,
  type GroundTruthFilter,
  type PreparedBookBurst,
  type PreparedBurst,
  type SimEndpoints,
  type SimExchange,
  type SimFault,
  type SimFaultKind,
  type SimOptions,
  type SimStats,
  type SimSymbolOptions,
  type SimTiming,
  type SimVenueOptions,
  type SimVenueStats,
  type TruthSymbol,
  type BookVersion,
  type TrueBookAtView,
  type TrueBookView,
} from './types.js';
export type { SimVenue, VenueSession, VenueContext, SessionIO, ConnectionPolicy, RestReply, VenueFactory } from './venue.js';
