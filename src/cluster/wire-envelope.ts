/**
 * What every message tickvisor publishes shares (docs/cluster.md#data): msgpack of a plain map
 * `{v: format, x: exchange, m: market, s: symbol, …}` plus the type's own fields. Plain maps and
 * arrays only, no msgpackr record extension, so any msgpack reader can read a message. Reading
 * checks the envelope and hands back the map for the type's codec to check the rest.
 */
import { Packr } from 'msgpackr';
import { EXCHANGE_IDS, MARKETS, type ExchangeId, type Market } from '../records.js';

export const packr = new Packr({ useRecords: false });

export interface Envelope {
  v: number;
  x: string;
  m: string;
  s: string;
}

export interface OpenedEnvelope<W> {
  wire: Partial<W>;
  exchange: ExchangeId;
  market: Market;
  symbol: string;
}

export const finite = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n);

/** the message's map with its exchange, market and symbol checked, or a one-line reason it cannot be read */
export function openEnvelope<W extends Envelope>(bytes: Uint8Array, format: number | readonly number[], what: string): OpenedEnvelope<W> | { error: string } {
  let wire: Partial<W>;
  try {
    wire = packr.unpack(bytes) as Partial<W>;
  } catch {
    return { error: 'not msgpack' };
  }
  if (typeof wire !== 'object' || wire === null) return { error: 'not an object' };
  const formats: readonly number[] = typeof format === 'number' ? [format] : format;
  if (typeof wire.v !== 'number' || !formats.includes(wire.v)) return { error: `${what} format ${String(wire.v)}, expected ${formats.join(' or ')}` };
  const exchange = wire.x as ExchangeId;
  const market = wire.m as Market;
  if (!EXCHANGE_IDS.includes(exchange)) return { error: `unknown exchange ${String(wire.x)}` };
  if (!MARKETS.includes(market)) return { error: `unknown market ${String(wire.m)}` };
  if (typeof wire.s !== 'string' || wire.s === '') return { error: 'no symbol' };
  return { wire, exchange, market, symbol: wire.s };
}
