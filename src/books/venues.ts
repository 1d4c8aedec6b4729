/** The order-book support of each venue, by exchange and market. */
import { binanceBookVenue } from '../exchanges/binance/book.js';
import { bybitBookVenue } from '../exchanges/bybit/book.js';
import { okxBookVenue } from '../exchanges/okx/book.js';
import { upbitBookVenue } from '../exchanges/upbit/book.js';
import type { ExchangeId, Market } from '../records.js';
import type { BookVenue } from './types.js';

export function bookVenue(exchange: ExchangeId, market: Market): BookVenue {
  switch (exchange) {
    case 'binance':
      return binanceBookVenue(market);
    case 'bybit':
      return bybitBookVenue(market);
    case 'okx':
      return okxBookVenue(market);
    case 'upbit':
      return upbitBookVenue(market);
  }
}
