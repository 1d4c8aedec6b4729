/**
 * A delivered trade copied field by field into `into` (an object its holder owns and fills again):
 * how the data path keeps a trade that may be lent (transport/trade-pool.ts) without allocating.
 */
import type { Trade } from '../records.js';

export function copyTrade(from: Trade, into: Trade): Trade {
  into.type = 'trade';
  into.exchange = from.exchange;
  into.market = from.market;
  into.symbol = from.symbol;
  into.id = from.id;
  into.price = from.price;
  into.amount = from.amount;
  into.side = from.side;
  into.timestamp = from.timestamp;
  into.localTimestamp = from.localTimestamp;
  return into;
}
