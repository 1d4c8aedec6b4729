/** The venue registry: exchange id → factory. Add a venue here once its file exists. */
import type { ExchangeId } from '../../records.js';
import { SimError } from '../types.js';
import type { VenueFactory } from '../venue.js';
import { binanceVenue } from './binance.js';
import { bybitVenue } from './bybit.js';
import { okxVenue } from './okx.js';
import { upbitVenue } from './upbit.js';

const FACTORIES: Record<ExchangeId, VenueFactory> = {
  binance: binanceVenue,
  okx: okxVenue,
  bybit: bybitVenue,
  upbit: upbitVenue,
};

export function venueFactory(exchange: ExchangeId): VenueFactory {
  const f = FACTORIES[exchange];
  if (!f) throw new SimError('TV_ERR_SIM_UNKNOWN_VENUE', `no simulated venue for ${exchange}`);
  return f;
}
